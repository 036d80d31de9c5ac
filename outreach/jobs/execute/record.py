"""Step 4: the attempt's status, the step's end, its event and what follows, in one transaction.

Nothing here overwrites a final step status: a response that cancels the step
while the channel is called keeps it ``cancelled`` (conditional UPDATEs).
An attempt whose outcome cannot be told (an ambiguous send) is polled with
backoff until ``SETTLE_FOR`` after it, then left ``unknown`` (a late receipt
still settles it) and the ladder moves on as after a failure.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from channels.base import Delivery
from outreach import timeline
from outreach.attempts import mark_unknown, settled_status
from outreach.jobs.execute.outcome import BACKOFF, SETTLE_FOR, Outcome
from outreach.ladder import planning
from outreach.ladder import steps as ladder_steps
from outreach.models import Attempt, AttemptStatus, Case, Step
from outreach.policy import Rule
from outreach.reach.registry import handler_for
from outreach.runtime import Runtime

log = logging.getLogger(__name__)


def end_step(session: Session, step: Step, status: str, now: datetime, detail: str = "") -> bool:
    """Finish the step only if it is still ``running``: never overwrite a final status.

    A response may have cancelled the step (``cancel.cancel_pending``) while
    the channel was called; the conditional UPDATE keeps ``cancelled``.
    """
    values: dict[str, Any] = {"status": status, "finished_at": now, "lease_until": None}
    if detail:
        values["detail"] = detail
    return _if_running(session, step, values)


def hand_back(session: Session, step: Step, due_at: datetime, **params: Any) -> bool:
    """Hand a still-running step back to the tick at ``due_at``."""
    values: dict[str, Any] = {"status": "planned", "due_at": due_at, "lease_until": None}
    if params:
        values["params"] = {**(step.params or {}), **params}
    return _if_running(session, step, values)


def _if_running(session: Session, step: Step, values: dict[str, Any]) -> bool:
    """Write ``values`` only while the step is still ours (``running``); True if it was."""
    session.flush()
    result = session.execute(
        update(Step)
        .where(Step.id == step.id, Step.status == "running")
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    session.refresh(step)
    return bool(getattr(result, "rowcount", 0))


def may_send(
    session: Session, rt: Runtime, case: Case, step: Step, rule: Rule, now: datetime
) -> bool:
    """Re-check, in the transaction that writes the attempt, that we may still send.

    The job read the case before pacing (which may sleep); a response or a
    close in between cancels the step (``cancel.cancel_pending``). The step
    row is updated conditionally (it locks the row on PostgreSQL until the
    attempt is committed) and the case is read again from the database.
    """
    session.flush()
    result = session.execute(
        update(Step)
        .where(Step.id == step.id, Step.status == "running")
        .values(lease_until=Step.lease_until)  # a no-op write: it takes the row lock
        .execution_options(synchronize_session=False)
    )
    if not getattr(result, "rowcount", 0):
        session.refresh(step)
        log.info("step %s is %s: not sent", step.id, step.status)
        return False
    status, ladder_state = session.execute(
        select(Case.status, Case.ladder_state).where(Case.id == case.id)
    ).one()
    if status == "closed" or (rule.stops_on_response and ladder_state != "running"):
        reason = "case closed" if status == "closed" else "tenant responded"
        if end_step(session, step, "cancelled", now, reason):
            ladder_steps.announce_cancelled(session, rt, case, step, "running", now, reason)
        return False
    return True


def record_sent(
    session: Session,
    rt: Runtime,
    case: Case,
    step: Step,
    rule: Rule,
    attempt: Attempt,
    delivery: Delivery,
    now: datetime,
) -> Outcome:
    # A status callback may have beaten this commit: never move backwards.
    attempt.status = settled_status(session, attempt.id, delivery.status)
    attempt.provider_ref = delivery.provider_ref or attempt.provider_ref
    if delivery.segments is not None or attempt.segments is None:
        attempt.segments = delivery.segments
    attempt.updated_at = now
    session.add(
        AttemptStatus(attempt_id=attempt.id, status=delivery.status, at=now, detail=delivery.detail)
    )
    # The message went out either way; a step cancelled meanwhile stays cancelled.
    ended = end_step(session, step, "done", now)
    data: dict[str, Any] = {"attempt_id": attempt.id, "rule": rule.name}
    if not ended:
        data["step_status"] = step.status
    handler = handler_for(rule.channel)
    data.update(handler.sent_details(session, step))
    timeline.record(
        session,
        case.id,
        handler.sent_event(rule),
        now,
        channel=rule.channel,
        step_id=step.id,
        **data,
    )
    session.commit()
    log.info("step %s (%s) sent on case %s", step.id, rule.name, case.id)
    return Outcome(step.id, "done" if ended else step.status)


def record_failed(
    session: Session,
    rt: Runtime,
    case: Case,
    step: Step,
    rule: Rule,
    attempt: Attempt,
    now: datetime,
    code: str,
    detail: str,
) -> Outcome:
    attempt.status = "failed"
    attempt.error_code = code
    attempt.detail = detail
    attempt.updated_at = now
    session.add(AttemptStatus(attempt_id=attempt.id, status="failed", at=now, detail=code))
    handler_for(rule.channel).after_failure(session, rt, case, attempt, code, now)
    if not end_step(session, step, "failed", now, code):
        session.commit()  # cancelled meanwhile: the attempt's failure is kept, nothing moves
        return Outcome(step.id, step.status)
    timeline.record(
        session,
        case.id,
        "step_failed",
        now,
        channel=rule.channel,
        step_id=step.id,
        rule=rule.name,
        reason=code,
    )
    planning.advance(session, rt, case, rule.on_fail_advance, now)
    session.commit()
    return Outcome(step.id, "failed")


def plan_retry(
    session: Session,
    rt: Runtime,
    case: Case,
    step: Step,
    attempt: Attempt | None,
    now: datetime,
    detail: str,
) -> Outcome:
    """A transient error before the provider took the message: try again later."""
    if attempt is not None:
        attempt.status = "error"
        attempt.detail = detail
        attempt.updated_at = now
        session.add(
            AttemptStatus(attempt_id=attempt.id, status="error", at=now, detail=detail[:200])
        )
    if step.tries >= rt.settings.max_step_tries:
        rule = rt.policy.by_name[step.rule]
        if attempt is not None:
            return record_failed(session, rt, case, step, rule, attempt, now, "gave_up", detail)
        end_step(session, step, "failed", now, "gave_up")
        session.commit()
        return Outcome(step.id, "failed")
    delay = BACKOFF[min(max(step.tries - 1, 0), len(BACKOFF) - 1)]
    if not hand_back(session, step, now + delay):
        session.commit()
        return Outcome(step.id, step.status)
    note_retry(session, case, step, now)
    session.commit()
    return Outcome(step.id, "retry")


def note_retry(session: Session, case: Case, step: Step, now: datetime, **why: str) -> None:
    """The step goes back to the tick at ``step.due_at``: a ``step_retry`` event."""
    timeline.record(
        session, case.id, "step_retry", now, channel=step.channel, step_id=step.id,
        rule=step.rule, due_at=step.due_at.isoformat(), **why,
    )  # fmt: skip


def settle_later(
    session: Session,
    rt: Runtime,
    case: Case,
    step: Step,
    rule: Rule,
    attempt: Attempt,
    now: datetime,
    code: str,
) -> Outcome:
    """The attempt may have reached the provider: poll again, or give up knowing.

    Polls are not tries (``step.tries`` counts sends) and put nothing on the
    timeline; at the deadline the attempt becomes ``unknown`` with one
    ``attempt_unsettled`` event, the step ends without claiming a failure,
    and the ladder moves on as it would after one.
    """
    deadline = attempt.created_at + SETTLE_FOR
    if now >= deadline:
        mark_unknown(session, case, step, attempt, now, code)
        if end_step(session, step, "done", now, "outcome_unknown"):
            planning.advance(session, rt, case, rule.on_fail_advance, now)
        session.commit()
        return Outcome(step.id, "unknown")
    polls = int((step.params or {}).get("settle_polls", 0)) + 1
    due = min(now + BACKOFF[min(polls - 1, len(BACKOFF) - 1)], deadline)
    if not hand_back(session, step, due, settle_polls=polls):
        # Cancelled meanwhile: nobody will poll again, so a receipt may settle it.
        mark_unknown(session, case, step, attempt, now, code)
    session.commit()
    log.info("step %s: attempt %s not settled yet (%s)", step.id, attempt.id, code)
    return Outcome(step.id, "settling")
