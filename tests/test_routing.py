"""Routing on every trigger (issue 2, seeds/000 «Henvendelsen blir mottatt»).

The circular's forwarding rules apply whenever a trigger brings new client
facts, not only when the case is opened; a staff override always wins; an
address that cannot be placed goes to the central unrouted queue.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from outreach.cases import forwarding as cases_forwarding
from outreach.intake.accept import accept_trigger
from outreach.intake.routing import route
from outreach.intake.schema import load_trigger
from outreach.models import Case, Event, Task
from tests.factories import national_id, trigger

NID = national_id(12, 4, 1988)
UNKNOWN = {"street": "Ukjentveien 999", "postal_code": "0190", "city": "Oslo"}


def accept(rt: Any, doc: dict[str, Any], **kwargs: Any) -> Any:
    with rt.session() as session:
        return accept_trigger(session, rt, load_trigger(doc, now=rt.now()), **kwargs)


def events(rt: Any, case_id: int, kind: str | None = None) -> list[Event]:
    with rt.session() as session:
        query = select(Event).where(Event.case_id == case_id).order_by(Event.id)
        if kind:
            query = query.where(Event.kind == kind)
        found = list(session.scalars(query))
        session.expunge_all()
        return found


def first_and_second(**second: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    first = trigger(
        kind="unpaid_rent_warning",
        source={"type": "landlord", "name": "Boligbygg", "reference": "R-1"},
        tenant={"national_id": NID},
    )
    later = trigger(tenant={"national_id": NID}, **second)
    return first, later


# -- the pure decision -----------------------------------------------------------------


def test_passive_case_with_unplaceable_address_goes_to_the_client_office() -> None:
    decision = route(
        given_district=None,
        street=UNKNOWN["street"],
        postal_code=UNKNOWN["postal_code"],
        client_status="passive",
        client_district="030105",
        received_by=None,
    )
    assert (decision.district, decision.method) == ("030105", "client_passive")


def test_staff_sender_with_unplaceable_address_leaves_it_unrouted() -> None:
    decision = route(
        given_district=None,
        street=UNKNOWN["street"],
        postal_code=UNKNOWN["postal_code"],
        client_status="none",
        client_district=None,
        received_by="030101",
    )
    assert (decision.district, decision.method, decision.forwards) == (None, "unrouted", ())


def test_the_active_client_office_keeps_a_case_with_an_address_elsewhere() -> None:
    decision = route(
        given_district=None,
        street="Tøyengata 12",
        postal_code="0190",
        client_status="active",
        client_district="030105",
        received_by="030105",
    )
    assert (decision.district, decision.method, decision.forwards) == (
        "030105",
        "client_active",
        (),
    )


# -- through intake ---------------------------------------------------------------------


def test_staff_token_with_unplaceable_address_goes_to_the_unrouted_queue(
    client: Any, staff_token: str, rt: Any
) -> None:
    response = client.post(
        "/api/v1/triggers",
        json=trigger(tenant={"address": UNKNOWN}),
        headers={"Authorization": f"Bearer {staff_token}"},
    )
    assert response.status_code == 201, response.json
    assert response.json["district"] is None
    assert [e.kind for e in events(rt, response.json["case_id"], "unrouted")] == ["unrouted"]


def test_staff_token_with_a_named_district_keeps_it(client: Any, staff_token: str, rt: Any) -> None:
    response = client.post(
        "/api/v1/triggers",
        json=trigger(tenant={"address": UNKNOWN}, district="030104"),
        headers={"Authorization": f"Bearer {staff_token}"},
    )
    assert response.status_code == 201, response.json
    assert response.json["district"] == "030104"


def test_second_trigger_with_active_client_elsewhere_forwards_at_once(rt: Any) -> None:
    first, second = first_and_second(client={"status": "active", "district": "030105"})
    opened = accept(rt, first)
    assert opened.district == "030101"
    with rt.session() as session:
        query = select(Task.id).where(Task.case_id == opened.case_id)
        task_ids = list(session.scalars(query))
    result = accept(rt, second)
    assert result.case_id == opened.case_id and result.district == "030105"
    forwards = events(rt, opened.case_id, "forwarded")
    assert len(forwards) == 1
    data = forwards[0].data
    assert (data["from_district"], data["to_district"], data["method"]) == (
        "030101",
        "030105",
        "client_active",
    )
    assert forwards[0].actor is None  # the rule's, not a person's
    with rt.session() as session:
        assert session.get(Case, opened.case_id).district_code == "030105"
        # assign_district moved the open tasks (the assessment task is new in 030105)
        for task in session.scalars(select(Task).where(Task.id.in_(task_ids))):
            if task.status == "open":
                assert task.district_code == "030105"


def test_the_same_facts_again_forward_nothing(rt: Any) -> None:
    first, second = first_and_second(client={"status": "active", "district": "030105"})
    accept(rt, first)
    result = accept(rt, second)
    third = trigger(
        kind="eviction_scheduled",
        source={"type": "municipal_landlord", "name": "Boligbygg", "reference": "S-1"},
        tenant={"national_id": NID},
        client={"status": "active", "district": "030105"},
    )
    accept(rt, third)
    assert len(events(rt, result.case_id, "forwarded")) == 1


def test_a_staff_override_is_never_undone_by_a_trigger(rt: Any) -> None:
    first, second = first_and_second(client={"status": "active", "district": "030105"})
    opened = accept(rt, first)
    with rt.session() as session:
        case = session.get(Case, opened.case_id)
        cases_forwarding.assign_district(
            session, rt, case, district="030102", reason="Avtalt med Grünerløkka", actor="lead"
        )
        session.commit()
    result = accept(rt, second)
    assert result.district == "030102"
    assert [e.data["method"] for e in events(rt, opened.case_id, "forwarded")] == ["staff_override"]


def test_a_new_address_in_another_district_forwards_the_case(rt: Any) -> None:
    first, _ = first_and_second()
    opened = accept(rt, first)
    moved = trigger(
        tenant={
            "national_id": NID,
            "address": {"street": "Thorvald Meyers gate 50", "postal_code": "0555"},
        }
    )
    result = accept(rt, moved)
    forwards = events(rt, opened.case_id, "forwarded")
    assert result.district == forwards[0].data["to_district"] != "030101"
    assert forwards[0].data["method"] == "address"


# -- nothing changes in place without an event -----------------------------------------


def test_changed_contact_details_and_household_are_events_naming_fields(rt: Any) -> None:
    first, _ = first_and_second()
    opened = accept(rt, first)
    second = trigger(
        tenant={"national_id": NID, "phone": "+4790000001", "email": "amina@example.org"},
        household={"children": [4, 9, 1]},
        eviction_date="2027-01-20",
    )
    accept(rt, second)
    person = events(rt, opened.case_id, "person_updated")
    household = events(rt, opened.case_id, "household_updated")
    assert len(person) == 1 and len(household) == 1
    assert sorted(person[0].data["fields"]) == ["email", "phone"]
    assert sorted(household[0].data["fields"]) == ["children", "eviction_date"]
    text = repr(person[0].data) + repr(household[0].data)
    assert "+4790000001" not in text and "amina@" not in text
    # The bailiff's new date is a fact of the case, not of the person: the event
    # carries it (issue 12, item 4), and the date it replaced.
    assert household[0].data["eviction_date"] == "2027-01-20"


def test_the_same_details_again_are_no_event(rt: Any) -> None:
    first, _ = first_and_second()
    opened = accept(rt, first)
    again = dict(first, source={"type": "landlord", "name": "Boligbygg", "reference": "R-2"})
    accept(rt, again)
    assert events(rt, opened.case_id, "person_updated") == []
    assert events(rt, opened.case_id, "household_updated") == []
