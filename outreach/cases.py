"""Actions on a case by people: a response, a close, a district override.

Each is one transaction: the state change, its timeline event and the
cancelled steps commit together (STYLE.md habit 4). Views, API handlers and
webhooks call these; they don't change rows themselves.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from outreach import ladder, timeline
from outreach.districts import is_routable
from outreach.models import Case, MatchReview, Task, Trigger
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
    session: Session, case: Case, now: datetime, reason: str, kinds: tuple[str, ...] | None
) -> None:
    query = select(Task).where(Task.case_id == case.id, Task.status == "open")
    if kinds is not None:
        query = query.where(Task.kind.in_(kinds))
    for task in session.scalars(query):
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
    _cancel_open_tasks(session, case, now, "tenant responded", ("phone_call", "home_visit"))
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
    _cancel_open_tasks(session, case, now, "case closed", None)
    case.status = "closed"
    case.closed_at = now
    case.outcome = outcome
    case.ladder_state = "stopped"
    timeline.record(
        session, case.id, "case_closed", now, actor=actor, outcome=outcome, note=note or None
    )
    return cancelled


def assign_district(
    session: Session,
    rt: Runtime,
    case: Case,
    *,
    district: str,
    reason: str,
    actor: str | None = None,
) -> None:
    """A staff override always wins (issue 2); it is a forward on the timeline."""
    if not is_routable(district):
        raise CaseActionError("Not one of Oslo's 15 district codes.", "district")
    if not reason.strip():
        raise CaseActionError("Give a reason.", "reason")
    previous = case.district_code
    case.district_code = district
    timeline.record(
        session,
        case.id,
        "forwarded" if previous else "routed",
        rt.now(),
        actor=actor,
        from_district=previous,
        to_district=district,
        method="staff_override",
        reason=reason,
    )


MATCH_DECISIONS = ("same_person", "different_person")


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
    kept), and re-plans the earlier case with what it now knows. Returns the
    case that goes on.
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
    if decision == "different_person" or earlier.status == "closed":
        review.status = "distinct"
        timeline.record(
            session,
            new_case.id,
            "match_review_decided",
            now,
            actor=actor,
            decision="different_person",
        )
        return new_case
    review.status = "merged"
    ladder.cancel_pending(
        session, rt, new_case, now, "merged into another case", everything=True, actor=actor
    )
    _cancel_open_tasks(session, new_case, now, "merged into another case", None)
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
