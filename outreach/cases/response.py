"""A response stops the ladder; a close stops everything.

The only writer of a registered response (issue 2: any contact from the
tenant stops the ladder at once). Cancelled tasks are announced
(``TasksCancelled``) so a booked visit behind one is cancelled by its channel.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from outreach import timeline
from outreach.cases import followups
from outreach.cases.errors import CaseActionError
from outreach.hooks import TasksCancelled
from outreach.ladder import cancel
from outreach.models import Case, Task
from outreach.runtime import Runtime

CONTACT_CHANNELS = (
    "phone",
    "sms_reply",
    "visit",
    "walk_in",
    "appointment",
    "letter",
    "email",
    "booking",
    "other",
)


CLOSE_OUTCOMES = (
    "paid",
    "payment_plan",
    "rent_covered_by_nav",
    "moved",
    "evicted",
    "withdrawn",
    "other",
)


def _cancel_open_tasks(
    session: Session,
    rt: Runtime,
    case: Case,
    now: datetime,
    reason: str,
    kinds: tuple[str, ...] | None,
) -> None:
    """Cancel the tasks; a channel behind one (a booked visit) cleans up on the event."""
    query = select(Task).where(Task.case_id == case.id, Task.status == "open")
    if kinds is not None:
        query = query.where(Task.kind.in_(kinds))
    tasks = tuple(session.scalars(query))
    for task in tasks:
        task.status = "cancelled"
        task.completed_at = now
        task.outcome = "cancelled"
        timeline.record(
            session,
            case.id,
            "task_cancelled",
            now,
            task_id=task.id,
            task_kind=task.kind,
            reason=reason,
        )
    if tasks:
        rt.hooks.publish(TasksCancelled(session, rt, case, tasks, reason, now))


def register_response(
    session: Session,
    rt: Runtime,
    case: Case,
    *,
    channel: str,
    at: datetime | None = None,
    note: str = "",
    actor: str | None = None,
    task_id: int | None = None,
) -> int:
    """Any contact from the tenant stops the ladder at once (issue 2).

    ``task_id`` is the phone or visit task through which staff reached the tenant:
    the reach figures (issue 15) tell a call NAV made from one the tenant made.

    Returns how many pending steps were cancelled. The contact attempts'
    tasks (calls, visits) go too; assessments and reviews stay, since a
    person still has to decide them.
    """
    if channel not in CONTACT_CHANNELS:
        raise CaseActionError(f"Must be one of: {', '.join(CONTACT_CHANNELS)}.", "channel")
    if case.status == "closed":
        raise CaseActionError("The case is closed.")
    now = rt.now()
    if at is not None and at > now + timedelta(minutes=5):
        # A contact that has not happened yet cannot stop the ladder now.
        raise CaseActionError("The contact cannot lie in the future.", "at")
    at = at or now
    timeline.record(
        session,
        case.id,
        "response_registered",
        at,
        channel=channel,
        actor=actor,
        note=note or None,
        round=case.ladder_round,
        task_id=task_id,
    )
    case.last_response_at = at
    case.ladder_state = "responded"
    cancelled = cancel.cancel_pending(session, rt, case, now, "tenant responded", actor=actor)
    _cancel_open_tasks(session, rt, case, now, "tenant responded", ("phone_call", "home_visit"))
    return cancelled


def close_case(
    session: Session,
    rt: Runtime,
    case: Case,
    *,
    outcome: str,
    note: str = "",
    actor: str | None = None,
) -> int:
    if outcome not in CLOSE_OUTCOMES:
        raise CaseActionError(f"Must be one of: {', '.join(CLOSE_OUTCOMES)}.", "outcome")
    if case.status == "closed":
        raise CaseActionError("The case is already closed.")
    now = rt.now()
    cancelled = end_case(session, rt, case, now, outcome=outcome, reason="case closed", actor=actor)
    timeline.record(
        session, case.id, "case_closed", now, actor=actor, outcome=outcome, note=note or None
    )
    return cancelled


def end_case(
    session: Session,
    rt: Runtime,
    case: Case,
    now: datetime,
    *,
    outcome: str,
    reason: str,
    actor: str | None,
) -> int:
    """The one way a case closes (a close, a merge): nothing of it stays open behind it.

    Pending steps and open tasks are cancelled and the measures that belonged to
    the open case are settled (``followups.settle_on_close``), so no item of a
    closed case later shows as overdue. The caller writes its own event.
    """
    cancelled = cancel.cancel_pending(session, rt, case, now, reason, everything=True, actor=actor)
    _cancel_open_tasks(session, rt, case, now, reason, None)
    followups.settle_on_close(session, case, now, reason, actor)
    case.status = "closed"
    case.closed_at = now
    case.outcome = outcome
    case.ladder_state = "stopped"
    return cancelled
