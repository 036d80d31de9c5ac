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
from outreach.models import Case, Task
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
