"""Carry the pure plan into the database: insert steps, pull them earlier, cancel.

``escalation.plan`` decides; this module loads the facts it needs and writes
the result, with a timeline event for every change (STYLE.md habit 4). Called
inside the caller's transaction, so a step and its reason commit together.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from outreach import timeline
from outreach.attempts import mark_unknown
from outreach.escalation import OSLO, CaseFacts, TriggerFact, condition_holds, is_crisis, plan
from outreach.hooks import CaseReplanned, StepCancelled
from outreach.models import STEP_OPEN, Attempt, Case, Step, Task, Trigger
from outreach.runtime import Runtime


def case_facts(session: Session, case: Case) -> CaseFacts:
    triggers = session.scalars(select(Trigger).where(Trigger.case_id == case.id)).all()
    person = case.person
    return CaseFacts(
        round=case.ladder_round,
        triggers=tuple(TriggerFact(t.id, t.kind, t.received_at, t.round) for t in triggers),
        client_status=case.client_status,
        children_ages=tuple(case.children_ages or ()),
        birth_date=person.birth_date,
        vulnerable=person.vulnerable,
        protected=person.protected_address,
        eviction_date=case.eviction_date,
        crisis_since=case.crisis_since,
        letter_sent_at=case.letter_sent_at,
        letter_fallback_at=letter_fallback(session, case),
        contact_started_at=case.contact_started_at,
        responded=case.ladder_state != "running",
        email_consent=bool(
            person.email_consent and person.email and person.email_invalid_at is None
        ),
    )


# A tenant letter that will not be posted: skipped (no postal address, or a
# protected address found at batching) or failed (blocked before printing).
UNSENT_LETTER = ("skipped", "failed")


def letter_fallback(session: Session, case: Case) -> datetime | None:
    """The anchor for the one-week clock when the round's letter is not posted.

    A manual letter (protected address) counts from its deadline until staff
    mark the task done, which sets ``letter_sent_at`` (``tasks.record_outcome``).
    """
    rows = session.execute(
        select(Step.rule, Step.status, Step.deadline_at, Step.due_at)
        .join(Trigger, Trigger.id == Step.trigger_id)
        .where(
            Step.case_id == case.id,
            Trigger.round == case.ladder_round,
            Step.rule.in_(("letter", "manual_letter")),
        )
    ).all()
    anchors = [
        deadline or due
        for rule, status, deadline, due in rows
        if (rule == "manual_letter" and status != "cancelled")
        or (rule == "letter" and status in UNSENT_LETTER)
    ]
    return min(anchors, default=None)


def update_crisis(session: Session, rt: Runtime, case: Case, trigger: Trigger) -> None:
    """Rule 6: compress the ladder when the eviction date is too near."""
    if case.crisis_since is not None or case.eviction_date is None:
        return
    round_triggers = [t for t in case.triggers if t.round == case.ladder_round]
    started = min((t.received_at for t in round_triggers), default=trigger.received_at)
    kinds = [t.kind for t in round_triggers] or [trigger.kind]
    today = trigger.received_at.astimezone(OSLO).date()
    if is_crisis(rt.policy, rt.calendar, started, case.eviction_date, kinds, today=today):
        case.crisis_since = trigger.received_at
        timeline.record(
            session,
            case.id,
            "crisis",
            trigger.received_at,
            eviction_date=case.eviction_date.isoformat(),
        )


def replan(session: Session, rt: Runtime, case: Case, now: datetime) -> list[Step]:
    """Insert wanted steps that do not exist yet; pull planned ones earlier."""
    if case.status != "open":
        return []
    session.flush()
    wanted = plan(rt.policy, rt.calendar, case_facts(session, case), now)
    existing = {s.key: s for s in session.scalars(select(Step).where(Step.case_id == case.id))}
    created: list[Step] = []
    for item in wanted:
        step = existing.get(item.key)
        if step is None:
            step = add_step(
                session,
                case.id,
                rule=item.rule,
                key=item.key,
                channel=item.channel,
                due_at=item.due_at,
                now=now,
                deadline_at=item.deadline_at,
                trigger_id=item.trigger_id,
            )
            existing[item.key] = step
            created.append(step)
        elif step.status == "planned":
            pull_earlier(session, step, item.due_at, now)
    _cancel_no_longer_wanted(session, rt, case, {w.key for w in wanted}, now)
    if any(s.rule == "manual_letter" for s in created):
        # A manual letter's deadline anchors the later rungs (letter_fallback):
        # plan them now rather than at the next change.
        created += replan(session, rt, case, now)
    return created


def _cancel_no_longer_wanted(
    session: Session, rt: Runtime, case: Case, wanted: set[str], now: datetime
) -> None:
    """A planned round step whose condition no longer holds is cancelled.

    E.g. a home visit planned after a petition, when the eviction is then
    reported carried out (``not_evicted``): nobody to meet at the old address.
    Only round-scoped planner rules with conditions; a response cancels the
    rest (``cancel_pending``).
    """
    if case.ladder_state != "running":
        return
    facts = case_facts(session, case)
    today = now.astimezone(OSLO).date()
    suffix = f":r{case.ladder_round}"
    planned = session.scalars(
        select(Step).where(Step.case_id == case.id, Step.status == "planned")
    ).all()
    for step in planned:
        rule = rt.policy.by_name.get(step.rule)
        if rule is None or rule.per != "round" or not rule.when:
            continue
        if step.key in wanted or not step.key.endswith(suffix):
            continue
        failing = [c for c in rule.when if not condition_holds(c, facts, rt.policy, today)]
        if not failing:
            continue
        cancel_step(session, rt, case, step, now, f"no longer applies: {', '.join(failing)}")
    # A visit already booked by a done step is the visit channel's to cancel.
    rt.hooks.publish(CaseReplanned(session, rt, case, facts, today))


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


# Steps planned by code, not by a policy rule, that a response must not stop:
# an undecided flag still goes to the district lead (issue 2, rule 5); it ends
# when the flag is decided (flags.decide_flag) or the case is closed.
SURVIVES_RESPONSE = frozenset({"flag_overdue"})


def cancel_pending(
    session: Session,
    rt: Runtime,
    case: Case,
    now: datetime,
    reason: str,
    *,
    everything: bool = False,
    actor: str | None = None,
) -> int:
    """Cancel open steps: those a response stops, or all of them on close.

    A step already ``running`` is cancelled too: the job re-reads the status
    under lock before it calls a channel, so it will not send.
    """
    count = 0
    steps = session.scalars(
        select(Step).where(Step.case_id == case.id, Step.status.in_(STEP_OPEN))
    ).all()
    for step in steps:
        rule = rt.policy.by_name.get(step.rule)
        if not everything and rule is not None and not rule.stops_on_response:
            continue
        if not everything and step.rule in SURVIVES_RESPONSE:
            continue
        if step.status != "running":
            # A running job sees the cancel and settles its attempt itself.
            _leave_unsettled(session, case, step, now)
        cancel_step(session, rt, case, step, now, reason, actor=actor)
        count += 1
    return count


def finish_step(step: Step, status: str, now: datetime, detail: str = "") -> None:
    """The one place a step reaches a final status (done, failed, cancelled, skipped)."""
    step.status = status
    step.finished_at = now
    step.lease_until = None
    if detail:
        step.detail = detail


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
    channel's clean-up (a letter waiting in a print batch is withdrawn)."""
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


# Tasks and steps that are contact attempts still under way.
_CONTACT_TASKS = ("phone_call", "home_visit")
_CONTACT_CHANNELS = ("sms", "phone_task", "home_visit")


def _leave_unsettled(session: Session, case: Case, step: Step, now: datetime) -> None:
    """An attempt still ``sending`` on a cancelled step is nobody's to poll any more.

    A step waiting to settle an attempt of unknown outcome (``execute._settle_later``)
    or to be re-run after a crash mid-send is ``planned`` with its attempt still
    ``sending``. Cancelled, no job runs again: the attempt becomes ``unknown``
    with an ``attempt_unsettled`` event, as when the job itself finds the step
    cancelled; a late receipt still settles it.
    """
    for attempt in session.scalars(
        select(Attempt).where(Attempt.step_id == step.id, Attempt.status == "sending")
    ):
        mark_unknown(session, case, step, attempt, now, "step cancelled while settling")


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


def _contact_pending(session: Session, rt: Runtime, case: Case) -> bool:
    rules = [
        r.name
        for r in rt.policy.rules
        if r.per == "round" and r.channel in _CONTACT_CHANNELS and r.stops_on_response
    ]
    keys = [f"{name}:r{case.ladder_round}" for name in rules]
    step = session.scalar(
        select(Step.id).where(
            Step.case_id == case.id, Step.key.in_(keys), Step.status.in_(STEP_OPEN)
        )
    )
    if step is not None:
        return True
    task = session.scalar(
        select(Task.id).where(
            Task.case_id == case.id, Task.kind.in_(_CONTACT_TASKS), Task.status == "open"
        )
    )
    return task is not None


def crisis_attempt_failed(
    session: Session, rt: Runtime, case: Case, now: datetime, *, decisive: bool
) -> None:
    """Rule 6 (issue 2): in a crisis, "flags as soon as attempts fail".

    The unreachable check is pulled to now when the phone tries are used up
    or a home visit found nobody home (``decisive``), or when any other failed
    attempt (an undelivered or skipped SMS) leaves no call or visit under way:
    with the eviction days away, a caseworker must assess now, not after the
    normal wait. The flag asks for an assessment; nothing is reported.
    """
    if case.crisis_since is None or case.status != "open" or case.ladder_state != "running":
        return
    if not decisive and _contact_pending(session, rt, case):
        return
    checks = [r.name for r in rt.policy.rules if r.check == "unreachable" and r.per == "round"]
    keys = [f"{name}:r{case.ladder_round}" for name in checks]
    for step in session.scalars(
        select(Step).where(Step.case_id == case.id, Step.key.in_(keys), Step.status == "planned")
    ):
        pull_earlier(session, step, now, now, "crisis: contact attempts failed")


def advance(
    session: Session, rt: Runtime, case: Case, rule_names: tuple[str, ...], now: datetime
) -> None:
    """Move later rungs to now: a failed or skipped channel should not make
    the household wait for a week that no longer means anything."""
    crisis_attempt_failed(session, rt, case, now, decisive=False)
    if not rule_names:
        return
    steps = session.scalars(
        select(Step).where(
            Step.case_id == case.id,
            Step.status == "planned",
            Step.rule.in_(rule_names),
        )
    ).all()
    for step in steps:
        rule = rt.policy.by_name[step.rule]
        target = now
        window = rt.policy.working_hours if rule.window == "working_hours" else None
        if rule.window == "sms":
            window = rt.policy.sms_window_for(rule)
        if window is not None:
            target = rt.calendar.next_time_in_window(now, window[0], window[1])
        pull_earlier(session, step, target, now, "earlier rung could not reach the tenant")
