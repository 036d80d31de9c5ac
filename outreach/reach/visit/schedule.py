"""Book a visit for a step: the first slot with a free pair, else the pool.

When no pair is free in time the visit goes to the pool (no named staff) with
a ``visit_needs_staffing`` event, so a lead staffs it by hand.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from outreach import timeline
from outreach.models import Case, Step, Task
from outreach.models.visits import HomeVisit
from outreach.policy import Rule
from outreach.reach.visit.calendar import (
    VISIT_LENGTH,
    _assign,
    _first_slot,
    _free_pair,
    _latest,
    _lock_staff,
    candidate_slots,
    team,
)
from outreach.reach.visit.notices import _plan_notice
from outreach.runtime import Runtime

# The ladder's visit and one more after "not home" (issue 4).
MAX_VISITS = 2


def schedule_visit(
    session: Session,
    rt: Runtime,
    case: Case,
    step: Step,
    rule: Rule,
    now: datetime,
    *,
    visit_no: int = 1,
    actor: str | None = None,
) -> HomeVisit:
    """Book a visit: the first slot with a free pair, else the pool at the first slot."""
    from outreach.cases.tasks import new_task

    latest = _latest(rt, case, rule, now)
    fallback = _first_slot(rt, now)
    if latest is not None:
        fallback = min(fallback, latest)
    members = team(session, case.district_code)
    _lock_staff(session, [m.id for m in members])
    task = new_task(
        session,
        rt,
        case,
        step,
        kind=rule.task_kind or "home_visit",
        title=rule.task_title or "Hjemmebesøk",
        assignee_role=rule.assignee_role,
        due_at=fallback,
        scheduled_for=fallback,
    )
    visit = HomeVisit(
        task_id=task.id,
        case_id=case.id,
        step_id=step.id,
        district_code=case.district_code,
        starts_at=fallback,
        ends_at=fallback + VISIT_LENGTH,
        visit_no=visit_no,
        status="scheduled",
        staffing="pool",
        ical_uid=f"{uuid.uuid4()}@outreach.oslo.kommune.no",
        ical_sequence=0,
        created_at=now,
        updated_at=now,
    )
    session.add(visit)
    session.flush()
    pair: list[int] | None = None
    if len(members) >= 2:
        for slot in candidate_slots(rt, now, latest):
            candidate = _free_pair(session, members, slot)
            if candidate is None:
                continue
            visit.starts_at, visit.ends_at = slot, slot + VISIT_LENGTH
            if _assign(session, visit, candidate):
                pair = candidate
                break
    if pair is None:
        visit.starts_at, visit.ends_at = fallback, fallback + VISIT_LENGTH
    else:
        visit.staffing = "staffed"
        task.assignee_id = pair[0]
    task.due_at = task.scheduled_for = visit.starts_at
    session.flush()
    notice = _plan_notice(session, rt, case, visit, rule, now)
    timeline.record(
        session,
        case.id,
        "visit_booked",
        now,
        channel="visit",
        actor=actor,
        step_id=step.id,
        task_id=task.id,
        visit_id=visit.id,
        visit_no=visit_no,
        starts_at=visit.starts_at.isoformat(),
        staffing=visit.staffing,
        staff=pair,
        tenant_notice=notice,
    )
    if pair is None:
        timeline.record(
            session,
            case.id,
            "visit_needs_staffing",
            now,
            channel="visit",
            visit_id=visit.id,
            district=case.district_code,
            reason="no free pair in the outreach team in time"
            if len(members) >= 2
            else "the district has no outreach team of two",
        )
    return visit


def task_for_step(
    session: Session, rt: Runtime, case: Case, step: Step, rule: Rule, now: datetime
) -> Task:
    """The home-visit step's task; booked once, found again if the job runs twice."""
    visit = session.scalar(
        select(HomeVisit).where(HomeVisit.step_id == step.id).order_by(HomeVisit.id).limit(1)
    )
    if visit is None:
        visit = schedule_visit(session, rt, case, step, rule, now)
    task = session.get(Task, visit.task_id)
    assert task is not None
    return task
