"""Telling the tenant about a home visit (issue 4): who cannot be told is on the
timeline for staff; a cancelled visit the tenant was told of is followed by a
neutral SMS that it is off; a notice delayed past its use is never sent."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from outreach.models import Case, Event, Step
from outreach.models.visits import HomeVisit
from outreach.reach.visit import actions
from tests.test_visits_support import (
    open_case,
    oslo,
    outbox,
    run,
    step_of,
    team_member,
    visit_step_due,
)


@pytest.fixture
def pair(rt: Any) -> list[int]:
    return [team_member(rt, "ole"), team_member(rt, "sara")]


def _events(rt: Any, case_id: int, kind: str) -> list[Event]:
    with rt.session() as session:
        return list(
            session.scalars(
                select(Event).where(Event.case_id == case_id, Event.kind == kind).order_by(Event.id)
            )
        )


def _visit(rt: Any, case_id: int) -> HomeVisit:
    with rt.session() as session:
        return session.scalars(select(HomeVisit).where(HomeVisit.case_id == case_id)).one()


def _cancel(rt: Any, visit_id: int) -> None:
    with rt.session() as session:
        actions.cancel_visit(session, rt, session.get(HomeVisit, visit_id), reason="Syk")


def _told(rt: Any, clock: Any, case_id: int) -> HomeVisit:
    """The visit is booked (Mon 14 Dec 10:00) and its notice sent on Fri 11 Dec 09:00."""
    run(rt, visit_step_due(rt, clock, case_id).id)
    clock.set(oslo(2026, 12, 11, 9, 0))
    assert run(rt, step_of(rt, case_id, "visit_notice").id).result == "done"
    return _visit(rt, case_id)


def test_a_tenant_without_a_mobile_is_shown_as_not_told(
    rt: Any, clock: Any, pair: list[int]
) -> None:
    case_id = open_case(rt, tenant={"phone": "+4722222222"})  # a landline
    run(rt, visit_step_due(rt, clock, case_id).id)
    [event] = _events(rt, case_id, "visit_tenant_not_told")
    assert event.data == {
        "visit_id": _visit(rt, case_id).id,
        "notice": "visit_notice",
        "reason": "not a mobile number",
    }


def test_a_cancelled_visit_the_tenant_was_told_of_is_followed_by_an_sms(
    rt: Any, clock: Any, pair: list[int]
) -> None:
    case_id = open_case(rt)
    visit = _told(rt, clock, case_id)
    sent = len(outbox(rt, "sms"))
    clock.set(oslo(2026, 12, 11, 12, 0))
    _cancel(rt, visit.id)
    [cancelled] = _events(rt, case_id, "visit_cancelled")
    assert cancelled.data["tenant_was_notified"] is True
    assert cancelled.data["tenant_notice"] == "planned"
    off = step_of(rt, case_id, "visit_cancelled_notice")
    assert off.params["when"].startswith("2026-12-14T10:00")
    assert run(rt, off.id).result == "done"
    [sms] = outbox(rt, "sms")[sent:]
    assert "10:00" in sms["body"] and "14" in sms["body"]
    assert "Besøket vi hadde planlagt" in sms["body"]
    for word in ("utkast", "husleie", "http"):
        assert word not in sms["body"].lower()


def test_a_cancelled_visit_nobody_was_told_of_needs_no_sms(
    rt: Any, clock: Any, pair: list[int]
) -> None:
    case_id = open_case(rt)
    run(rt, visit_step_due(rt, clock, case_id).id)  # the notice is not sent yet
    _cancel(rt, _visit(rt, case_id).id)
    with rt.session() as session:
        rules = set(session.scalars(select(Step.rule).where(Step.case_id == case_id)))
    assert "visit_cancelled_notice" not in rules
    assert step_of(rt, case_id, "visit_notice").status == "cancelled"


def test_opted_out_after_the_notice_is_shown_as_not_told_of_the_cancellation(
    rt: Any, clock: Any, pair: list[int]
) -> None:
    case_id = open_case(rt)
    visit = _told(rt, clock, case_id)
    with rt.session() as session:
        session.get(Case, case_id).person.sms_opted_out_at = clock()
    _cancel(rt, visit.id)
    [event] = _events(rt, case_id, "visit_tenant_not_told")
    assert (event.data["notice"], event.data["reason"]) == (
        "visit_cancelled_notice",
        "opted out of SMS",
    )


def test_a_notice_delayed_until_the_visit_is_never_sent(
    rt: Any, clock: Any, pair: list[int]
) -> None:
    case_id = open_case(rt)
    run(rt, visit_step_due(rt, clock, case_id).id)
    notice = step_of(rt, case_id, "visit_notice")
    sent = len(outbox(rt, "sms"))
    # Retries and the SMS window pushed it to the morning of the visit (10:00).
    clock.set(oslo(2026, 12, 14, 9, 30))
    assert run(rt, notice.id).result == "cancelled"
    assert len(outbox(rt, "sms")) == sent
    with rt.session() as session:
        step = session.get(Step, notice.id)
        assert step.status == "cancelled" and step.detail.startswith("too late")
    [event] = [e for e in _events(rt, case_id, "step_cancelled") if e.step_id == notice.id]
    assert event.data["reason"].startswith("too late")


def test_a_cancellation_sms_after_the_visit_time_is_never_sent(
    rt: Any, clock: Any, pair: list[int]
) -> None:
    case_id = open_case(rt)
    visit = _told(rt, clock, case_id)
    clock.set(oslo(2026, 12, 11, 16, 55))
    _cancel(rt, visit.id)
    off = step_of(rt, case_id, "visit_cancelled_notice")
    sent = len(outbox(rt, "sms"))
    clock.set(oslo(2026, 12, 14, 10, 0))  # the window opened only after the old time
    assert run(rt, off.id).result == "cancelled"
    assert len(outbox(rt, "sms")) == sent


def test_a_response_that_cancels_the_visit_still_tells_the_tenant_it_is_off(
    rt: Any, clock: Any, pair: list[int]
) -> None:
    """The response cancels the visit from inside a flush; the SMS step is written at commit."""
    from outreach.cases.response import register_response

    case_id = open_case(rt)
    _told(rt, clock, case_id)
    with rt.session() as session:
        case = session.get(Case, case_id)
        register_response(session, rt, case, channel="phone", at=clock(), note="Ringte inn.")
    assert _visit(rt, case_id).status == "cancelled"
    off = step_of(rt, case_id, "visit_cancelled_notice")
    assert off.status == "planned"
    assert run(rt, off.id).result == "done"  # not stopped by the response
