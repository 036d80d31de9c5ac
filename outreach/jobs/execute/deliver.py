"""Steps 2 and 3: settle what an earlier run left, pick the recipient, write the attempt, send.

Letters are not sent here: they join the district's print batch, and posting
the batch is the send (``reach.letter.batches``).
"""

from __future__ import annotations

import hashlib
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from channels.base import Delivery, PermanentChannelError, TransientChannelError
from outreach import timeline
from outreach.attempts import settled_status
from outreach.cases import contact as cases_contact
from outreach.jobs.execute.claim import open_attempt
from outreach.jobs.execute.outcome import PACING_DEFER, Outcome, conclude
from outreach.jobs.execute.record import (
    hand_back,
    may_send,
    plan_retry,
    record_failed,
    record_sent,
    settle_later,
)
from outreach.ladder import planning
from outreach.ladder import steps as ladder_steps
from outreach.models import Attempt, AttemptStatus, Case, Step, Trigger
from outreach.policy import Rule
from outreach.reach.base import Unusable, message_language
from outreach.reach.registry import handler_for
from outreach.runtime import Runtime


def deliver(
    session: Session, rt: Runtime, case: Case, step: Step, rule: Rule, now: datetime
) -> Outcome:
    trigger = session.get(Trigger, step.trigger_id) if step.trigger_id else None
    handler = handler_for(rule.channel)
    channel = rt.channel(rule.channel)
    attempt = open_attempt(session, step)
    delivery: Delivery | None = None
    # A previous run died after writing the attempt: did it reach the provider?
    if attempt is not None:
        if attempt.provider_ref:
            # A status callback already named the provider's message.
            delivery = Delivery(
                status=settled_status(session, attempt.id, "queued"),
                provider_ref=attempt.provider_ref,
                detail="settled by status callback",
            )
        else:
            try:
                delivery = channel.lookup(
                    attempt.idempotency_key,
                    attempt.recipient,
                    attempted_at=attempt.created_at,
                    body_sha256=hashlib.sha256(attempt.content.encode("utf-8")).hexdigest(),
                )
            except TransientChannelError as exc:
                return settle_later(session, rt, case, step, rule, attempt, now, exc.code)
        if delivery is not None:
            timeline.record(
                session,
                case.id,
                "attempt_settled",
                now,
                channel=rule.channel,
                step_id=step.id,
                attempt_id=attempt.id,
            )
        else:
            attempt.status = "not_sent"
            session.add(
                AttemptStatus(
                    attempt_id=attempt.id,
                    status="not_sent",
                    at=now,
                    detail="settled after interrupted run",
                )
            )
            attempt = None
    task = None
    if delivery is None and handler.batched:
        return batch_letter(session, rt, case, step, rule, trigger, now)
    if delivery is None:
        recipient = handler.recipient(rule, case, trigger, rt)
        if isinstance(recipient, Unusable):
            planning.advance(session, rt, case, rule.on_fail_advance, now)
            return skipped(session, case, step, rule, recipient, now)
        # Pacing may sleep: hold no locks meanwhile (a response must be able
        # to commit; ``may_send`` then sees it).
        session.commit()
        if not handler.pace(rt, rule, step, case):
            deferred = hand_back(session, step, now + PACING_DEFER)  # unless cancelled meanwhile
            if deferred:
                ladder_steps.note_deferral(session, case, step, "pacing", step.due_at, now)
            session.commit()
            return Outcome(step.id, "deferred" if deferred else step.status)
        if not may_send(session, rt, case, step, rule, now):
            session.commit()
            return Outcome(step.id, "cancelled")
        task = handler.prepare(session, rt, case, step, rule, now)
        try_no = next_try_no(session, step)
        attempt = Attempt(
            step_id=step.id,
            case_id=case.id,
            try_no=try_no,
            channel=rule.channel,
            recipient=recipient,
            language=(
                message_language(case.person.language) if rule.audience == "tenant" else "nb"
            ),
            status="sending",
            created_at=now,
            updated_at=now,
        )
        session.add(attempt)
        step.tries = try_no
        session.flush()
        session.add(AttemptStatus(attempt_id=attempt.id, status="sending", at=now))
        message = handler.compose(rule, step, case, attempt, task)
        attempt.content = message.body
        session.commit()  # the attempt exists before the provider is called
        try:
            delivery = channel.send(message)
        except PermanentChannelError as exc:
            return record_failed(session, rt, case, step, rule, attempt, now, exc.code, exc.detail)
        except TransientChannelError as exc:
            if exc.code == "ambiguous":
                # The request may have reached the provider: settle, never resend.
                return settle_later(session, rt, case, step, rule, attempt, now, exc.code)
            return plan_retry(session, rt, case, step, attempt, now, exc.detail)
    assert attempt is not None
    return record_sent(session, rt, case, step, rule, attempt, delivery, now)


def next_try_no(session: Session, step: Step) -> int:
    """The number of the step's next attempt (unique per step)."""
    return (
        session.scalar(select(func.max(Attempt.try_no)).where(Attempt.step_id == step.id)) or 0
    ) + 1


def batch_letter(
    session: Session,
    rt: Runtime,
    case: Case,
    step: Step,
    rule: Rule,
    trigger: Trigger | None,
    now: datetime,
) -> Outcome:
    """Letters join the district's print batch; posting them is the send."""
    recipient = handler_for(rule.channel).recipient(rule, case, trigger, rt)
    if isinstance(recipient, Unusable):
        return skipped(session, case, step, rule, recipient, now)
    name, phone = cases_contact.contact_person(case)
    if rule.audience == "tenant" and not (name and phone):
        # The circular requires the contact person's name and number in the
        # letter (000): stop before anything is printed and tell the district.
        return conclude(
            session, case, step, "failed", now, "letter_blocked",
            detail="missing_contact_person", reason="missing_contact_person",
        )  # fmt: skip
    from outreach.reach.letter import batches

    # Not always 1: a letter withdrawn from its batch by a pause is batched
    # again when the case resumes, as the step's next try.
    try_no = next_try_no(session, step)
    attempt = Attempt(
        step_id=step.id,
        case_id=case.id,
        try_no=try_no,
        channel="letter",
        recipient=recipient,
        language=message_language(case.person.language) if rule.audience == "tenant" else "nb",
        status="batched",
        created_at=now,
        updated_at=now,
    )
    session.add(attempt)
    session.flush()
    session.add(AttemptStatus(attempt_id=attempt.id, status="batched", at=now))
    batches.add_letter(session, case, step, attempt, rule.audience, now)
    ladder_steps.hold(step)
    step.tries = try_no
    session.commit()
    return Outcome(step.id, "batched")


def skipped(
    session: Session, case: Case, step: Step, rule: Rule, recipient: Unusable, now: datetime
) -> Outcome:
    """The channel cannot be used for this household (no number, no address, no consent)."""
    return conclude(
        session, case, step, "skipped", now, "step_skipped",
        detail=recipient.reason, rule=rule.name, reason=recipient.reason,
    )  # fmt: skip
