"""The visit's part of what the case and ladder announce (``outreach.hooks``).

A response or a close cancels the visit behind a cancelled task; a re-plan
cancels a booked visit whose rule stopped holding; a forward re-books it with
the new district's team; a recorded outcome closes it. Subscribed once, at
start-up, by ``outreach.wiring``.
"""

from __future__ import annotations

from sqlalchemy import select

from outreach.hooks import CaseForwarded, CaseReplanned, Hooks, TaskOutcome, TasksCancelled
from outreach.models import Step
from outreach.models.visits import HomeVisit
from outreach.policy.plan import condition_holds
from outreach.reach.visit.actions import cancel_visit
from outreach.reach.visit.invitations import _queue_invitation
from outreach.reach.visit.outcomes import after_outcome
from outreach.reach.visit.schedule import schedule_visit


def on_tasks_cancelled(event: TasksCancelled) -> None:
    """A response or a close cancelled the visit's task: cancel the visit too."""
    for task in event.tasks:
        if task.kind != "home_visit":
            continue
        visit = event.session.scalar(select(HomeVisit).where(HomeVisit.task_id == task.id))
        if visit is not None and visit.status == "scheduled":
            cancel_visit(event.session, event.rt, visit, reason="task cancelled", cancel_task=False)


def on_replanned(event: CaseReplanned) -> None:
    """A visit already booked whose rule's condition stopped holding is cancelled.

    The step that booked it is done, so the ladder's re-plan does not see it;
    the visit's own cancel frees the pair, sends them the calendar CANCEL,
    withdraws the tenant's notice and closes the task.
    """
    session, rt = event.session, event.rt
    booked = session.scalars(
        select(HomeVisit)
        .where(HomeVisit.case_id == event.case.id, HomeVisit.status == "scheduled")
        .order_by(HomeVisit.id)
    ).all()
    for visit in booked:
        step = session.get(Step, visit.step_id) if visit.step_id is not None else None
        rule = rt.policy.by_name.get(step.rule) if step is not None else None
        if rule is None or not rule.when:
            continue
        failing = [
            c for c in rule.when if not condition_holds(c, event.facts, rt.policy, event.today)
        ]
        if failing:
            cancel_visit(session, rt, visit, reason=f"no longer applies: {', '.join(failing)}")


def on_forwarded(event: CaseForwarded) -> None:
    """Not-yet-done visits: the old team's is cancelled (they get CANCEL), the new
    district's team gets one at its first free pair, with an invitation.

    Published after ``case.district_code`` has changed: booking reads the team from it.
    """
    session, rt, case, actor = event.session, event.rt, event.case, event.actor
    now = rt.now()
    for visit in list(
        session.scalars(
            select(HomeVisit)
            .where(HomeVisit.case_id == case.id, HomeVisit.status == "scheduled")
            .order_by(HomeVisit.id)
        )
    ):
        step = session.get(Step, visit.step_id) if visit.step_id is not None else None
        cancel_visit(session, rt, visit, reason="case forwarded", actor=actor)
        rule = (rt.policy.by_name.get(step.rule) if step else None) or rt.policy.by_name.get(
            "home_visit"
        )
        if step is None or rule is None or case.status != "open":
            continue
        new = schedule_visit(
            session, rt, case, step, rule, now, visit_no=visit.visit_no, actor=actor
        )
        # The booking job is not run again, so the new team's invitation is
        # queued here as ``_plan_another`` does for a second visit.
        _queue_invitation(session, rt, new, now, "nytt besøk")


def on_task_outcome(event: TaskOutcome) -> None:
    if event.task.kind == "home_visit":
        after_outcome(
            event.session, event.rt, event.case, event.task, event.outcome, event.at, event.actor
        )


def subscribe(hooks: Hooks) -> None:
    """The visit's part of what the case and ladder announce (``outreach.wiring``)."""
    hooks.subscribe(TasksCancelled, on_tasks_cancelled)
    hooks.subscribe(CaseReplanned, on_replanned)
    hooks.subscribe(CaseForwarded, on_forwarded)
    hooks.subscribe(TaskOutcome, on_task_outcome)
