"""What kind of step this is: cancelled, a flag's reminder, a check, a task, or a message."""

from __future__ import annotations

from sqlalchemy.orm import Session

from outreach import timeline
from outreach.cases.flags import escalate_if_undecided
from outreach.cases.tasks import create_task_for_step
from outreach.jobs.execute.checks import run_check
from outreach.jobs.execute.deliver import deliver
from outreach.jobs.execute.outcome import Outcome, conclude
from outreach.ladder import planning
from outreach.ladder import steps as ladder_steps
from outreach.landlords.reservations import refuse_reserved
from outreach.models import Case, Step
from outreach.reach.registry import handler_for
from outreach.reach.visit.notices import notice_too_late
from outreach.runtime import Runtime


def run_claimed(session: Session, rt: Runtime, step_id: int) -> Outcome:
    now = rt.now()
    step = session.get(Step, step_id, populate_existing=True)
    assert step is not None
    case = session.get(Case, step.case_id)
    assert case is not None
    if refuse_reserved(session, rt, case, now):
        # A reservation now meets a warning of the case (``landlords.reservations``):
        # its steps are cancelled, so this one may be too.
        session.commit()
        session.refresh(step)
        if step.status == "cancelled":
            return Outcome(step_id, "cancelled")
    if case.status == "closed":
        return conclude(session, case, step, "cancelled", now, detail="case closed")
    if step.rule == "flag_overdue":
        escalate_if_undecided(session, rt, case, int(step.params["flag_id"]), now)
        return conclude(session, case, step, "done", now)
    rule = rt.policy.by_name.get(step.rule)
    if rule is None:
        detail = f"rule {step.rule!r} is not in the policy"
        return conclude(session, case, step, "failed", now, detail=detail)
    if rule.stops_on_response and case.ladder_state != "running":
        ladder_steps.cancel_step(session, rt, case, step, now, "tenant responded")
        session.commit()
        return Outcome(step_id, "cancelled")

    if rule.starts_contact and case.contact_started_at is None:
        case.contact_started_at = now
        timeline.record(session, case.id, "contact_started", now, round=case.ladder_round)
        planning.replan(session, rt, case, now)

    if rule.channel == "check":
        result = run_check(session, rt, case, step, rule, now)
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
        return conclude(
            session, case, step, "done", now, "task_created", channel=None,
            task_id=task.id, task_kind=task.kind, assignee_role=task.assignee_role,
        )  # fmt: skip

    if notice_too_late(session, rt, step, now):  # never a visit notice after the visit
        return Outcome(step_id, "cancelled")
    allowed = handler_for(rule.channel).earliest_send(rt, rule, now)
    if allowed > now:
        # Outside the channel's window (SMS: 09–17 on working days): wait for
        # the next allowed minute rather than send at night.
        ladder_steps.reopen(step, allowed)
        ladder_steps.note_deferral(session, case, step, f"{rule.channel}_window", allowed, now)
        session.commit()
        return Outcome(step_id, "deferred")
    return deliver(session, rt, case, step, rule, now)
