"""The one-week clock when no print batch posts the letter (issue 2 audit).

A protected address gets a manual-letter task instead of an automatic letter;
staff marking it done is the "letter sent" that starts the clock. Until then,
and for a letter that cannot be posted, the clock runs from the deadline.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select

from outreach.cases.tasks import record_outcome
from outreach.models import Case, Event, Task
from tests.test_visits_support import open_case, oslo, run, step_of


def test_manual_letter_done_is_the_letter_sent_and_starts_the_clock(rt: Any, clock: Any) -> None:
    case_id = open_case(rt, tenant={"protected_address": True})  # Tue 1 Dec 10:00
    # Before staff act, the clock counts from the deadline (Fri 4 Dec 10:00).
    assert step_of(rt, case_id, "sms").due_at == oslo(2026, 12, 11, 10, 0)
    step = step_of(rt, case_id, "manual_letter")
    run(rt, step.id)
    clock.set(oslo(2026, 12, 2, 11, 0))
    with rt.session() as session:
        task = session.scalars(select(Task).where(Task.step_id == step.id)).one()
        record_outcome(session, rt, task, outcome="done", actor="kari")
        session.commit()
    with rt.session() as session:
        case = session.get(Case, case_id)
        assert case is not None and case.letter_sent_at == oslo(2026, 12, 2, 11, 0)
        event = session.scalars(
            select(Event).where(Event.case_id == case_id, Event.kind == "letter_sent")
        ).one()
        assert event.actor == "kari" and event.data["manual"] is True
    sent = oslo(2026, 12, 2, 11, 0)
    assert step_of(rt, case_id, "sms").due_at == sent + timedelta(days=7)
    assert step_of(rt, case_id, "phone_task").due_at == sent + timedelta(days=7)


def test_overdue_check_counts_an_open_manual_letter(rt: Any, clock: Any) -> None:
    case_id = open_case(rt, tenant={"protected_address": True})
    run(rt, step_of(rt, case_id, "manual_letter").id)
    check = step_of(rt, case_id, "letter_overdue_check")
    clock.set(check.due_at)
    run(rt, check.id)
    with rt.session() as session:
        kinds = list(session.scalars(select(Event.kind).where(Event.case_id == case_id)))
    assert "letter_overdue" in kinds


def test_a_letter_that_cannot_be_posted_anchors_the_clock_at_its_deadline(
    rt: Any, clock: Any
) -> None:
    """A letter blocked before printing (missing contact person: printing._block
    sets the step 'failed') never gets a posting time; at the deadline the
    overdue check alerts and the SMS and call follow a week later."""
    from outreach.models import Step

    case_id = open_case(rt)
    letter = step_of(rt, case_id, "letter")
    run(rt, letter.id)
    with rt.session() as session:
        row = session.get(Step, letter.id)
        assert row is not None
        row.status, row.detail = "failed", "missing_contact_person"
        session.commit()
    with rt.session() as session:
        assert session.scalar(select(Step.id).where(Step.rule == "sms")) is None
    check = step_of(rt, case_id, "letter_overdue_check")
    clock.set(check.due_at)  # Fri 4 Dec 10:00, the letter's deadline
    run(rt, check.id)
    with rt.session() as session:
        kinds = list(session.scalars(select(Event.kind).where(Event.case_id == case_id)))
    assert "letter_overdue" in kinds
    assert step_of(rt, case_id, "sms").due_at == oslo(2026, 12, 11, 10, 0)
    assert step_of(rt, case_id, "phone_task").due_at == oslo(2026, 12, 11, 10, 0)
