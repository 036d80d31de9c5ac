"""The district intake gives a case: the first routing, and routing again on a later trigger.

:func:`outreach.intake.routing.route` decides (pure); this module applies the decision to a
case and records it on the timeline. A later trigger moves a case only through the staff
action's forward (``cases.forwarding.assign_district``: tasks, visits and waiting letters
go along), only when it brings facts routing reads, and never once a person has set the
district (issue 2).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from outreach import timeline
from outreach.intake.routing import route
from outreach.models import Case, Event
from outreach.runtime import Runtime


def brings_routing_facts(person_changes: list[str], household_changes: list[str]) -> bool:
    """A later trigger is routed again only when it says something routing reads.

    The district a sender names is not such a fact: it says where the sender
    is, and a case with a district moves by the circular's rules (a client
    file elsewhere, a new address) or by staff's forward, never by who sent
    the next notice (issue 13, item 2).
    """
    return bool({"client_status", "client_district"} & set(household_changes)) or (
        "address" in person_changes
    )


def _staff_overridden(session: Session, case: Case) -> bool:
    """Did a person set the district? (``cases.assign_district``, method staff_override)."""
    events = session.scalars(
        select(Event).where(Event.case_id == case.id, Event.kind.in_(("forwarded", "routed")))
    )
    return any((event.data or {}).get("method") == "staff_override" for event in events)


def reroute(
    session: Session,
    rt: Runtime,
    case: Case,
    household_changes: list[str],
    at: datetime,
) -> None:
    """The circular's forwarding rules again, for a case that already has a district.

    An active client case elsewhere learned from a second trigger is forwarded
    «umiddelbart» (seeds/000), as on the first. The forward is the staff
    action's (``cases.assign_district``: tasks, visits and waiting letters go
    along), recorded with the rule's method. A staff override always wins
    (issue 2): once a person has set the district, triggers never move it.
    """
    if _staff_overridden(session, case):
        return
    person = case.person
    decision = route(
        given_district=None,  # who sent the notice does not route it (see above)
        street=person.street,
        postal_code=person.postal_code,
        client_status=case.client_status,
        client_district=case.client_district,
        received_by=case.district_code,
    )
    if {"client_status", "client_district"} & set(household_changes):
        for forward in decision.forwards:
            if forward.event == "client_file_transfer":
                timeline.record(
                    session, case.id, forward.event, at, from_district=forward.from_district,
                    to_district=forward.to_district, reason=forward.reason,
                )  # fmt: skip
    if decision.district is None or decision.district == case.district_code:
        return
    from outreach.cases.forwarding import assign_district

    reason = next(
        (f.reason for f in decision.forwards if f.event == "forwarded"),
        "district given in the trigger",
    )
    session.flush()
    assign_district(
        session, rt, case, district=decision.district, reason=reason, method=decision.method
    )


def route_case(
    session: Session,
    case: Case,
    data: dict[str, Any],
    at: datetime,
    received_by: str | None,
) -> None:
    """Route a case that has no district yet (a new case, or one intake could not place)."""
    client = data.get("client") or {}
    decision = route(
        given_district=data.get("district"),
        street=data["tenant"]["address"]["street"],
        postal_code=data["tenant"]["address"]["postal_code"],
        client_status=client.get("status") or "none",
        client_district=client.get("district"),
        received_by=received_by,
    )
    case.district_code = decision.district
    for forward in decision.forwards:
        timeline.record(
            session,
            case.id,
            forward.event,
            at,
            from_district=forward.from_district,
            to_district=forward.to_district,
            reason=forward.reason,
        )
    if decision.district is None:
        timeline.record(session, case.id, "unrouted", at, reason="no district given or found")
    else:
        timeline.record(
            session,
            case.id,
            "routed",
            at,
            district=decision.district,
            method=decision.method,
        )
