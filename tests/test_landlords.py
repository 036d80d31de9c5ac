"""Landlords who warn early: the API under /api/v1/landlord and the actions behind it.

What must hold (DESIGN.md principle 6 and husleieloven § 9-11, seeds/000):
a warning becomes a case like any trigger; the landlord learns nothing but a
receipt, the same whether or not the tenant is known to NAV; a tenant who
reserved with that landlord is refused and nothing is kept; a landlord's
token is good only for its own warnings and receipts.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from outreach.intake.accept import accept_trigger
from outreach.intake.schema import load_trigger
from outreach.landlords.warnings import ensure_landlord
from outreach.models import ApiToken, Case, Person, Trigger
from outreach.models.landlord import LandlordWarning, WarningReservation
from outreach.staff.tokens import issue_token
from tests.factories import national_id, trigger
from tests.test_cli_and_schema import outreach

ORG_A = "921184530"
ORG_B = "987654325"


def landlord_token(rt: Any, org: str = ORG_A, name: str = "Torshov Utleie AS") -> str:
    with rt.session() as session:
        landlord = ensure_landlord(session, org, name)
        return issue_token(session, f"{name} API", None, landlord_id=landlord.id)


def warning(**overrides: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "reference": "HL-2026-117",
        "tenant": {
            "name": "Nora Berg",
            "birth_date": "1979-05-14",
            "address": {"street": "Tøyengata 12", "postal_code": "0190", "city": "Oslo"},
            "phone": "+4791234567",
        },
        "arrears_amount": "24500",
        "arrears_since": "2026-09-01",
        "declarations": {"tenant_not_reserved": True, "tenant_informed": True},
    }
    for key, value in overrides.items():
        if value is None:
            doc.pop(key, None)
        elif isinstance(value, dict) and isinstance(doc.get(key), dict):
            doc[key] = {**doc[key], **value}
        else:
            doc[key] = value
    return doc


def post(client: Any, token: str, body: Any, path: str = "warnings", **headers: str) -> Any:
    return client.post(
        f"/api/v1/landlord/{path}",
        json=body,
        headers={"Authorization": f"Bearer {token}", **headers},
    )


def rows(rt: Any, model: Any) -> int:
    with rt.session() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_a_warning_becomes_a_case_and_the_landlord_gets_only_a_receipt(
    client: Any, rt: Any
) -> None:
    token = landlord_token(rt)
    response = post(client, token, warning())
    assert response.status_code == 201, response.json
    body = response.json
    assert set(body) == {
        "receipt",
        "status",
        "kind",
        "reference",
        "received_at",
        "earliest_petition_on",
        "duplicate",
    }
    assert body["status"] == "received"
    assert body["receipt"].startswith("UV-")
    # § 9-11: a petition should come at the earliest two weeks after the warning.
    assert body["earliest_petition_on"] == "2026-12-15"
    with rt.session() as session:
        trig = session.scalar(select(Trigger))
        assert trig is not None
        assert (trig.kind, trig.source_type, trig.source_name) == (
            "unpaid_rent_warning",
            "landlord",
            "Torshov Utleie AS",
        )
        assert trig.source_org_number == ORG_A
        assert trig.source_reference == f"{ORG_A}/HL-2026-117"
        assert "Ubetalt husleie siden 01.09.2026" in trig.notes
        case = session.get(Case, trig.case_id)
        assert case is not None and case.district_code == "030101"
        assert case.client_status == "none"


def test_the_answer_does_not_depend_on_what_nav_knows(client: Any, rt: Any) -> None:
    # Nora is an active client with an open case; Ola is unknown to NAV.
    with rt.session() as session:
        known = trigger(
            tenant={"name": "Nora Berg", "birth_date": "1979-05-14"},
            client={"status": "active", "district": "030101"},
        )
        accept_trigger(session, rt, load_trigger(known, now=rt.now()))
    token = landlord_token(rt)
    first = post(client, token, warning())
    second = post(
        client,
        token,
        warning(
            reference="HL-2026-118", tenant={"name": "Ola Unknown", "birth_date": "1990-01-01"}
        ),
    )
    assert first.status_code == second.status_code == 201
    strip = {"receipt", "reference"}
    assert {k: v for k, v in first.json.items() if k not in strip} == {
        k: v for k, v in second.json.items() if k not in strip
    }
    listed = client.get(
        "/api/v1/landlord/warnings", headers={"Authorization": f"Bearer {token}"}
    ).json
    assert [r["reference"] for r in listed] == ["HL-2026-118", "HL-2026-117"]
    for text in ("case", "district", "client", "030101", "OUT-"):
        assert text not in str(first.json) + str(listed)


def test_same_reference_twice_is_one_warning(client: Any, rt: Any) -> None:
    token = landlord_token(rt)
    first = post(client, token, warning())
    again = post(client, token, warning(notes="sent twice by mistake"))
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json["receipt"] == first.json["receipt"]
    assert again.json["duplicate"] is True
    assert rows(rt, Trigger) == rows(rt, LandlordWarning) == 1


def test_two_landlords_may_use_the_same_reference(client: Any, rt: Any) -> None:
    a = post(client, landlord_token(rt), warning())
    b = post(
        client,
        landlord_token(rt, ORG_B, "Grünerløkka Borettslag"),
        warning(tenant={"name": "Per Hansen", "birth_date": "1960-02-02"}),
    )
    assert (a.status_code, b.status_code) == (201, 201)
    assert a.json["receipt"] != b.json["receipt"]
    assert rows(rt, Trigger) == 2


def test_idempotency_key_is_scoped_to_the_landlord(client: Any, rt: Any) -> None:
    key = {"Idempotency-Key": "batch-7"}
    a = post(client, landlord_token(rt), warning(), **key)
    b = post(
        client,
        landlord_token(rt, ORG_B, "Grünerløkka Borettslag"),
        warning(reference="B-1", tenant={"name": "Per Hansen", "birth_date": "1960-02-02"}),
        **key,
    )
    assert (a.status_code, b.status_code) == (201, 201)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"declarations": {"tenant_not_reserved": False}}, ("declarations", "tenant_not_reserved")),
        ({"declarations": {"tenant_informed": False}}, ("declarations", "tenant_informed")),
        ({"declarations": None}, ("declarations",)),
        ({"arrears_amount": None}, ("arrears_amount",)),
        ({"arrears_amount": "0"}, ("arrears_amount",)),
        ({"reference": "has spaces and ; semicolons"}, ("reference",)),
        ({"reference": None}, ("reference",)),
        ({"tenant": {"birth_date": None}}, ("tenant", "birth_date")),
        ({"tenant": {"national_id": "12345678901"}}, ("tenant", "national_id")),
        ({"tenant": {"phone": "123"}}, ("tenant", "phone")),
        ({"tenant": {"protected_address": True}}, ("tenant", "protected_address")),
        ({"client": {"status": "active"}}, ("client",)),
        ({"source": {"type": "bailiff"}}, ("source",)),
        ({"received_at": "2026-01-01T08:00:00+01:00"}, ("received_at",)),
        ({"kind": "eviction_petition"}, ("kind",)),
        ({"kind": "eviction_completed"}, ("eviction_date",)),
    ],
)
def test_bad_input_names_the_field_and_writes_nothing(
    client: Any, rt: Any, change: dict[str, Any], field: tuple[str, ...]
) -> None:
    body = warning()
    for key, value in change.items():
        if value is None:
            body.pop(key)
        elif isinstance(value, dict) and isinstance(body.get(key), dict):
            body[key] = {k: v for k, v in {**body[key], **value}.items() if v is not None}
        else:
            body[key] = value
    response = post(client, landlord_token(rt), body)
    assert response.status_code == 422, response.json
    errors: Any = response.json["errors"]
    for part in field:
        assert part in errors, (field, response.json)
        errors = errors[part]
    assert rows(rt, Trigger) == rows(rt, Person) == rows(rt, LandlordWarning) == 0


def test_an_eviction_carried_out_needs_no_declarations(client: Any, rt: Any) -> None:
    body = warning(
        kind="eviction_completed",
        eviction_date="2026-11-20",
        declarations=None,
        arrears_amount=None,
    )
    response = post(client, landlord_token(rt), body)
    assert response.status_code == 201, response.json
    assert response.json["earliest_petition_on"] is None
    with rt.session() as session:
        trig = session.scalar(select(Trigger))
        assert trig is not None and trig.kind == "eviction_completed"


def test_a_reserved_tenant_is_refused_and_nothing_is_kept(client: Any, rt: Any) -> None:
    token = landlord_token(rt)
    registered = post(
        client,
        token,
        {"label": "Kontrakt 4411", "name": "Berg, Nora", "birth_date": "1979-05-14"},
        path="reservations",
    )
    assert registered.status_code == 201, registered.json
    assert set(registered.json) == {"id", "label", "registered_at", "withdrawn_at"}
    with rt.session() as session:
        stored = session.scalar(select(WarningReservation))
        assert stored is not None
        assert "Nora" not in f"{stored.label}{stored.person_hmac}{stored.national_id_hmac}"

    refused = post(client, token, warning())  # the name typed the other way round
    assert refused.status_code == 409
    assert refused.json["error"] == "tenant_reserved"
    assert rows(rt, Trigger) == rows(rt, Person) == rows(rt, LandlordWarning) == 0

    # Another landlord's warning about the same person is not affected.
    other = post(client, landlord_token(rt, ORG_B, "Grünerløkka Borettslag"), warning())
    assert other.status_code == 201

    # Withdrawn, the next warning goes through.
    withdrawn = client.delete(
        f"/api/v1/landlord/reservations/{registered.json['id']}",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert withdrawn.status_code == 200 and withdrawn.json["withdrawn_at"]
    assert post(client, token, warning(reference="HL-2026-119")).status_code == 201


def test_a_reservation_by_national_id_catches_a_warning_with_it(client: Any, rt: Any) -> None:
    token = landlord_token(rt)
    number = national_id(14, 5, 1979)
    response = post(
        client, token, {"label": "K-1", "name": "Nora Berg", "national_id": number}, "reservations"
    )
    assert response.status_code == 201, response.json
    # A differently written name, but the same national id: refused.
    refused = post(client, token, warning(tenant={"national_id": number, "name": "N. Berg"}))
    assert refused.status_code == 409


def test_tokens_are_good_only_for_their_own_surface(
    client: Any, rt: Any, staff_token: str, system_token: str
) -> None:
    token = landlord_token(rt)
    assert post(client, staff_token, warning()).status_code == 403
    assert post(client, system_token, warning()).status_code == 403
    assert post(client, "otk_nonsense", warning()).status_code == 401
    assert client.post("/api/v1/landlord/warnings", json=warning()).status_code == 401
    # A landlord cannot submit a bailiff's trigger or read a case.
    forged = client.post(
        "/api/v1/triggers", json=trigger(), headers={"Authorization": f"Bearer {token}"}
    )
    assert forged.status_code == 403
    assert (
        client.get("/api/v1/cases/1", headers={"Authorization": f"Bearer {token}"}).status_code
        == 403
    )
    # A landlord whose access is withdrawn is shut out at once.
    with rt.session() as session:
        row = session.scalar(select(ApiToken).where(ApiToken.landlord_id.is_not(None)))
        assert row is not None
        from outreach.models.landlord import Landlord

        landlord = session.get(Landlord, row.landlord_id)
        assert landlord is not None
        landlord.status = "suspended"
        session.commit()
    assert post(client, token, warning()).status_code == 403


def test_one_landlord_cannot_touch_anothers_reservation(client: Any, rt: Any) -> None:
    a = landlord_token(rt)
    b = landlord_token(rt, ORG_B, "Grünerløkka Borettslag")
    made = post(
        client, a, {"label": "K-9", "name": "Nora Berg", "birth_date": "1979-05-14"}, "reservations"
    )
    response = client.delete(
        f"/api/v1/landlord/reservations/{made.json['id']}",
        headers={"Authorization": f"Bearer {b}"},
    )
    assert response.status_code == 404
    listed = client.get(
        "/api/v1/landlord/reservations", headers={"Authorization": f"Bearer {b}"}
    ).json
    assert listed == []


def test_openapi_documents_the_landlord_paths(client: Any) -> None:
    paths = client.get("/api/v1/openapi.json").json["paths"]
    assert {"post", "get"} <= set(paths["/api/v1/landlord/warnings"])
    assert "409" in paths["/api/v1/landlord/warnings"]["post"]["responses"]
    assert "/api/v1/landlord/reservations/{reservation_id}" in paths


def test_create_landlord_cli(tmp_path: Path, redis_url: str) -> None:
    env = {"OUTREACH_VAR_DIR": str(tmp_path), "REDIS_URL": redis_url}
    assert outreach("db", "upgrade", env=env).returncode == 0
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "outreach.cli",
            "create-landlord",
            "--org-number",
            "921 184 530",
            "--name",
            "Torshov Utleie AS",
            "--username",
            "Ulla@Example.no",
            "--display-name",
            "Ulla Utleier",
            "--password-stdin",
            "--token",
            "regnskapssystem",
        ],
        input="et-langt-passord-1\n",
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    assert lines[0] == "landlord 921184530 Torshov Utleie AS saved"
    assert lines[1] == "portal login ulla@example.no saved"
    assert lines[2].startswith("otk_")
    bad = outreach("create-landlord", "--org-number", "921184531", "--name", "X", env=env)
    assert bad.returncode == 2 and "check digit" in bad.stderr
