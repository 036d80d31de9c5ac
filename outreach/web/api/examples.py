"""Example bodies for the OpenAPI document: one valid request per operation, and answers.

A client developer copies them, and the schemathesis run sends every request
example as it stands, so the happy path of each operation (a case opened, a
warning received) is exercised, not only the refusals. Each example must pass
the marshmallow schema its handler loads with (tests/test_openapi_document.py
checks them against the document). No real person: invented names, and a birth
date rather than a national id or a phone number.
"""

from __future__ import annotations

from typing import Any

_ADDRESS = {"street": "Tøyengata 12", "postal_code": "0190", "city": "Oslo"}

TRIGGER: dict[str, Any] = {
    "kind": "eviction_petition",
    "source": {
        "type": "bailiff",
        "name": "Oslo namsfogdkontor",
        "reference": "NF-2026-0117",
        "address": {"street": "Postboks 8024 Dep", "postal_code": "0030", "city": "Oslo"},
    },
    "tenant": {
        "name": "Amina Hassan",
        "birth_date": "1988-04-12",
        "address": _ADDRESS,
        "language": "so",
    },
    "household": {"children": [4, 9], "adults": 1},
    "eviction_date": "2027-02-15",
    "arrears_amount": "38500.00",
    "counterpart": {"role": "landlord", "name": "Tøyen Utleie AS"},
    "plaintiff_type": "private_landlord",
    "reason": "arrears",
}

CONTACT = {"channel": "phone", "note": "Leietaker ringte tilbake og vil ha møte."}
CLOSE = {"outcome": "payment_plan", "note": "Nedbetalingsavtale med utleier."}
DISTRICT = {"district": "030101", "reason": "Bor i Gamle Oslo etter flytting."}
CASEWORKER = {"username": "kari"}
FLAG_DECISION = {
    "decision": "no_report",
    "reason": "Barna er ivaretatt; familien har fått hjelp med husleien.",
}
TASK_OUTCOME = {"outcome": "reached", "note": "Avtalt møte på NAV-kontoret."}
POSTED = {"posted_at": "2026-11-30T15:00:00+01:00"}
MATCH_DECISION = {"decision": "same_person"}

LANDLORD_WARNING: dict[str, Any] = {
    "kind": "unpaid_rent_warning",
    "reference": "LK-2026-117",
    "tenant": {"name": "Jonas Berg", "birth_date": "1979-09-03", "address": _ADDRESS},
    "household": {"children": [], "adults": 1},
    "arrears_amount": 24600,
    "arrears_since": "2026-09-01",
    "declarations": {"tenant_not_reserved": True, "tenant_informed": True},
}
RESERVATION = {"label": "Kontrakt LK-2026-118", "name": "Fatima Yusuf", "birth_date": "1990-05-17"}

_AT = "2026-12-01T09:00:00+00:00"

CASE: dict[str, Any] = {
    "id": 1,
    "reference": "OUT-2026-000001",
    "status": "open",
    "district": "030101",
    "opened_at": _AT,
    "closed_at": None,
    "outcome": None,
    "repeat_case": False,
    "first_timer": True,
    "system_failure": False,
    "system_failure_reason": None,
    "crisis": False,
    "eviction_date": "2027-02-15",
    "ladder": {"round": 1, "state": "running", "letter_sent_at": None, "contact_started_at": None},
    "household": {"children": [4, 9], "adults": 1},
    "client": {"status": "none", "district": None},
    "tenant": {
        "name": "Amina Hassan",
        "birth_date": "1988-04-12",
        "language": "so",
        "has_phone": False,
        "sms_opted_out": False,
    },
    "needs_match_review": False,
}
STEP = {
    "id": 1,
    "rule": "letter",
    "channel": "letter",
    "status": "planned",
    "due_at": "2026-12-04T09:00:00+00:00",
    "deadline_at": None,
    "detail": "",
}
TIMELINE = [
    {
        "at": "2026-12-01T10:00:00+01:00",
        "event": "trigger_received",
        "channel": None,
        "actor": None,
        "trigger_id": 1,
        "trigger_kind": "eviction_petition",
        "source_type": "bailiff",
        "match": "new",
        "confidence": 1.0,
    }
]
TRIGGER_RESULT = {
    "trigger_id": 1,
    "case_id": 1,
    "case_reference": "OUT-2026-000001",
    "district": "030101",
    "case_created": True,
    "duplicate": False,
    "match": {"method": "new", "confidence": 1.0},
    "review_id": None,
    "corrected": [],
}
TRIGGER_RECEIPT = {"trigger_id": 1, "duplicate": False, "status": "received"}
BATCH = {
    "id": 1,
    "district": "030101",
    "status": "rendered",
    "created_at": _AT,
    "rendered_at": "2026-12-01T09:05:00+00:00",
    "posted_at": None,
    "pages": 4,
    "pdf_sha256": "0" * 64,
    "letters": {"queued": 2},
}
RECEIPT = {
    "receipt": "UV-AXPHJKD7",
    "status": "received",
    "kind": "unpaid_rent_warning",
    "reference": "LK-2026-117",
    "received_at": "2026-12-01T10:00:00+01:00",
    "earliest_petition_on": "2026-12-15",
    "duplicate": False,
}
# An older warning: a district office has it now (``landlords.processing``).
RECEIPT_PASSED_ON = {
    **RECEIPT,
    "receipt": "UV-QW8RT2MN",
    "status": "passed_on",
    "reference": "LK-2026-101",
    "received_at": "2026-11-20T09:30:00+01:00",
    "earliest_petition_on": "2026-12-04",
}
RESERVATION_RESULT = {
    "id": 1,
    "label": "Kontrakt LK-2026-118",
    "registered_at": _AT,
    "withdrawn_at": None,
}
CONTACT_RESULT = {"case_id": 1, "ladder": "responded", "cancelled_steps": 2}
CLOSE_RESULT = {"case_id": 1, "status": "closed", "cancelled_steps": 2}
DISTRICT_RESULT = {"case_id": 1, "district": "030101"}
CASEWORKER_RESULT = {"case_id": 1, "caseworker": "kari", "flags": [1]}
LANDLORD_COPY_RESULT = {
    "case_id": 1,
    "step_id": 7,
    "rule": "copy_landlord",
    "status": "planned",
    "due_at": "2026-12-01T09:00:00+00:00",
}
FLAG_RESULT = {"flag_id": 1, "status": "decided", "decision": "no_report"}
TASK_RESULT = {"task_id": 1, "status": "done", "outcome": "reached"}
RENDER_RESULT = {"batch_id": 1, "job_id": "outreach-print-batch-1", "status": "rendering"}
MATCH_REVIEW_RESULT = {"review_id": 1, "status": "merged", "case_id": 1}
IDEMPOTENCY_CONFLICT = {
    "error": "idempotency_conflict",
    "message": "This Idempotency-Key was already used with a different request body.",
    "errors": {"Idempotency-Key": ["Already used with a different request body."]},
}
TENANT_RESERVED = {
    "error": "tenant_reserved",
    "message": "The tenant has reserved against warnings to NAV; nothing was sent or kept.",
}

LIST_UPLOAD = {
    "declarations": {"tenant_not_reserved": True, "tenant_informed": True},
    "rows": [
        {
            "reference": "BB-2026-117",
            "name": "Nora Berg",
            "birth_date": "14.05.1979",
            "address": "Tøyengata 12",
            "postal_code": "0190",
            "city": "Oslo",
            "phone": "91234567",
            "arrears_amount": "12 345,50",
            "months_in_arrears": 2,
        }
    ],
}
LIST_STATUS = {
    "id": 7,
    "status": "running",
    "format": "csv",
    "filename": "restanser-desember.csv",
    "uploaded_at": "2026-12-01T10:00:00+01:00",
    "finished_at": None,
    "total_rows": 5000,
    "rows_done": 1250,
    "rows": {"pending": 3750, "created": 1190, "updated": 40, "unchanged": 0, "refused": 18,
             "reserved": 2},
}  # fmt: skip
LIST_REPORT = "\ufeffrow;reference;field;reason\r\n4;BB-2;arrears_amount;Not an amount\r\n"
