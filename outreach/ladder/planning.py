"""Carry the pure plan into the database: insert steps, pull them earlier, cancel.

``policy.plan`` decides; this module loads the facts it needs and writes the
result through ``ladder.steps``, inside the caller's transaction, so a step
and its reason commit together. Crisis (rule 6) compresses the ladder; a
failed channel pulls the later rungs forward.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from outreach import timeline
from outreach.hooks import CaseReplanned
from outreach.ladder.facts import case_facts
from outreach.ladder.steps import add_step, cancel_step, pull_earlier
from outreach.models import Case, Step, Task, Trigger
from outreach.policy.plan import OSLO, condition_holds, is_crisis, plan
from outreach.runtime import Runtime
from outreach.vocabulary import COUNTING, STEP_OPEN


def join_round(case: Case, trigger: Trigger, *, new_case: bool) -> None:
    """A notice joins the case's contact round; after the tenant answered it starts a new one.

    The earlier answer was about the earlier notice: a new notice is a new
    reason to reach the tenant (seeds/000).
    """
    if not new_case and case.ladder_state != "running":
        case.ladder_round += 1
        case.ladder_state = "running"
        case.letter_sent_at = None
        case.contact_started_at = None
    trigger.round = case.ladder_round


def update_crisis(session: Session, rt: Runtime, case: Case, at: datetime) -> None:
    """Rule 6: compress the ladder when the eviction date is too near; stop when it no longer is.

    Crisis is derived, never sticky: from the current eviction date, the
    round's notices and the day ``at`` falls on. It is computed again when a
    notice changes the date or the round (intake), and when the day changes
    (``ends_passed_crises``, from the tick): a date the bailiff postpones far
    enough, or one that has passed, ends it with a ``crisis_ended`` event
    (issue 12, items 3 and 4).
    """
    round_triggers = [
        t for t in case.triggers if t.round == case.ladder_round and t.review in COUNTING
    ]
    started = min((t.received_at for t in round_triggers), default=at)
    kinds = [t.kind for t in round_triggers]
    today = at.astimezone(OSLO).date()
    crisis = is_crisis(rt.policy, rt.calendar, started, case.eviction_date, kinds, today=today)
    if crisis and case.crisis_since is None:
        assert case.eviction_date is not None
        case.crisis_since = at
        timeline.record(
            session, case.id, "crisis", at, eviction_date=case.eviction_date.isoformat()
        )
    elif not crisis and case.crisis_since is not None:
        case.crisis_since = None
        timeline.record(
            session,
            case.id,
            "crisis_ended",
            at,
            eviction_date=case.eviction_date.isoformat() if case.eviction_date else None,
        )


def ends_passed_crises(rt: Runtime, now: datetime) -> int:
    """The day changed: a crisis whose eviction date has passed is over (issue 12, item 3).

    Without a new notice nothing else would clear it, and a past date kept the
    case flagging "as soon as attempts fail" for ever. Indexed by the few
    cases in crisis; returns how many ended.
    """
    today = now.astimezone(OSLO).date()
    with rt.session() as session:
        cases = session.scalars(
            select(Case).where(
                Case.crisis_since.is_not(None),
                Case.status != "closed",
                or_(Case.eviction_date.is_(None), Case.eviction_date < today),
            )
        ).all()
        for case in cases:
            update_crisis(session, rt, case, now)
        session.commit()
        return len(cases)


def replan(session: Session, rt: Runtime, case: Case, now: datetime) -> list[Step]:
    """Insert wanted steps that do not exist yet; pull planned ones earlier.

    A paused case still gets what a notice's legal deadline asks for (the letter
    within three working days and its overdue check, ``Rule.legal_deadline``):
    a pause stops contact attempts, not deadlines (issue 12, item 11).
    """
    if case.status == "closed":
        return []
    session.flush()
    wanted = plan(rt.policy, rt.calendar, case_facts(session, case), now)
    if case.status == "paused":
        wanted = [w for w in wanted if rt.policy.by_name[w.rule].legal_deadline]
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


# Tasks and steps that are contact attempts still under way.
_CONTACT_TASKS = ("phone_call", "home_visit")


_CONTACT_CHANNELS = ("sms", "phone_task", "home_visit")


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
