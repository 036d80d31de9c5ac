"""Pausing and resuming a case's ladder: staff stop it for a while, with a reason.

The state change and its timeline event in the caller's transaction (STYLE.md
habit 4); the paused steps' ids go on the ``ladder_paused`` event, so resuming
brings back exactly those (not before now), then the plan fills the gaps.

A pause stops contact attempts (SMS, calls, visits), never a legal deadline: the
letter within three working days and its overdue check go on, also for a notice
that arrives during the pause, and that notice is put in front of the caseworker
at once (issue 12, item 11).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from outreach import timeline
from outreach.cases.errors import CaseActionError
from outreach.cases.tasks import new_task
from outreach.ladder import cancel, planning, steps
from outreach.models import Case, Event, Step, Task, User
from outreach.runtime import Runtime
from outreach.vocabulary import STEP_OPEN


def pause_ladder(session: Session, rt: Runtime, case: Case, *, reason: str, actor: User) -> int:
    """Stop the contact ladder for now (a guardian is handling it, a hospital stay...).

    Contact steps are cancelled like on a response; a notice's legal deadline
    (the letter, its copies, the overdue check: ``Rule.legal_deadline``) stays.
    Resuming brings back every step the pause cancelled.
    Returns how many steps were paused.
    """
    if case.status != "open":
        raise CaseActionError("Only an open case can be paused.", "reason")
    if len(reason.strip()) < 5:
        raise CaseActionError("Write why the ladder is paused.", "reason")
    now = rt.now()
    before = {
        s.id
        for s in session.scalars(
            select(Step).where(Step.case_id == case.id, Step.status.in_(STEP_OPEN))
        )
    }
    count = cancel.cancel_pending(
        session, rt, case, now, "ladder paused", actor=actor.username, keep_deadlines=True
    )
    paused = (
        sorted(
            s.id
            for s in session.scalars(
                select(Step).where(Step.id.in_(before), Step.status == "cancelled")
            )
        )
        if before
        else []
    )
    case.status = "paused"
    timeline.record(
        session,
        case.id,
        "ladder_paused",
        now,
        actor=actor.username,
        reason=reason.strip(),
        step_ids=paused,
    )
    return count


def resume_ladder(session: Session, rt: Runtime, case: Case, *, actor: User) -> int:
    """Start again: the paused steps come back (not before now), then the plan fills gaps."""
    if case.status != "paused":
        raise CaseActionError("The ladder is not paused.", "reason")
    now = rt.now()
    case.status = "open"
    revived = 0
    last_pause = session.scalar(
        select(Event)
        .where(Event.case_id == case.id, Event.kind == "ladder_paused")
        .order_by(Event.at.desc(), Event.id.desc())
        .limit(1)
    )
    step_ids = (last_pause.data or {}).get("step_ids", []) if last_pause is not None else []
    # Plan first (new notices that came during the pause), then bring the
    # paused steps back: replan would otherwise pull them back to their old,
    # past due times.
    planning.replan(session, rt, case, now)
    if case.ladder_state == "running" and step_ids:
        for step in session.scalars(
            select(Step).where(Step.id.in_(step_ids), Step.status == "cancelled")
        ):
            steps.reopen(step, max(step.due_at, now), revived=True)
            revived += 1
    timeline.record(session, case.id, "ladder_resumed", now, actor=actor.username, revived=revived)
    return revived


#: The task that puts a notice received during a pause in front of the caseworker.
NOTICE_WHILE_PAUSED = "notice_while_paused"
NOTICE_WHILE_PAUSED_TITLE = "Ny melding mens saken er satt på pause – vurder om pausen skal vare"


def notice_while_paused(
    session: Session, rt: Runtime, case: Case, trigger_id: int, at: datetime
) -> Task | None:
    """A notice on a paused case is the caseworker's to see at once, not at the resume.

    Its letter and overdue check are planned as on an open case (``replan``);
    whether the pause should last – a new petition may mean it should not – is a
    person's decision: a task due now for the case's caseworker, else the
    district's (or central intake's) pool.
    """
    if case.status != "paused":
        return None
    task = new_task(
        session, rt, case, None, kind=NOTICE_WHILE_PAUSED, title=NOTICE_WHILE_PAUSED_TITLE,
        assignee_role="caseworker", due_at=at,
    )  # fmt: skip
    timeline.record(
        session, case.id, "task_created", at, task_id=task.id, task_kind=task.kind,
        assignee_role=task.assignee_role, trigger_id=trigger_id,
    )  # fmt: skip
    return task
