"""A case moves to another district with its access (issue 5).

Open tasks, flags and the caseworker follow the new district's staff; visits
and waiting letters are the channels' to move (``CaseForwarded``).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from outreach import timeline
from outreach.cases.errors import CaseActionError
from outreach.districts import is_routable
from outreach.hooks import CaseForwarded
from outreach.models import Case, Flag, Task, User
from outreach.runtime import Runtime


def _works_in(user: User | None, district: str) -> bool:
    return user is not None and ("admin" in user.role_set or district in user.district_set)


def _move_open_tasks(
    session: Session,
    case: Case,
    previous: str | None,
    district: str,
    now: datetime,
    actor: str | None,
) -> None:
    """Open tasks go with the case; a person of the old district lets go of theirs."""
    for task in session.scalars(
        select(Task).where(Task.case_id == case.id, Task.status == "open").order_by(Task.id)
    ):
        assignee = session.get(User, task.assignee_id) if task.assignee_id else None
        unassigned = assignee is not None and not _works_in(assignee, district)
        if task.district_code == district and not unassigned:
            continue  # booked for the new district just now (a re-booked visit)
        task.district_code = district
        if unassigned:
            task.assignee_id = None
        timeline.record(
            session,
            case.id,
            "task_moved",
            now,
            actor=actor,
            task_id=task.id,
            task_kind=task.kind,
            from_district=previous,
            to_district=district,
            unassigned=assignee.username if unassigned and assignee else None,
        )


def assign_district(
    session: Session,
    rt: Runtime,
    case: Case,
    *,
    district: str,
    reason: str,
    actor: str | None = None,
    method: str = "staff_override",
) -> None:
    """A staff override always wins (issue 2); it is a forward on the timeline.

    Intake's re-routing (a later trigger's facts, seeds/000) forwards through
    here too, with its rule as ``method``: only ``staff_override`` is a person's.

    A forwarded case moves with its access (issue 5): its open tasks, its
    not-yet-done home visits (the new district's team), its letters waiting
    in the old district's print batch, and its open flags and caseworker when
    they belong to the old district. All in the caller's transaction.
    """
    if not is_routable(district):
        raise CaseActionError("Not one of Oslo's 15 district codes.", "district")
    if not reason.strip():
        raise CaseActionError("Give a reason.", "reason")
    now = rt.now()
    previous = case.district_code
    case.district_code = district
    caseworker = session.get(User, case.caseworker_id) if case.caseworker_id else None
    dropped_caseworker = None
    if caseworker is not None and not _works_in(caseworker, district):
        case.caseworker_id = None
        dropped_caseworker = caseworker.username
    flags_unassigned = []
    for flag in session.scalars(
        select(Flag).where(Flag.case_id == case.id, Flag.status != "decided").order_by(Flag.id)
    ):
        if flag.assignee_id is not None and not _works_in(
            session.get(User, flag.assignee_id), district
        ):
            flag.assignee_id = None
            flags_unassigned.append(flag.id)
    timeline.record(
        session,
        case.id,
        "forwarded" if previous else "routed",
        now,
        actor=actor,
        from_district=previous,
        to_district=district,
        method=method,
        reason=reason,
        caseworker_removed=dropped_caseworker,
        flags_unassigned=flags_unassigned or None,
    )
    if previous == district:
        return
    session.flush()
    # Visits go to the new team and waiting letters to its print batch; then
    # the open tasks follow (a visit just re-booked there is already the new team's).
    rt.hooks.publish(CaseForwarded(session, rt, case, previous, actor, now))
    session.flush()
    _move_open_tasks(session, case, previous, district, now, actor)
