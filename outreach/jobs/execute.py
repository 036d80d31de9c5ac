"""Run one planned step: load, decide, record, call the channel, plan what follows.

Exactly-once effects on at-least-once jobs (DESIGN.md principle 2):

1. *claim* – a conditional UPDATE moves the step from ``queued`` to
   ``running`` with a lease; a second copy of the job finds nothing to claim;
2. *prepare* – re-check the case (a response or close cancels the step), pick
   the recipient or skip, and write the ``Attempt`` row as ``sending``, then
   commit – before any provider is called;
3. *send* – call the channel outside any transaction;
4. *record* – the attempt's status, the step's end, the timeline event and
   the next steps, in one transaction.

A worker killed between 2 and 4 leaves an attempt ``sending``; the tick hands
the step out again after the lease, and step 2 then *settles* it through
``channel.lookup`` instead of sending blindly. A lookup that cannot tell is
asked again with backoff until ``SETTLE_FOR`` after the attempt; then the
attempt is ``unknown`` (a late receipt still settles it) and the ladder moves
on as after a failure, without claiming one.

Step 2 re-checks the step and the case in the transaction that writes the
attempt, and step 4 never overwrites a final step status: a response that
cancels the step while the job paces or sends keeps it ``cancelled``. An
exception of our own code (not a channel error) is counted on the step and
retried with ``BACKOFF``, and fails the step with ``internal_error`` after
``max_step_tries`` crashes (``_record_crash``); RQ still sees the exception.
"""

from __future__ import annotations

import hashlib
import logging
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from channels.base import Delivery, PermanentChannelError, TransientChannelError
from outreach import timeline
from outreach.attempts import mark_unknown, settled_status
from outreach.cases import contact as cases_contact
from outreach.cases.flags import escalate_if_undecided, raise_flag
from outreach.cases.tasks import create_task_for_step
from outreach.ladder import facts as ladder_facts
from outreach.ladder import planning
from outreach.ladder import steps as ladder_steps
from outreach.models import Attempt, AttemptStatus, Case, Step, Trigger
from outreach.policy import Rule
from outreach.policy.plan import unreachable_flags
from outreach.reach import compose as reach_compose
from outreach.reach.sms import numbers
from outreach.runtime import Runtime
from outreach.workdays import parse_offset

log = logging.getLogger(__name__)

# Spaced retries for transient provider errors (STYLE.md habit 7).
BACKOFF = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=30), timedelta(hours=2))


@dataclass(frozen=True)
class Outcome:
    step_id: int
    # done | skipped | failed | retry | deferred | cancelled | not_claimed
    # | settling (an attempt's outcome is still asked for) | unknown | batched
    result: str


def claim(session: Session, rt: Runtime, step_id: int, now: datetime) -> bool:
    result = session.execute(
        update(Step)
        .where(Step.id == step_id, Step.status == "queued")
        .values(
            status="running", lease_until=now + timedelta(seconds=rt.settings.step_lease_seconds)
        )
        .execution_options(synchronize_session=False)
    )
    session.commit()
    return bool(getattr(result, "rowcount", 0))


def execute_step(rt: Runtime, step_id: int) -> Outcome:
    session = rt.new_session()
    claimed = False
    try:
        now = rt.now()
        if not claim(session, rt, step_id, now):
            return Outcome(step_id, "not_claimed")
        claimed = True
        return _run_claimed(session, rt, step_id)
    except Exception as exc:
        session.rollback()
        if claimed:
            _record_crash(rt, step_id, exc)
        raise  # RQ still records the failure, with its traceback
    except BaseException:
        # The process is going away (SIGTERM, Ctrl-C): the step stays
        # ``running`` and the tick hands it out again after the lease.
        session.rollback()
        raise
    finally:
        session.close()


def _record_crash(rt: Runtime, step_id: int, exc: Exception) -> None:
    """Count a crash of our own code on the step, and plan a retry or give up.

    Without this a step whose composing or recording raises stays ``running``
    and the tick hands it out again after every lease, for ever. The crash is
    counted in ``step.params["crashes"]`` (not ``step.tries``, which counts
    provider attempts); after ``max_step_tries`` crashes the step fails with
    ``internal_error`` and the ladder moves on. An attempt left ``sending`` is
    not marked failed – the provider may have been called – so the next run
    settles it. Only the exception's type goes on the timeline: its message
    may quote personal data.
    """
    session = rt.new_session()
    try:
        now = rt.now()
        step = session.get(Step, step_id)
        if step is None or step.status != "running":
            return  # someone else moved it on (a response, a close): nothing to plan
        case = session.get(Case, step.case_id)
        assert case is not None
        crashes = int((step.params or {}).get("crashes", 0)) + 1
        step.params = {**(step.params or {}), "crashes": crashes}
        error = type(exc).__name__
        log.error("step %s (%s) crashed (%s), crash %d", step.id, step.rule, error, crashes)
        if crashes < rt.settings.max_step_tries:
            delay = BACKOFF[min(crashes - 1, len(BACKOFF) - 1)]
            step.status = "planned"
            step.due_at = now + delay
            step.lease_until = None
            timeline.record(
                session,
                case.id,
                "step_retry",
                now,
                channel=step.channel,
                step_id=step.id,
                rule=step.rule,
                due_at=step.due_at.isoformat(),
                reason="internal_error",
                error=error,
            )
        else:
            attempt = _open_attempt(session, step)
            if attempt is not None:
                # Maybe sent: neither failed nor settled (staff or a receipt decide).
                mark_unknown(session, case, step, attempt, now)
            ladder_steps.finish_step(step, "failed", now, "internal_error")
            timeline.record(
                session,
                case.id,
                "step_failed",
                now,
                channel=step.channel,
                step_id=step.id,
                rule=step.rule,
                reason="internal_error",
                error=error,
            )
            rule = rt.policy.by_name.get(step.rule)
            if rule is not None and case.status != "closed":
                planning.advance(session, rt, case, rule.on_fail_advance, now)
        session.commit()
    except Exception:
        session.rollback()
        log.exception("could not record the crash of step %s", step_id)
    finally:
        session.close()


def _run_claimed(session: Session, rt: Runtime, step_id: int) -> Outcome:
    now = rt.now()
    step = session.get(Step, step_id, populate_existing=True)
    assert step is not None
    case = session.get(Case, step.case_id)
    assert case is not None
    if case.status == "closed":
        ladder_steps.finish_step(step, "cancelled", now, "case closed")
        session.commit()
        return Outcome(step_id, "cancelled")
    if step.rule == "flag_overdue":
        escalate_if_undecided(session, rt, case, int(step.params["flag_id"]), now)
        ladder_steps.finish_step(step, "done", now)
        session.commit()
        return Outcome(step_id, "done")
    rule = rt.policy.by_name.get(step.rule)
    if rule is None:
        ladder_steps.finish_step(step, "failed", now, f"rule {step.rule!r} is not in the policy")
        session.commit()
        return Outcome(step_id, "failed")
    if rule.stops_on_response and case.ladder_state != "running":
        ladder_steps.cancel_step(session, rt, case, step, now, "tenant responded")
        session.commit()
        return Outcome(step_id, "cancelled")

    if rule.starts_contact and case.contact_started_at is None:
        case.contact_started_at = now
        timeline.record(session, case.id, "contact_started", now, round=case.ladder_round)
        planning.replan(session, rt, case, now)

    if rule.channel == "check":
        result = _run_check(session, rt, case, step, rule, now)
        session.commit()
        return Outcome(step_id, result)
    if rule.channel == "task":
        task = create_task_for_step(
            session,
            rt,
            case,
            step,
            kind=rule.task_kind or rule.name,
            title=rule.task_title,
            assignee_role=rule.assignee_role,
            due_at=step.deadline_at or now,
        )
        ladder_steps.finish_step(step, "done", now)
        timeline.record(
            session,
            case.id,
            "task_created",
            now,
            step_id=step.id,
            task_id=task.id,
            task_kind=task.kind,
            assignee_role=task.assignee_role,
        )
        session.commit()
        return Outcome(step_id, "done")

    from outreach.reach.visit.notices import notice_too_late  # never a visit notice after the visit

    if notice_too_late(session, rt, step, now):
        return Outcome(step_id, "cancelled")
    if rule.channel == "sms":
        window_start, window_end = rt.policy.sms_window_for(rule)
        allowed = rt.calendar.next_time_in_window(now, window_start, window_end)
        if allowed > now:
            # Outside the SMS window (NAV and Altinn: 09–17 on working days):
            # wait for the next allowed minute rather than send at night.
            step.status = "planned"
            step.due_at = allowed
            step.lease_until = None
            ladder_steps.note_deferral(session, case, step, "sms_window", allowed, now)
            session.commit()
            return Outcome(step_id, "deferred")
    return _deliver(session, rt, case, step, rule, now)


def _run_check(
    session: Session, rt: Runtime, case: Case, step: Step, rule: Rule, now: datetime
) -> str:
    if rule.check == "letter_overdue":
        letters = session.scalars(
            select(Step).where(
                Step.case_id == case.id,
                Step.trigger_id == step.trigger_id,
                Step.channel == "letter",
            )
        ).all()
        # Skipped letters count too (no postal address, a protected address):
        # no letter went out unless staff sent the manual one (issue 2 audit).
        late = [
            s
            for s in letters
            if s.status in ("planned", "queued", "running", "waiting", "failed", "skipped")
        ]
        from outreach.models import Task

        manual_open = session.scalars(
            select(Task)
            .join(Step, Step.id == Task.step_id)
            .where(
                Task.case_id == case.id,
                Task.kind == "manual_letter",
                Task.status == "open",
                Step.trigger_id == step.trigger_id,
            )
        ).all()
        if case.letter_sent_at is not None and not manual_open:
            late = [s for s in late if s.status != "skipped"]  # the manual letter went
        late_ids = [s.id for s in late] + [t.step_id for t in manual_open if t.step_id is not None]
        if late_ids:
            # The other channels must not wait for this letter: the planner
            # counts from its deadline now (ladder_facts.letter_fallback).
            planning.replan(session, rt, case, now)
            timeline.record(
                session,
                case.id,
                "letter_overdue",
                now,
                channel="letter",
                step_id=late_ids[0],
                deadline=step.due_at.isoformat(),
            )
        ladder_steps.finish_step(step, "done", now, "overdue" if late_ids else "letter on time")
        return "done"
    if rule.check == "unreachable":
        facts = ladder_facts.case_facts(session, case)
        flags = unreachable_flags(rt.policy, facts, reach_compose.local(now).date())
        timeline.record(
            session, case.id, "unreachable", now, round=case.ladder_round, flags=flags or None
        )
        overdue_after = rule.flag_overdue_after or parse_offset("2wd")
        for kind in flags:
            raise_flag(session, rt, case, kind, now, overdue_after)
        ladder_steps.finish_step(step, "done", now)
        return "done"
    ladder_steps.finish_step(step, "failed", now, f"unknown check {rule.check!r}")
    return "failed"


def _open_attempt(session: Session, step: Step) -> Attempt | None:
    return session.scalar(
        select(Attempt)
        .where(Attempt.step_id == step.id, Attempt.status == "sending")
        .where(Attempt.detail.not_like("visit:%"))  # staff invitations: outreach.visits
        .order_by(Attempt.try_no.desc())
        .limit(1)
    )


def _deliver(
    session: Session, rt: Runtime, case: Case, step: Step, rule: Rule, now: datetime
) -> Outcome:
    trigger = session.get(Trigger, step.trigger_id) if step.trigger_id else None
    channel = rt.channel(rule.channel)
    attempt = _open_attempt(session, step)
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
                return _settle_later(session, rt, case, step, rule, attempt, now, exc.code)
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
    if delivery is None and rule.channel == "letter":
        return _batch_letter(session, rt, case, step, rule, trigger, now)
    if delivery is None:
        recipient = reach_compose.recipient_for(rule, case, trigger, rt)
        if isinstance(recipient, reach_compose.Unusable):
            ladder_steps.finish_step(step, "skipped", now, recipient.reason)
            timeline.record(
                session,
                case.id,
                "step_skipped",
                now,
                channel=rule.channel,
                step_id=step.id,
                rule=rule.name,
                reason=recipient.reason,
            )
            planning.advance(session, rt, case, rule.on_fail_advance, now)
            session.commit()
            return Outcome(step.id, "skipped")
        if rule.channel == "sms":
            # Pacing may sleep: hold no locks meanwhile (a response must be
            # able to commit; ``_may_send`` then sees it).
            session.commit()
        if rule.channel == "sms" and not _paced(rt, channel, rule, step, case):
            deferred = _replan(session, step, now + PACING_DEFER)  # unless cancelled meanwhile
            if deferred:
                ladder_steps.note_deferral(session, case, step, "pacing", step.due_at, now)
            session.commit()
            return Outcome(step.id, "deferred" if deferred else step.status)
        if not _may_send(session, rt, case, step, rule, now):
            session.commit()
            return Outcome(step.id, "cancelled")
        task = _task_for(session, rt, case, step, rule, now)
        try_no = (
            session.scalar(select(func.max(Attempt.try_no)).where(Attempt.step_id == step.id)) or 0
        ) + 1
        attempt = Attempt(
            step_id=step.id,
            case_id=case.id,
            try_no=try_no,
            channel=rule.channel,
            recipient=recipient,
            language=(
                reach_compose.message_language(case.person.language)
                if rule.audience == "tenant"
                else "nb"
            ),
            status="sending",
            created_at=now,
            updated_at=now,
        )
        session.add(attempt)
        step.tries = try_no
        session.flush()
        session.add(AttemptStatus(attempt_id=attempt.id, status="sending", at=now))
        message = reach_compose.compose(rule, step, case, attempt, task)
        attempt.content = message.body
        session.commit()  # the attempt exists before the provider is called
        try:
            delivery = channel.send(message)
        except PermanentChannelError as exc:
            return _failed(session, rt, case, step, rule, attempt, now, exc.code, exc.detail)
        except TransientChannelError as exc:
            if exc.code == "ambiguous":
                # The request may have reached the provider: settle, never resend.
                return _settle_later(session, rt, case, step, rule, attempt, now, exc.code)
            return _retry(session, rt, case, step, attempt, now, exc.detail)
    assert attempt is not None
    return _sent(session, rt, case, step, rule, attempt, delivery, now)


PACING_DEFER = timedelta(seconds=30)


def _paced(rt: Runtime, channel: object, rule: Rule, step: Step, case: Case) -> bool:
    """Wait for this sender's turn (at most a few seconds), or say to defer."""
    from channels.outbox import OutboxChannel
    from channels.segments import count_segments
    from outreach.reach.sms.pacing import Pacer

    if isinstance(channel, OutboxChannel):
        return True  # nothing leaves the machine: no provider to protect
    settings = rt.settings.provider_settings
    sender = settings.get("TWILIO_MESSAGING_SERVICE_SID") or settings.get(
        "TWILIO_FROM_NUMBER", "sms"
    )
    rate = float(settings.get("SMS_RATE_PER_SECOND", "1"))
    body = reach_compose.compose(rule, step, case, Attempt(id=0), None).body
    pacer = Pacer(rt.redis(), rate, namespace=rt.settings.redis_namespace)
    wait = pacer.reserve(sender, count_segments(body).segments)
    if wait is None:
        return False
    if wait > 0:
        time.sleep(wait)
    return True


def _batch_letter(
    session: Session,
    rt: Runtime,
    case: Case,
    step: Step,
    rule: Rule,
    trigger: Trigger | None,
    now: datetime,
) -> Outcome:
    """Letters join the district's print batch; posting them is the send."""
    recipient = reach_compose.recipient_for(rule, case, trigger, rt)
    if isinstance(recipient, reach_compose.Unusable):
        ladder_steps.finish_step(step, "skipped", now, recipient.reason)
        timeline.record(
            session,
            case.id,
            "step_skipped",
            now,
            channel="letter",
            step_id=step.id,
            rule=rule.name,
            reason=recipient.reason,
        )
        session.commit()
        return Outcome(step.id, "skipped")
    name, phone = cases_contact.contact_person(case)
    if rule.audience == "tenant" and not (name and phone):
        # The circular requires the contact person's name and number in the
        # letter (000): stop before anything is printed and tell the district.
        ladder_steps.finish_step(step, "failed", now, "missing_contact_person")
        timeline.record(
            session,
            case.id,
            "letter_blocked",
            now,
            channel="letter",
            step_id=step.id,
            reason="missing_contact_person",
        )
        session.commit()
        return Outcome(step.id, "failed")
    from outreach.reach.letter import batches

    attempt = Attempt(
        step_id=step.id,
        case_id=case.id,
        try_no=1,
        channel="letter",
        recipient=recipient,
        language=reach_compose.message_language(case.person.language)
        if rule.audience == "tenant"
        else "nb",
        status="batched",
        created_at=now,
        updated_at=now,
    )
    session.add(attempt)
    session.flush()
    session.add(AttemptStatus(attempt_id=attempt.id, status="batched", at=now))
    batches.add_letter(session, case, step, attempt, rule.audience, now)
    step.status = "waiting"
    step.tries = 1
    step.lease_until = None
    session.commit()
    return Outcome(step.id, "batched")


def _task_for(session: Session, rt: Runtime, case: Case, step: Step, rule: Rule, now: datetime):  # type: ignore[no-untyped-def]
    if rule.channel not in {"phone_task", "home_visit"}:
        return None
    if rule.channel == "home_visit":
        # Two staff from the district's outreach team, no double booking,
        # travel time, within the policy's limit; the tenant's SMS notice.
        from outreach.reach.visit.schedule import task_for_step

        return task_for_step(session, rt, case, step, rule, now)
    return create_task_for_step(
        session,
        rt,
        case,
        step,
        kind=rule.task_kind or rule.channel,
        title=rule.task_title,
        assignee_role=rule.assignee_role,
        due_at=now,
    )


def _end_step(session: Session, step: Step, status: str, now: datetime, detail: str = "") -> bool:
    """Finish the step only if it is still ``running``: never overwrite a final status.

    A response may have cancelled the step (``cancel.cancel_pending``) while
    the channel was called; the conditional UPDATE keeps ``cancelled``.
    """
    session.flush()
    values: dict[str, Any] = {"status": status, "finished_at": now, "lease_until": None}
    if detail:
        values["detail"] = detail
    result = session.execute(
        update(Step)
        .where(Step.id == step.id, Step.status == "running")
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    session.refresh(step)
    return bool(getattr(result, "rowcount", 0))


def _replan(session: Session, step: Step, due_at: datetime, **params: Any) -> bool:
    """Hand a still-running step back to the tick at ``due_at``."""
    session.flush()
    values: dict[str, Any] = {"status": "planned", "due_at": due_at, "lease_until": None}
    if params:
        values["params"] = {**(step.params or {}), **params}
    result = session.execute(
        update(Step)
        .where(Step.id == step.id, Step.status == "running")
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    session.refresh(step)
    return bool(getattr(result, "rowcount", 0))


def _may_send(
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
        if _end_step(session, step, "cancelled", now, reason):
            ladder_steps.announce_cancelled(session, rt, case, step, "running", now, reason)
        return False
    return True


def _sent(
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
    ended = _end_step(session, step, "done", now)
    data: dict[str, Any] = {"attempt_id": attempt.id, "rule": rule.name}
    if not ended:
        data["step_status"] = step.status
    if rule.channel in {"phone_task", "home_visit"}:
        from outreach.models import Task

        task = session.scalar(select(Task).where(Task.step_id == step.id))
        if task is not None:
            data["task_id"] = task.id
            if task.scheduled_for is not None:
                data["scheduled_for"] = task.scheduled_for.isoformat()
    timeline.record(
        session,
        case.id,
        reach_compose.sent_event(rule),
        now,
        channel=rule.channel,
        step_id=step.id,
        **data,
    )
    session.commit()
    log.info("step %s (%s) sent on case %s", step.id, rule.name, case.id)
    return Outcome(step.id, "done" if ended else step.status)


def _failed(
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
    if rule.channel == "sms":
        numbers.after_permanent_error(session, rt, case, attempt, code, now, source="send")
    if not _end_step(session, step, "failed", now, code):
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


def _retry(
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
            return _failed(session, rt, case, step, rule, attempt, now, "gave_up", detail)
        _end_step(session, step, "failed", now, "gave_up")
        session.commit()
        return Outcome(step.id, "failed")
    delay = BACKOFF[min(max(step.tries - 1, 0), len(BACKOFF) - 1)]
    if not _replan(session, step, now + delay):
        session.commit()
        return Outcome(step.id, step.status)
    timeline.record(
        session,
        case.id,
        "step_retry",
        now,
        channel=step.channel,
        step_id=step.id,
        rule=step.rule,
        due_at=step.due_at.isoformat(),
    )
    session.commit()
    return Outcome(step.id, "retry")


#: How long an attempt whose outcome we cannot tell (an ambiguous send, a
#: provider that cannot be asked) is polled before it is left ``unknown``:
#: past Twilio's 10-hour queue limit (TECH-NOTES), so a message still waiting
#: there has been sent or dropped by then; a late receipt still settles it.
SETTLE_FOR = timedelta(hours=12)


def _settle_later(
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
        if _end_step(session, step, "done", now, "outcome_unknown"):
            planning.advance(session, rt, case, rule.on_fail_advance, now)
        session.commit()
        return Outcome(step.id, "unknown")
    polls = int((step.params or {}).get("settle_polls", 0)) + 1
    due = min(now + BACKOFF[min(polls - 1, len(BACKOFF) - 1)], deadline)
    if not _replan(session, step, due, settle_polls=polls):
        # Cancelled meanwhile: nobody will poll again, so a receipt may settle it.
        mark_unknown(session, case, step, attempt, now, code)
    session.commit()
    log.info("step %s: attempt %s not settled yet (%s)", step.id, attempt.id, code)
    return Outcome(step.id, "settling")
