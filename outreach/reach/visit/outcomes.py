"""How a visit went: closed, and after "not home" one more visit (issue 4)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from outreach import timeline
from outreach.models import Case, Step, Task
from outreach.models.visits import HomeVisit
from outreach.reach.visit.invitations import _queue_invitation
from outreach.reach.visit.schedule import MAX_VISITS, schedule_visit
from outreach.runtime import Runtime


def after_outcome(
    session: Session,
    rt: Runtime,
    case: Case,
    task: Task,
    outcome: str,
    at: datetime,
    actor: str | None,
) -> HomeVisit | None:
    """Close the visit; "not home" plans one more (issue 4), the others are recorded."""
    visit = session.scalar(select(HomeVisit).where(HomeVisit.task_id == task.id))
    if visit is not None and visit.status == "scheduled":
        visit.status = "done"
        visit.updated_at = rt.now()
    if outcome == "refused":
        timeline.record(
            session, case.id, "contact_refused", at, channel="visit", actor=actor, task_id=task.id
        )
    elif outcome == "moved_out":
        # The ladder goes on (a letter may still reach a new address); staff
        # look for the new address.
        timeline.record(
            session, case.id, "tenant_moved_out", at, channel="visit", actor=actor, task_id=task.id
        )
    elif outcome == "not_home":
        timeline.record(
            session, case.id, "contact_card_left", at, channel="visit", actor=actor, task_id=task.id
        )
        return _plan_another(session, rt, case, task, actor)
    return None


def _plan_another(
    session: Session, rt: Runtime, case: Case, task: Task, actor: str | None
) -> HomeVisit | None:
    if task.step_id is None or case.status != "open" or case.ladder_state != "running":
        return None
    visits_so_far = session.scalar(
        select(func.count(Task.id)).where(Task.step_id == task.step_id, Task.kind == task.kind)
    )
    if (visits_so_far or 0) >= MAX_VISITS:
        return None
    step = session.get(Step, task.step_id)
    assert step is not None
    rule = rt.policy.by_name.get(step.rule) or rt.policy.by_name.get("home_visit")
    if rule is None:
        return None
    visit = schedule_visit(
        session, rt, case, step, rule, rt.now(), visit_no=(visits_so_far or 0) + 1, actor=actor
    )
    _queue_invitation(session, rt, visit, rt.now(), "nytt besøk")
    return visit
