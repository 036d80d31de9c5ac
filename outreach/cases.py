"""Actions on a case by people: a response, a close, a district override.

Each is one transaction: the state change, its timeline event and the
cancelled steps commit together (STYLE.md habit 4). Views, API handlers and
webhooks call these; they don't change rows themselves.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from outreach import ladder, timeline
from outreach.districts import is_routable
from outreach.hooks import CaseForwarded, TasksCancelled
from outreach.models import Case, Flag, MatchReview, Task, Trigger, User
from outreach.runtime import Runtime

CONTACT_CHANNELS = (
    "phone",
    "sms_reply",
    "visit",
    "walk_in",
    "appointment",
    "letter",
    "email",
    "booking",
    "other",
)
CLOSE_OUTCOMES = (
    "paid",
    "payment_plan",
    "rent_covered_by_nav",
    "moved",
    "evicted",
    "withdrawn",
    "other",
)


class CaseActionError(ValueError):
    """The action does not fit the case's state; ``field`` names the input."""

    def __init__(self, message: str, field: str = "_schema") -> None:
        super().__init__(message)
        self.field = field


def _cancel_open_tasks(
    session: Session,
    rt: Runtime,
    case: Case,
    now: datetime,
    reason: str,
    kinds: tuple[str, ...] | None,
) -> None:
    """Cancel the tasks; a channel behind one (a booked visit) cleans up on the event."""
    query = select(Task).where(Task.case_id == case.id, Task.status == "open")
    if kinds is not None:
        query = query.where(Task.kind.in_(kinds))
    tasks = tuple(session.scalars(query))
    for task in tasks:
        task.status = "cancelled"
        task.completed_at = now
        task.outcome = "cancelled"
        timeline.record(
            session,
            case.id,
            "task_cancelled",
            now,
            task_id=task.id,
            task_kind=task.kind,
            reason=reason,
        )
    if tasks:
        rt.hooks.publish(TasksCancelled(session, rt, case, tasks, reason, now))


def register_response(
    session: Session,
    rt: Runtime,
    case: Case,
    *,
    channel: str,
    at: datetime | None = None,
    note: str = "",
    actor: str | None = None,
) -> int:
    """Any contact from the tenant stops the ladder at once (issue 2).

    Returns how many pending steps were cancelled. The contact attempts'
    tasks (calls, visits) go too; assessments and reviews stay, since a
    person still has to decide them.
    """
    if channel not in CONTACT_CHANNELS:
        raise CaseActionError(f"Must be one of: {', '.join(CONTACT_CHANNELS)}.", "channel")
    if case.status == "closed":
        raise CaseActionError("The case is closed.")
    now = rt.now()
    if at is not None and at > now + timedelta(minutes=5):
        # A contact that has not happened yet cannot stop the ladder now.
        raise CaseActionError("The contact cannot lie in the future.", "at")
    at = at or now
    timeline.record(
        session,
        case.id,
        "response_registered",
        at,
        channel=channel,
        actor=actor,
        note=note or None,
        round=case.ladder_round,
    )
    case.last_response_at = at
    case.ladder_state = "responded"
    cancelled = ladder.cancel_pending(session, rt, case, now, "tenant responded", actor=actor)
    _cancel_open_tasks(session, rt, case, now, "tenant responded", ("phone_call", "home_visit"))
    return cancelled


def close_case(
    session: Session,
    rt: Runtime,
    case: Case,
    *,
    outcome: str,
    note: str = "",
    actor: str | None = None,
) -> int:
    if outcome not in CLOSE_OUTCOMES:
        raise CaseActionError(f"Must be one of: {', '.join(CLOSE_OUTCOMES)}.", "outcome")
    if case.status == "closed":
        raise CaseActionError("The case is already closed.")
    now = rt.now()
    cancelled = ladder.cancel_pending(
        session, rt, case, now, "case closed", everything=True, actor=actor
    )
    _cancel_open_tasks(session, rt, case, now, "case closed", None)
    case.status = "closed"
    case.closed_at = now
    case.outcome = outcome
    case.ladder_state = "stopped"
    timeline.record(
        session, case.id, "case_closed", now, actor=actor, outcome=outcome, note=note or None
    )
    return cancelled


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


CASEWORKER_ROLES = ("caseworker", "district_lead")


def may_assign_caseworker(actor: User, case: Case, caseworker: User) -> bool:
    """Anyone working the case's district may take it; only a lead (or admin) gives it away."""
    roles = actor.role_set
    if "admin" in roles:
        return True
    if case.district_code is None or case.district_code not in actor.district_set:
        return False
    return caseworker.id == actor.id or "district_lead" in roles


def assign_caseworker(
    session: Session,
    rt: Runtime,
    case: Case,
    *,
    caseworker: User,
    actor: str | None = None,
) -> list[int]:
    """Name the case's caseworker (issue 5): "my cases", the letters' contact, the flags.

    Open flags without a named decider go to the caseworker, so an assessment
    always has a person who must decide it (seeds/000: people decide). Returns
    the ids of the flags handed over.
    """
    if case.status == "closed":
        raise CaseActionError("The case is closed.", "caseworker")
    if (
        not caseworker.active
        or not (caseworker.role_set & set(CASEWORKER_ROLES))
        or case.district_code is None
        or case.district_code not in caseworker.district_set
    ):
        raise CaseActionError("Not a caseworker in the case's district.", "caseworker")
    if case.caseworker_id == caseworker.id:
        raise CaseActionError("Already the case's caseworker.", "caseworker")
    previous = session.get(User, case.caseworker_id) if case.caseworker_id else None
    case.caseworker_id = caseworker.id
    case.caseworker = caseworker
    handed = []
    for flag in session.scalars(
        select(Flag)
        .where(Flag.case_id == case.id, Flag.status != "decided", Flag.assignee_id.is_(None))
        .order_by(Flag.id)
    ):
        flag.assignee_id = caseworker.id
        handed.append(flag.id)
    timeline.record(
        session,
        case.id,
        "caseworker_assigned",
        rt.now(),
        actor=actor,
        caseworker=caseworker.username,
        previous=previous.username if previous else None,
        flag_ids=handed or None,
    )
    return handed


MATCH_DECISIONS = ("same_person", "different_person")


def may_review_match(user: User, case: Case, candidate: Case) -> bool:
    """Who settles a doubtful match (issue 5): central intake and admins every one,
    since the two cases are often in different districts; anyone else only when
    they may see both cases (their district, or an unrouted one for intake)."""
    roles = user.role_set
    if roles & {"admin", "central_intake"}:
        return True
    return all(
        c.district_code is not None and c.district_code in user.district_set
        for c in (case, candidate)
    )


def resolve_match_review(
    session: Session,
    rt: Runtime,
    review: MatchReview,
    *,
    decision: str,
    actor: str | None = None,
) -> Case:
    """Staff settle a doubtful match (issue 2): merge into the earlier case, or keep apart.

    Merging moves the new case's triggers to the earlier open case, closes
    the new case as ``merged`` (its pending steps cancelled, its timeline
    kept), and re-plans the earlier case with what it now knows. When the
    earlier case is closed there is nothing to merge into: the same person
    makes the new case a repeat case (gjenganger, seeds/000 asks the districts
    to follow those up), review status ``repeat``. Returns the case that goes on.
    """
    if decision not in MATCH_DECISIONS:
        raise CaseActionError(f"Must be one of: {', '.join(MATCH_DECISIONS)}.", "decision")
    if review.status != "open":
        raise CaseActionError("The review is already decided.", "decision")
    now = rt.now()
    new_case = session.get(Case, review.case_id)
    earlier = session.get(Case, review.candidate_case_id)
    assert new_case is not None and earlier is not None
    review.decided_at = now
    new_case.needs_match_review = False
    if decision == "different_person":
        review.status = "distinct"
        timeline.record(
            session,
            new_case.id,
            "match_review_decided",
            now,
            actor=actor,
            decision="different_person",
            candidate_case=earlier.reference,
        )
        return new_case
    if earlier.status == "closed" or new_case.status == "closed":
        # Nothing open to merge into (or from): the same person, a repeat case.
        review.status = "repeat"
        new_case.is_repeat = True
        timeline.record(
            session,
            new_case.id,
            "match_review_decided",
            now,
            actor=actor,
            decision="same_person",
            candidate_case=earlier.reference,
            repeat_case=True,
        )
        return new_case
    review.status = "merged"
    ladder.cancel_pending(
        session, rt, new_case, now, "merged into another case", everything=True, actor=actor
    )
    _cancel_open_tasks(session, rt, new_case, now, "merged into another case", None)
    moved = list(session.scalars(select(Trigger).where(Trigger.case_id == new_case.id)))
    for trigger in moved:
        trigger.case_id = earlier.id
        trigger.round = earlier.ladder_round
    new_case.status = "closed"
    new_case.closed_at = now
    new_case.outcome = "merged"
    new_case.ladder_state = "stopped"
    timeline.record(session, new_case.id, "case_merged", now, actor=actor, into=earlier.reference)
    timeline.record(
        session,
        earlier.id,
        "case_merged",
        now,
        actor=actor,
        from_case=new_case.reference,
        triggers=[t.id for t in moved],
    )
    if earlier.eviction_date is None or (
        new_case.eviction_date is not None and new_case.eviction_date < earlier.eviction_date
    ):
        earlier.eviction_date = new_case.eviction_date or earlier.eviction_date
    session.flush()
    session.expire(earlier, ["triggers"])
    if moved:
        ladder.update_crisis(session, rt, earlier, moved[-1])
    ladder.replan(session, rt, earlier, now)
    return earlier
