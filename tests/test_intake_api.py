"""POST /api/v1/triggers: accepted once, validated per field, nothing half-written."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from outreach.models import Case, Event, Person, Step, Trigger
from tests.factories import trigger


def post(client: Any, token: str, body: Any, **headers: str) -> Any:
    return client.post(
        "/api/v1/triggers",
        json=body,
        headers={"Authorization": f"Bearer {token}", **headers},
    )


def counts(rt: Any) -> tuple[int, int, int, int]:
    with rt.session() as s:
        return tuple(
            s.scalar(select(func.count()).select_from(m)) for m in (Trigger, Case, Person, Step)
        )  # type: ignore[return-value]


def test_trigger_becomes_a_case_with_planned_steps(client: Any, staff_token: str, rt: Any) -> None:
    response = post(client, staff_token, trigger())
    assert response.status_code == 201, response.json
    body = response.json
    assert body["case_created"] is True
    assert body["district"] == "030101"
    assert body["case_reference"].startswith("OUT-2026-")
    with rt.session() as s:
        rules = sorted(s.scalars(select(Step.rule).where(Step.case_id == body["case_id"])))
        kinds = [e.kind for e in s.scalars(select(Event).where(Event.case_id == body["case_id"]))]
    assert rules == ["copy_bailiff", "letter", "letter_overdue_check"]
    assert kinds[:3] == ["case_opened", "trigger_received", "routed"]


def test_same_idempotency_key_is_accepted_once(client: Any, staff_token: str, rt: Any) -> None:
    doc = trigger(source={"reference": None})
    first = post(client, staff_token, doc, **{"Idempotency-Key": "abc-1"})
    second = post(client, staff_token, doc, **{"Idempotency-Key": "abc-1"})
    assert first.status_code == 201
    assert second.status_code == 200
    assert second.json["duplicate"] is True
    assert second.json["case_id"] == first.json["case_id"]
    assert second.json["trigger_id"] == first.json["trigger_id"]
    assert counts(rt)[0] == 1


def test_same_kind_and_source_reference_is_accepted_once(
    client: Any, staff_token: str, rt: Any
) -> None:
    first = post(client, staff_token, trigger())
    second = post(client, staff_token, trigger(notes="sent again by the bailiff"))
    assert (first.status_code, second.status_code) == (201, 200)
    assert second.json["trigger_id"] == first.json["trigger_id"]
    assert counts(rt)[:2] == (1, 1)


def test_missing_or_bad_token_is_401(client: Any) -> None:
    assert client.post("/api/v1/triggers", json=trigger()).status_code == 401
    response = post(client, "otk_wrong", trigger())
    assert response.status_code == 401
    assert "WWW-Authenticate" in response.headers


def test_system_token_learns_nothing_about_the_person(client: Any, system_token: str) -> None:
    response = post(client, system_token, trigger())
    assert response.status_code == 201
    assert set(response.json) == {"trigger_id", "duplicate", "status"}


def test_system_token_cannot_read_cases(client: Any, system_token: str, staff_token: str) -> None:
    case_id = post(client, staff_token, trigger()).json["case_id"]
    response = client.get(
        f"/api/v1/cases/{case_id}", headers={"Authorization": f"Bearer {system_token}"}
    )
    assert response.status_code == 403


BAD_FIELDS = [
    ({"kind": "eviction"}, ["kind"]),
    ({"received_at": "2026-12-01T10:00:00"}, ["received_at"]),
    ({"received_at": "2099-01-01T10:00:00+01:00"}, ["received_at"]),
    ({"received_at": "2026-12-01T10:06:00+01:00"}, ["received_at"]),  # > 5 min ahead
    ({"received_at": "2025-11-28T10:00:00+01:00"}, ["received_at"]),  # > a year ago
    ({"source": {"org_number": "000000000"}}, ["source", "org_number"]),
    ({"source": {"type": "neighbour"}}, ["source", "type"]),
    ({"source": {"org_number": "123456789"}}, ["source", "org_number"]),
    ({"tenant": {"name": ""}}, ["tenant", "name"]),
    ({"tenant": {"national_id": "12345678901"}}, ["tenant", "national_id"]),
    ({"tenant": {"birth_date": "1988-13-01"}}, ["tenant", "birth_date"]),
    ({"tenant": {"address": {"postal_code": "19"}}}, ["tenant", "address", "postal_code"]),
    ({"tenant": {"address": {"street": ""}}}, ["tenant", "address", "street"]),
    ({"tenant": {"phone": "12"}}, ["tenant", "phone"]),
    ({"tenant": {"email": "not-an-email"}}, ["tenant", "email"]),
    ({"tenant": {"language": "xx-!!"}}, ["tenant", "language"]),
    ({"tenant": {"language": "ar-SY-aaaaaaaa-bbbbbbbb"}}, ["tenant", "language"]),  # too long
    ({"tenant": {"language": "x-private"}}, ["tenant", "language"]),
    ({"household": {"children": [-1]}}, ["household", "children"]),
    ({"household": {"adults": "two"}}, ["household", "adults"]),
    ({"eviction_date": "tomorrow"}, ["eviction_date"]),
    ({"client": {"status": "maybe"}}, ["client", "status"]),
    ({"client": {"district": "030116"}}, ["client", "district"]),
    ({"district": "999999"}, ["district"]),
    ({"arrears_amount": "-5"}, ["arrears_amount"]),
    ({"unexpected": 1}, ["unexpected"]),
]


@pytest.mark.parametrize(
    ("overrides", "path"), BAD_FIELDS, ids=[".".join(p) for _, p in BAD_FIELDS]
)
def test_bad_input_names_the_field_and_writes_nothing(
    client: Any, staff_token: str, rt: Any, overrides: dict[str, Any], path: list[str]
) -> None:
    response = post(client, staff_token, trigger(**overrides))
    assert response.status_code == 422, response.json
    errors = response.json["errors"]
    for key in path:
        assert key in errors, (path, errors)
        errors = errors[key]
    assert counts(rt) == (0, 0, 0, 0)


def test_required_fields_are_named(client: Any, staff_token: str, rt: Any) -> None:
    response = post(client, staff_token, {})
    assert response.status_code == 422
    assert set(response.json["errors"]) == {"kind", "source", "tenant"}


def test_non_json_is_400(client: Any, staff_token: str) -> None:
    response = client.post(
        "/api/v1/triggers", data="kind=x", headers={"Authorization": f"Bearer {staff_token}"}
    )
    assert response.status_code == 400


def test_national_id_is_not_stored_in_clear(client: Any, staff_token: str, rt: Any) -> None:
    from tests.factories import national_id

    nid = national_id(12, 4, 1988)
    assert post(client, staff_token, trigger(tenant={"national_id": nid})).status_code == 201
    with rt.session() as s:
        person = s.scalars(select(Person)).one()
        assert nid.encode() not in (person.national_id_enc or b"")
        assert person.national_id_hmac != nid
        assert rt.protector.decrypt(person.national_id_enc) == nid


def _landlord_warning(org_number: str, tenant_name: str, street: str) -> dict[str, Any]:
    return trigger(
        kind="unpaid_rent_warning",
        source={
            "type": "landlord",
            "name": f"Utleier {org_number}",
            "org_number": org_number,
            "reference": "2024-1",
        },
        tenant={"name": tenant_name, "address": {"street": street}},
        household={"children": []},
    )


def test_two_senders_with_the_same_reference_get_their_own_cases(
    client: Any, staff_token: str, rt: Any
) -> None:
    """Issue 2 audit: the second landlord's "2024-1" was dropped and answered
    with the first landlord's case id (a confidentiality leak)."""
    first = post(client, staff_token, _landlord_warning("974760673", "Ola Hansen", "Tøyengata 2"))
    second = post(client, staff_token, _landlord_warning("923609016", "Kari Berg", "Tøyengata 40"))
    assert (first.status_code, second.status_code) == (201, 201), second.json
    assert second.json["duplicate"] is False
    assert second.json["case_id"] != first.json["case_id"]
    assert counts(rt)[:2] == (2, 2)
    # The same sender sending its reference again is still the same trigger.
    again = post(client, staff_token, _landlord_warning("923609016", "Kari Berg", "Tøyengata 40"))
    assert again.status_code == 200
    assert again.json["case_id"] == second.json["case_id"]


def test_senders_without_org_number_are_told_apart_by_name(
    client: Any, staff_token: str, rt: Any
) -> None:
    first = post(client, staff_token, trigger())
    other = trigger(
        source={"name": "Namsfogden i Asker og Bærum"},
        tenant={"name": "Per Olsen", "address": {"street": "Tøyengata 30"}},
    )
    second = post(client, staff_token, other)
    assert (first.status_code, second.status_code) == (201, 201)
    assert second.json["case_id"] != first.json["case_id"]
    # Case and spacing of the name do not make another sender.
    same = trigger(source={"name": "  oslo   NAMSFOGDKONTOR "})
    assert post(client, staff_token, same).json["trigger_id"] == first.json["trigger_id"]


def test_idempotency_key_belongs_to_its_caller(
    client: Any, staff_token: str, system_token: str, rt: Any
) -> None:
    """Another caller's "k1" is another request, never an answer with its case."""
    from outreach.staff.tokens import issue_token

    with rt.session() as s:
        other_token = issue_token(s, "another feed", None)
    key = {"Idempotency-Key": "k1"}
    mine = post(client, system_token, trigger(source={"reference": None}), **key)
    doc = trigger(
        source={"reference": None},
        tenant={"name": "Per Olsen", "address": {"street": "Tøyengata 30"}},
    )
    theirs = post(client, other_token, doc, **key)
    staff = post(client, staff_token, doc, **key)
    assert (mine.status_code, theirs.status_code, staff.status_code) == (201, 201, 201)
    assert len({mine.json["trigger_id"], theirs.json["trigger_id"], staff.json["trigger_id"]}) == 3
    # Each caller's own retry still answers with its own first result.
    again = post(client, other_token, doc, **key)
    assert again.status_code == 200
    assert again.json["trigger_id"] == theirs.json["trigger_id"]
    assert counts(rt)[0] == 3


def test_same_idempotency_key_with_another_body_is_409(
    client: Any, staff_token: str, rt: Any
) -> None:
    key = {"Idempotency-Key": "abc-2"}
    first = post(client, staff_token, trigger(source={"reference": None}), **key)
    other = trigger(
        source={"reference": None},
        tenant={"name": "Per Olsen", "address": {"street": "Tøyengata 30"}},
    )
    conflict = post(client, staff_token, other, **key)
    assert first.status_code == 201
    assert conflict.status_code == 409, conflict.json
    assert conflict.json["error"] == "idempotency_conflict"
    assert "Idempotency-Key" in conflict.json["errors"]
    assert "case_id" not in conflict.json
    assert counts(rt)[:2] == (1, 1)
    # Key order does not make another body.
    reordered = dict(reversed(list(trigger(source={"reference": None}).items())))
    assert post(client, staff_token, reordered, **key).status_code == 200


def test_received_at_messages_say_what_is_wrong(client: Any, staff_token: str) -> None:
    old = post(client, staff_token, trigger(received_at="2024-06-01T10:00:00+02:00"))
    assert "more than a year in the past" in old.json["errors"]["received_at"][0]
    ahead = post(client, staff_token, trigger(received_at="2026-12-01T11:00:00+01:00"))
    assert "future" in ahead.json["errors"]["received_at"][0]
    skew = post(client, staff_token, trigger(received_at="2026-12-01T10:04:00+01:00"))
    assert skew.status_code == 201, skew.json  # a sender's clock a little ahead is fine


@pytest.mark.parametrize(
    ("tag", "stored"),
    [("ar-SY", "ar-SY"), ("sr-latn", "sr-Latn"), ("pa-Arab-PK", "pa-Arab-PK"), ("fa_AF", "fa-AF")],
)
def test_full_language_tags_are_kept(
    client: Any, staff_token: str, rt: Any, tag: str, stored: str
) -> None:
    response = post(client, staff_token, trigger(tenant={"language": tag}))
    assert response.status_code == 201, response.json
    with rt.session() as s:
        case = s.get(Case, response.json["case_id"])
        assert case is not None and case.person.language == stored


def test_the_letter_is_written_in_the_nearest_catalog(rt: Any) -> None:
    from outreach.jobs.tick import tick
    from outreach.models import Attempt
    from tests.test_jobs import open_case, work

    case_id = open_case(rt, tenant={"language": "fa-AF"})
    tick(rt)
    work(rt)
    with rt.session() as s:
        languages = {
            a.language for a in s.scalars(select(Attempt).where(Attempt.case_id == case_id))
        }
    assert "prs" in languages and "fa-AF" not in languages


def test_a_contact_in_the_future_is_refused(client: Any, staff_token: str, rt: Any) -> None:
    case_id = post(client, staff_token, trigger()).json["case_id"]
    response = client.post(
        f"/api/v1/cases/{case_id}/contacts",
        json={"channel": "phone", "at": "2026-12-02T10:00:00+01:00"},
        headers={"Authorization": f"Bearer {staff_token}"},
    )
    assert response.status_code == 422, response.json
    assert "at" in response.json["errors"]
    with rt.session() as s:
        assert s.get(Case, case_id).ladder_state == "running"
        kinds = set(s.scalars(select(Event.kind).where(Event.case_id == case_id)))
    assert "response_registered" not in kinds


def test_timeline_times_inside_event_data_are_oslo_time(
    client: Any, staff_token: str, rt: Any
) -> None:
    case_id = post(client, staff_token, trigger()).json["case_id"]
    events = client.get(
        f"/api/v1/cases/{case_id}/timeline", headers={"Authorization": f"Bearer {staff_token}"}
    ).json
    planned = [e for e in events if e["event"] == "step_planned" and "due_at" in e]
    assert planned
    for event in planned:
        assert event["due_at"].endswith("+01:00"), event
        assert event["at"].endswith("+01:00")
