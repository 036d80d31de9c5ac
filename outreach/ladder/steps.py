"""The one writer of a step's life: planned, moved, deferred, finished, cancelled.

Every change is a timeline event (STYLE.md habit 4), written the same way
wherever the change starts (the planner, a visit, a flag, the job); a cancel
also tells the channel (``StepCancelled``: a letter waiting in a print batch
is withdrawn).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

from outreach import timeline
from outreach.hooks import StepCancelled
from outreach.models import Case, Step
from outreach.runtime import Runtime
from outreach.vocabulary import STEP_OPEN


def add_step(
    session: Session,
    case_id: int,
    *,
    rule: str,
    key: str,
    channel: str,
    due_at: datetime,
    now: datetime,
    deadline_at: datetime | None = None,
    trigger_id: int | None = None,
    params: dict[str, Any] | None = None,
    **context: Any,
) -> Step:
    """Insert one planned step and its ``step_planned`` event.

    The planner's steps (``replan``) and the ones planned outside it – a visit
    notice, an appointment confirmation – go through here so every step on
    the timeline was announced the same way; ``context`` (a visit or
    appointment id) goes on the event.
    """
    step = Step(
        case_id=case_id,
        trigger_id=trigger_id,
        rule=rule,
        key=key,
        channel=channel,
        due_at=due_at,
        deadline_at=deadline_at,
        status="planned",
        params=params or {},
    )
    session.add(step)
    session.flush()
    timeline.record(
        session,
        case_id,
        "step_planned",
        now,
        channel=channel,
        step_id=step.id,
        rule=rule,
        due_at=due_at.isoformat(),
        **context,
    )
    return step


def pull_earlier(
    session: Session, step: Step, target: datetime, now: datetime, reason: str | None = None
) -> None:
    """Move a planned step to ``target`` if that is sooner; never later."""
    if target >= step.due_at:
        return
    was = step.due_at
    step.due_at = target
    timeline.record(
        session,
        step.case_id,
        "step_rescheduled",
        now,
        channel=step.channel,
        step_id=step.id,
        rule=step.rule,
        due_at=target.isoformat(),
        was=was.isoformat(),
        reason=reason,
    )


def finish_step(step: Step, status: str, now: datetime, detail: str = "") -> None:
    """The one place a step reaches a final status (done, failed, cancelled, skipped)."""
    step.status = status
    step.finished_at = now
    step.lease_until = None
    if detail:
        step.detail = detail


def hold(step: Step) -> None:
    """A letter waits in its print batch: posting the batch ends the step (``done``)."""
    step.status = "waiting"
    step.lease_until = None


def reopen(step: Step, due_at: datetime, *, revived: bool = False) -> None:
    """Hand the step back to the tick at ``due_at`` (a window, a retry after a crash).

    ``revived``: a step cancelled by a pause comes back; a job left from
    before must not run it (``job_generation``).
    """
    step.status = "planned"
    step.due_at = due_at
    step.lease_until = None
    if revived:
        step.finished_at = None
        step.detail = ""
        step.job_generation += 1


def cancel_step(
    session: Session,
    rt: Runtime,
    case: Case,
    step: Step,
    now: datetime,
    reason: str,
    *,
    actor: str | None = None,
    **context: Any,
) -> None:
    """Cancel an open step: its final status, its ``step_cancelled`` event, and the
    channel's clean-up (a letter waiting in a print batch is withdrawn).

    A step already final stays as it is: one cancel, one event.
    """
    if step.status not in STEP_OPEN:
        return
    was = step.status
    finish_step(step, "cancelled", now, reason)
    announce_cancelled(session, rt, case, step, was, now, reason, actor=actor, **context)


def announce_cancelled(
    session: Session,
    rt: Runtime,
    case: Case,
    step: Step,
    was: str,
    now: datetime,
    reason: str,
    *,
    actor: str | None = None,
    **context: Any,
) -> None:
    """Record and publish a cancel already written (the job's conditional UPDATE)."""
    timeline.record(
        session,
        case.id,
        "step_cancelled",
        now,
        channel=step.channel,
        step_id=step.id,
        actor=actor,
        rule=step.rule,
        reason=reason,
        **context,
    )
    rt.hooks.publish(StepCancelled(session, rt, case, step, was, reason, now))


def note_deferral(
    session: Session, case: Case, step: Step, reason: str, due_at: datetime, now: datetime
) -> None:
    """A step moved later (SMS window, pacing) is a ``step_deferred`` event, once per reason.

    Issue 2: nothing is updated in place without an event. A step polled again
    and again for the same reason (pacing every 30 s) records it once; the
    reasons already recorded are kept in ``step.params["deferred_for"]``.
    """
    seen = list((step.params or {}).get("deferred_for", []))
    if reason in seen:
        return
    step.params = {**(step.params or {}), "deferred_for": [*seen, reason]}
    timeline.record(
        session, case.id, "step_deferred", now, channel=step.channel, step_id=step.id,
        rule=step.rule, reason=reason, due_at=due_at.astimezone(UTC).isoformat(),
    )  # fmt: skip
