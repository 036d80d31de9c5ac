"""An eviction reported carried out cancels a home visit already booked at the
old address (seeds/000 «gjennomført utkastelse»: a review, not a visit)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from outreach.intake.accept import accept_trigger
from outreach.intake.schema import load_trigger
from outreach.jobs.tick import tick
from outreach.models import Event, Step, Task
from outreach.models.visits import HomeVisit
from tests.factories import trigger
from tests.test_jobs import work
from tests.test_visits import _ics, _vevent
from tests.test_visits_support import (
    open_case,
    outbox,
    run,
    step_of,
    team_member,
    visit_step_due,
)

BOLIGBYGG = "874778702"
BOLIGBYGG_SOURCE = {
    "type": "municipal_landlord",
    "name": "Boligbygg Oslo KF",
    "org_number": BOLIGBYGG,
}


def test_a_booked_visit_is_cancelled_when_the_eviction_is_carried_out(rt: Any, clock: Any) -> None:
    team_member(rt, "ole")
    team_member(rt, "sara")
    # The petition names Boligbygg as the landlord: its notice counts (intake.trust).
    case_id = open_case(
        rt, counterpart={"role": "landlord", "name": "Boligbygg Oslo KF", "org_number": BOLIGBYGG}
    )
    assert run(rt, visit_step_due(rt, clock, case_id).id).result == "done"
    with rt.session() as session:
        (visit,) = session.scalars(select(HomeVisit).where(HomeVisit.case_id == case_id))
        visit_id, task_id = visit.id, visit.task_id
    notice = step_of(rt, case_id, "visit_notice")
    invitations = len(outbox(rt, "home_visit"))
    done = trigger(
        kind="eviction_completed",
        received_at=clock().isoformat(),
        eviction_date=clock().date().isoformat(),
        source=BOLIGBYGG_SOURCE | {"reference": "B-9"},
    )
    # Another landlord's report first (issue 13, item 1): held for staff, the visit stays.
    stranger = trigger(
        kind="eviction_completed",
        received_at=clock().isoformat(),
        eviction_date=clock().date().isoformat(),
        source={"type": "landlord", "name": "Annen Utleier AS", "org_number": "921184530",
                "reference": "S-1"},
    )  # fmt: skip
    with rt.session() as session:
        held = accept_trigger(session, rt, load_trigger(stranger, now=rt.now()))
    assert held.case_id == case_id and held.held
    tick(rt)
    work(rt)
    with rt.session() as session:
        assert session.get(HomeVisit, visit_id).status != "cancelled"
    with rt.session() as session:
        result = accept_trigger(session, rt, load_trigger(done, now=rt.now()))
    assert result.case_id == case_id and not result.held
    tick(rt)
    work(rt)
    with rt.session() as session:
        visit = session.get(HomeVisit, visit_id)
        assert visit is not None and visit.status == "cancelled"
        assert visit.cancel_reason == "no longer applies: not_evicted"
        task = session.get(Task, task_id)
        assert task is not None and task.status == "cancelled"
        assert session.get(Step, notice.id).status == "cancelled"  # the tenant is not told
        kinds = list(session.scalars(select(Event.kind).where(Event.case_id == case_id)))
    assert "visit_cancelled" in kinds
    # The pair get the calendar CANCEL.
    messages = outbox(rt, "home_visit")
    assert len(messages) == invitations + 1
    cal = _ics(messages[-1])
    assert str(cal["METHOD"]) == "CANCEL"
    assert str(_vevent(cal)["STATUS"]) == "CANCELLED"
