"""What staff do to a visit: move it or cancel it, telling the pair and the tenant."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete
from sqlalchemy.orm import Session

from outreach import timeline
from outreach.ladder import steps as ladder_steps
from outreach.models import Case, Task
from outreach.models.visits import HomeVisit, VisitStaff
from outreach.reach.visit.calendar import (
    OSLO,
    VISIT_LENGTH,
    VisitError,
    _assign,
    _free_pair,
    _lock_staff,
    busy_users,
    staff_of,
    team,
)
from outreach.reach.visit.invitations import _queue_invitation
from outreach.reach.visit.notices import _notice_steps, _plan_cancelled_notice, _plan_notice
from outreach.runtime import Runtime
from outreach.vocabulary import STEP_OPEN


def _check_time(rt: Runtime, start: datetime, now: datetime) -> None:
    if start.tzinfo is None:
        raise VisitError("The time must have a time zone.", "starts_at")
    local = start.astimezone(OSLO)
    opens, closes = rt.policy.working_hours
    if not rt.calendar.is_working_day(local.date()):
        raise VisitError("Visits are on working days only.", "starts_at")
    if (
        local.time() < opens
        or (local + VISIT_LENGTH).time() > closes
        or ((local + VISIT_LENGTH).date() != local.date())
    ):
        raise VisitError("The visit must lie within working hours.", "starts_at")
    if start <= now:
        raise VisitError("The new time must be in the future.", "starts_at")


def move_visit(
    session: Session,
    rt: Runtime,
    visit: HomeVisit,
    starts_at: datetime,
    *,
    actor: str | None = None,
    staff_ids: list[int] | None = None,
) -> HomeVisit:
    """Move a visit (and optionally change its pair); the staff get SEQUENCE + 1.

    ``staff_ids=None`` keeps the pair (or, for a pool visit, takes a free pair
    at the new time if there is one); an empty list makes it a pool visit.
    """
    if visit.status != "scheduled":
        raise VisitError("Only a scheduled visit can be moved.", "starts_at")
    now = rt.now()
    _check_time(rt, starts_at, now)
    members = team(session, visit.district_code)
    member_ids = {m.id for m in members}
    current_ids = [u.id for u in staff_of(session, visit)]
    wanted = current_ids if staff_ids is None else list(dict.fromkeys(staff_ids))
    if wanted and (len(wanted) != 2 or not set(wanted) <= member_ids):
        raise VisitError("Choose two people from the district's outreach team.", "staff")
    _lock_staff(session, list(member_ids | set(current_ids)))
    session.execute(delete(VisitStaff).where(VisitStaff.visit_id == visit.id))
    was = visit.starts_at
    visit.starts_at, visit.ends_at = starts_at, starts_at + VISIT_LENGTH
    if not wanted and staff_ids is None:
        wanted = _free_pair(session, members, starts_at) or []
    if wanted:
        busy = busy_users(session, wanted, visit.starts_at, visit.ends_at, exclude_visit=visit.id)
        if busy:
            names = ", ".join(sorted(u.display_name for u in members if u.id in busy))
            raise VisitError(f"Already booked then (travel time included): {names}.", "starts_at")
        if not _assign(session, visit, wanted):
            raise VisitError("Already booked then.", "starts_at")
    visit.staffing = "staffed" if wanted else "pool"
    visit.ical_sequence += 1
    visit.updated_at = now
    task = session.get(Task, visit.task_id)
    assert task is not None
    task.due_at = task.scheduled_for = visit.starts_at
    task.assignee_id = wanted[0] if wanted else None
    timeline.record(
        session,
        visit.case_id,
        "visit_moved",
        now,
        channel="visit",
        actor=actor,
        task_id=task.id,
        visit_id=visit.id,
        was=was.isoformat(),
        starts_at=visit.starts_at.isoformat(),
        staff=wanted or None,
        staffing=visit.staffing,
        sequence=visit.ical_sequence,
    )
    if not wanted:
        timeline.record(
            session, visit.case_id, "visit_needs_staffing", now, channel="visit",
            visit_id=visit.id, district=visit.district_code, reason="moved without a pair",
        )  # fmt: skip
    _renotify(session, rt, visit, now)
    _queue_invitation(session, rt, visit, now, "flyttet")
    return visit


def _renotify(session: Session, rt: Runtime, visit: HomeVisit, now: datetime) -> None:
    """A pending notice names the new time; a sent one is followed by a new notice."""
    case = session.get(Case, visit.case_id)
    assert case is not None
    notices = _notice_steps(session, visit)
    pending = [s for s in notices if s.status in STEP_OPEN]
    for step in pending:
        step.params = {**(step.params or {}), "when": visit.starts_at.astimezone(OSLO).isoformat()}
    if notices and not pending and case.status == "open" and case.ladder_state == "running":
        rule = rt.policy.by_name.get("home_visit")
        if rule is not None:
            _plan_notice(session, rt, case, visit, rule, now)


def cancel_visit(
    session: Session,
    rt: Runtime,
    visit: HomeVisit,
    *,
    reason: str,
    actor: str | None = None,
    cancel_task: bool = True,
) -> HomeVisit:
    """Cancel a visit: free the staff, withdraw the notice, send CANCEL (SEQUENCE + 1)."""
    if visit.status != "scheduled":
        raise VisitError("Only a scheduled visit can be cancelled.", "reason")
    if cancel_task and len(reason.strip()) < 3:
        raise VisitError("Write why the visit is cancelled.", "reason")
    now = rt.now()
    staff = [u.id for u in staff_of(session, visit)]
    session.execute(delete(VisitStaff).where(VisitStaff.visit_id == visit.id))
    visit.status = "cancelled"
    visit.cancel_reason = reason.strip()
    visit.ical_sequence += 1
    visit.updated_at = now
    task = session.get(Task, visit.task_id)
    if cancel_task and task is not None and task.status == "open":
        task.status = "cancelled"
        task.outcome = "cancelled"
        task.completed_at = now
        timeline.record(
            session, visit.case_id, "task_cancelled", now, actor=actor,
            task_id=task.id, task_kind=task.kind, reason=reason.strip(),
        )  # fmt: skip
    told = False
    case = session.get(Case, visit.case_id)
    assert case is not None
    for step in _notice_steps(session, visit):
        if step.status in STEP_OPEN:
            ladder_steps.cancel_step(session, rt, case, step, now, "visit cancelled", actor=actor)
        elif step.status == "done":
            told = True
    off_notice = (
        _plan_cancelled_notice(session, rt, case, visit, visit.starts_at, now) if told else None
    )
    timeline.record(
        session,
        visit.case_id,
        "visit_cancelled",
        now,
        channel="visit",
        actor=actor,
        visit_id=visit.id,
        task_id=visit.task_id,
        reason=reason.strip() or None,
        staff=staff or None,
        sequence=visit.ical_sequence,
        # The tenant was told of the visit: an SMS tells them it is off.
        tenant_was_notified=told or None,
        tenant_notice=off_notice,
    )
    _queue_invitation(session, rt, visit, now, "avlyst")
    return visit
