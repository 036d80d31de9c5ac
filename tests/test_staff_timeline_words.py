"""Issue 12, item 14: every timeline line is said in the UI's language, never in codes.

The reviewer read "similar name (a name missing on one side)", "method: REQUEST",
"tries: 3", "av tenant", "av landlord:1" and logins on the timeline. This test
finds every event kind the code writes (each ``timeline.record`` and each
``conclude`` with an event, read from the source, plus the kinds built at run
time), records each with the facts its call site passes, and reads the case page:
in bokmål no code, English phrase, login or internal id may show, in English the
same lines are English.
"""

from __future__ import annotations

import ast
import html as html_lib
import re
from pathlib import Path
from typing import Any

import pytest

from outreach import timeline
from outreach.config import REPO_ROOT
from outreach.models.landlord import Landlord
from outreach.web.staff import labels
from tests.test_staff_support import login, make_user, new_case, text_of

# Kinds whose name is built at run time: receipts (``<channel>_<status>``), the
# handlers' sent events, opting in and out by SMS, a forward's kind, a task's outcome.
RUNTIME_KINDS = {
    "sms_delivered": {"provider_status": "delivered"},
    "sms_undelivered": {"provider_status": "undelivered", "error_code": "unreachable"},
    "sms_failed": {"provider_status": "failed", "error_code": "invalid_number"},
    "email_delivered": {"provider_status": "delivered"},
    "email_bounced": {"provider_status": "bounce", "error_code": "invalid_address"},
    "email_dropped": {"provider_status": "dropped"},
    "email_failed": {"provider_status": "failed"},
    "email_undelivered": {"provider_status": "undelivered"},
    "letter_sent": {"rule": "letter", "attempt_id": 1},
    "letter_copy_sent": {"rule": "copy_bailiff", "audience": "copy_bailiff"},
    "sms_sent": {"rule": "sms", "attempt_id": 1, "step_status": "cancelled"},
    "email_sent": {"rule": "letter_email", "attempt_id": 1},
    "phone_task_created": {"rule": "phone_task", "task_id": 1},
    "home_visit_scheduled": {"rule": "home_visit", "scheduled_for": "2026-12-03T09:00:00+00:00"},
    "sms_opted_in": {"keyword": "START", "source": "tenant"},
    "sms_opted_out": {"keyword": "STOPP", "source": "tenant"},
    "forwarded": {"from_district": "030101", "to_district": "030102", "method": "address"},
    "client_file_transfer": {"from_district": "030101", "to_district": "030102"},
    "phone_task_outcome": {"task_kind": "phone_call", "outcome": "no_answer"},
    "home_visit_outcome": {"task_kind": "home_visit", "outcome": "not_home"},
    "task_done": {"task_kind": "manual_letter", "outcome": "done"},
}

# A fact's value as the code writes it: codes, logins, the matcher's English.
SAMPLES: dict[str, Any] = {
    "reason": "tenant responded",
    "note": "Ringte og avtalte møte.",
    "method": "REQUEST",
    "tries": 3,
    "try_no": 2,
    "reasons": "similar name (a name missing on one side, one letter differs), birth date, "
    "address; address differs",
    "confidence": 0.82,
    "candidate_case": "OUT-2026-000002",
    "into": "OUT-2026-000002",
    "from_case": "OUT-2026-000003",
    "caseworker": "kari",
    "previous": "ola",
    "owner": "kari",
    "raised_to": "ola",
    "unassigned": "ola",
    "caseworker_removed": "ola",
    "flag": "child_welfare_assessment",
    "flags": ["child_welfare_assessment"],
    "decision": "seek_parent_consent",
    "measure": "debt_counselling",
    "outcome": "reached",
    "outcome_was": "paid",
    "task_kind": "phone_call",
    "trigger_kind": "eviction_petition",
    "source_type": "bailiff",
    "match": "name_birth_date",
    "rule": "sms",
    "audience": "tenant",
    "notice": "visit_notice",
    "staffing": "pool",
    "district": "030101",
    "from_district": "030101",
    "to_district": "030102",
    "intent": "call_me",
    "keyword": "RING",
    "keyword_language": "so",
    "language": "so",
    "source": "tenant",
    "call_time": "morning",
    "number": "+47 4** ** *67",
    "fields": ["address", "phone", "eviction_date"],
    "email_confirmation": "skipped (no consent to email)",
    "assignee_role": "caseworker",
    "eviction_date": "2026-12-20",
    "landlord": "Torshov Utleie AS",
    "eviction_date_was": "2026-12-14",
    "due_on": "2026-12-15",
    "deadline": "2026-12-04T09:00:00+00:00",
    "due_at": "2026-12-04T09:00:00+00:00",
    "scheduled_for": "2026-12-03T09:00:00+00:00",
    "starts_at": "2026-12-03T09:00:00+00:00",
    "received_at": "2026-12-01T09:00:00+00:00",
    "expires_at": "2027-03-01T09:00:00+00:00",
    "was": "2026-12-02T09:00:00+00:00",
    "error_code": "unreachable",
    "provider_status": "undelivered",
    "step_status": "cancelled",
    "part_of_day": "morning",
    "petition_outcome": "postponed",
    "petition_outcome_was": "evicted",
    "plaintiff_type": "housing_cooperative",
    "notice_reason": "unknown",
    "failure_reason": "Husleien ble trukket uten varsel",
}

_RECORDERS = ("timeline.record", "record")
_HIDDEN_VALUE = "zz_internal_value"


def _call_sites() -> dict[str, set[str]]:
    """Each event kind written with a literal name in outreach/, and the facts it carries."""
    kinds: dict[str, set[str]] = {}
    for path in Path(REPO_ROOT, "outreach").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            name = ast.unparse(node.func)
            if name == "timeline.record" and len(node.args) > 2:
                kind_node = node.args[2]
            elif name == "conclude" and len(node.args) > 5:
                kind_node = node.args[5]
            else:
                continue
            candidates = [kind_node]
            if isinstance(kind_node, ast.IfExp):
                candidates = [kind_node.body, kind_node.orelse]
            keys = {k.arg for k in node.keywords if k.arg}
            for candidate in candidates:
                if isinstance(candidate, ast.Constant) and isinstance(candidate.value, str):
                    kinds.setdefault(candidate.value, set()).update(keys)
    return kinds


def _data(keys: set[str]) -> dict[str, Any]:
    data = {}
    for key in sorted(keys - {"channel", "actor", "step_id", "detail"}):
        # An id points at nothing here; any fact with no sample is a value the page must hide.
        data[key] = 999 if key.endswith("_id") else SAMPLES.get(key, _HIDDEN_VALUE)
    return data


ACTORS = ("kari", "tenant", "landlord:1", "system:Namsfogdens melding", "cli", None)


def _timeline_text(page: str) -> str:
    part = page[page.index('<ol class="timeline"') :]
    part = part[: part.index("</ol>")]
    return " ".join(html_lib.unescape(re.sub(r"<[^>]+>", " ", part)).split())


@pytest.fixture
def case_id(client: Any, rt: Any) -> int:
    make_user(rt)
    make_user(rt, "ola", districts="030102")
    assert login(client).status_code == 302
    case_id = int(new_case(rt).case_id)
    sites = _call_sites()
    assert len(sites) > 60, "the scan finds the code's events"
    events = {**{k: _data(v) for k, v in sites.items()}, **RUNTIME_KINDS}
    with rt.session() as session:
        session.add(Landlord(id=1, org_number="958935420", name="Boligbygg Oslo KF"))
        for n, (kind, data) in enumerate(sorted(events.items())):
            actor = ACTORS[n % len(ACTORS)]
            timeline.record(session, case_id, kind, rt.now(), channel="sms", actor=actor, **data)
    return case_id


def test_every_event_kind_has_words() -> None:
    assert sorted((set(_call_sites()) | set(RUNTIME_KINDS)) - set(labels.EVENTS)) == []


def test_no_code_english_or_login_on_the_bokmaal_timeline(client: Any, case_id: int) -> None:
    text = _timeline_text(text_of(client.get(f"/staff/saker/{case_id}")))
    assert _HIDDEN_VALUE not in text
    assert "Hendelse i saken" not in text  # every kind has its own title
    snake = sorted(set(re.findall(r"\b[a-z]+_[a-z_]+\b", text)))
    assert snake == [], snake
    for english in (
        "similar name",
        "a name missing",
        "address differs",
        "REQUEST",
        "tries",
        "tenant",
        "landlord",
        "system:",
        "method",
        "skipped",
        "undelivered",
        "morning",
        "call me",
        "None",
    ):
        assert english not in text, english
    assert not re.search(r"\b(kari|ola)\b", text), "logins, not names"
    assert "av Kari Testesen" in text and "av leietaker" in text
    assert "av utleier Boligbygg Oslo KF" in text
    assert "lignende navn (et navn mangler på den ene siden, én bokstav er ulik)" in text
    assert "samme fødselsdato og adresse; adressen er en annen" in text
    assert "måte: invitasjon" in text and "antall forsøk: 3" in text
    assert "sendt til: Ola Testesen" in text
    assert "endret: adresse, telefon, utkastelsesdato" in text


def test_the_english_timeline_is_english(client: Any, case_id: int) -> None:
    with client.session_transaction() as browser:
        browser["lang"] = "en"
    text = _timeline_text(text_of(client.get(f"/staff/saker/{case_id}")))
    assert _HIDDEN_VALUE not in text
    assert "by tenant" in text and "by landlord Boligbygg Oslo KF" in text
    assert "similar name (a name missing on one side, one letter differs)" in text
    assert "how: invitation" in text and "tries: 3" in text
    for norwegian in ("leietaker", "utleier", "lignende navn", "antall forsøk", "årsak"):
        assert norwegian not in text, norwegian
