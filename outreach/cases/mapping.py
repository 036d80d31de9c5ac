"""The mapping of every incoming case (issue 15): what a notice and a case record for the figures.

The peer review's most praised practice (seeds/004: «kartlegge alle innkomne
begjæringer») needs, on each notice, who asks for the eviction and why, and
later what became of the petition; on each case, whether the person was here
before (a repeat case within 24 months, or a first-timer, «debutant») and a
staff marker that the help system failed. Intake, the match review and the
case page all set them through here, so the rules live in one place and every
staff change is on the timeline.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from outreach import timeline
from outreach.cases.errors import CaseActionError
from outreach.models import Case, Trigger
from outreach.vocabulary import COUNTING, NOTICE_REASONS, PETITION_OUTCOMES, PLAINTIFF_TYPES

#: How far back an earlier case makes a repeat case («gjenganger»), in months.
REPEAT_MONTHS = 24
#: The notices a petition outcome belongs to: the petition and the eviction it scheduled.
PETITION_KINDS = ("eviction_petition", "eviction_scheduled")
#: A shorter reason than this says nothing a reader of the figures could use.
MIN_REASON = 3
MAX_REASON = 300


def default_plaintiff_type(kind: str, source_type: str) -> str | None:
    """What the sender and kind tell without asking (as migration c4e9a1f3b7d5 filled).

    A landlord sending its own warning is the plaintiff; a forced sale is asked
    for by a lender. A petition from the bailiff names no type: unknown, not guessed.
    """
    if source_type == "municipal_landlord":
        return "municipal_landlord"
    if source_type == "landlord":
        return "private_landlord"
    if kind == "forced_sale_notice":
        return "bank"
    return None


def default_reason(kind: str) -> str | None:
    """An early warning is about arrears, a forced sale is a forced sale; else unknown."""
    return {"unpaid_rent_warning": "arrears", "forced_sale_notice": "forced_sale"}.get(kind)


def months_before(at: datetime, months: int) -> datetime:
    """The same moment ``months`` calendar months earlier (31 March - 1 month: 28/29 Feb)."""
    month_index = at.year * 12 + at.month - 1 - months
    year, month = divmod(month_index, 12)
    day = at.day
    while True:
        try:
            return at.replace(year=year, month=month + 1, day=day)
        except ValueError:
            day -= 1


def history(
    session: Session, person_ids: tuple[int, ...], opened_at: datetime, *, exclude: int | None
) -> tuple[bool, bool]:
    """(first_timer, is_repeat) of a case the person(s) open at ``opened_at``.

    Only the person's cases already there count (opened before, or at the same
    moment), and not the copies a match review merged away (outcome
    ``merged``: the same notice, not an earlier case). Repeat is
    an earlier case within :data:`REPEAT_MONTHS` (the issue's «gjenganger»);
    first-timer is no earlier case at all, so a case 30 months after the last
    is neither.
    """
    query = select(Case.opened_at).where(
        Case.person_id.in_(person_ids),
        Case.opened_at <= opened_at,
        (Case.outcome.is_(None)) | (Case.outcome != "merged"),
    )
    if exclude is not None:
        query = query.where(Case.id != exclude)
    latest = session.scalar(query.order_by(Case.opened_at.desc()).limit(1))
    if latest is None:
        return True, False
    return False, latest >= months_before(opened_at, REPEAT_MONTHS)


def infer_petition_outcomes(session: Session, case: Case, notice: Trigger, at: datetime) -> None:
    """What a later notice tells about the case's earlier petitions.

    An eviction carried out ends them («evicted»); a bailiff's notice that the
    tenant lacks legal capacity, or an eviction date later than the one an
    earlier notice set, means the eviction was put off («postponed»). A notice
    never overrides what staff entered, and «postponed» can still become
    «evicted» – not the other way round. Only counting notices tell anything.
    """
    if notice.review not in COUNTING:
        return
    earlier = session.scalars(
        select(Trigger).where(
            Trigger.case_id == case.id,
            Trigger.id != notice.id,
            Trigger.kind.in_(PETITION_KINDS),
            Trigger.received_at <= notice.received_at,
            Trigger.review.is_(None) | (Trigger.review == "confirmed"),
        )
    ).all()
    dates = [p.eviction_date for p in earlier if p.eviction_date is not None]
    outcome = _told(notice, max(dates) if dates else None)
    if outcome is None:
        return
    for petition in earlier:
        if petition.petition_outcome_source == "staff" or petition.petition_outcome == "evicted":
            continue
        if outcome == petition.petition_outcome:
            continue
        petition.petition_outcome = outcome
        petition.petition_outcome_source = "notice"
        petition.petition_outcome_at = at
        timeline.record(
            session, case.id, "petition_outcome_set", at, trigger_id=petition.id,
            petition_outcome=outcome, by_trigger=notice.id,
        )  # fmt: skip


def _told(notice: Trigger, scheduled: date | None) -> str | None:
    """The outcome ``notice`` tells of the petitions before it; ``scheduled`` is the
    latest eviction date they set (a petition often has none of its own)."""
    if notice.kind == "eviction_completed":
        return "evicted"
    if notice.kind == "lacks_capacity":
        return "postponed"
    later = notice.eviction_date
    if notice.kind in PETITION_KINDS and later and scheduled and later > scheduled:
        return "postponed"
    return None


def set_petition_outcome(
    session: Session,
    case: Case,
    notice: Trigger,
    outcome: str | None,
    at: datetime,
    *,
    actor: str | None,
) -> bool:
    """Staff say what became of a petition (or that it is not known: None). True if it changed."""
    if notice.case_id != case.id:
        raise CaseActionError("The notice belongs to another case.", "trigger_id")
    if notice.kind not in PETITION_KINDS:
        raise CaseActionError("Only a petition or a scheduled eviction has an outcome.", "outcome")
    if outcome is not None and outcome not in PETITION_OUTCOMES:
        raise CaseActionError(f"Must be one of: {', '.join(PETITION_OUTCOMES)}.", "outcome")
    if outcome == notice.petition_outcome and (
        outcome is None or notice.petition_outcome_source == "staff"
    ):
        return False
    before = notice.petition_outcome
    notice.petition_outcome = outcome
    notice.petition_outcome_source = "staff" if outcome is not None else None
    notice.petition_outcome_at = at if outcome is not None else None
    timeline.record(
        session, case.id, "petition_outcome_set", at, actor=actor, trigger_id=notice.id,
        petition_outcome=outcome or "unknown", petition_outcome_was=before,
    )  # fmt: skip
    return True


def set_notice_mapping(
    session: Session,
    case: Case,
    notice: Trigger,
    *,
    plaintiff_type: str | None,
    reason: str | None,
    at: datetime,
    actor: str | None,
) -> list[str]:
    """Staff correct who the plaintiff is and why the notice came; the fields that changed."""
    if notice.case_id != case.id:
        raise CaseActionError("The notice belongs to another case.", "trigger_id")
    if plaintiff_type is not None and plaintiff_type not in PLAINTIFF_TYPES:
        raise CaseActionError(f"Must be one of: {', '.join(PLAINTIFF_TYPES)}.", "plaintiff_type")
    if reason is not None and reason not in NOTICE_REASONS:
        raise CaseActionError(f"Must be one of: {', '.join(NOTICE_REASONS)}.", "reason")
    changed: dict[str, Any] = {}
    if plaintiff_type != notice.plaintiff_type:
        notice.plaintiff_type = plaintiff_type
        changed["plaintiff_type"] = plaintiff_type or "unknown"
    if reason != notice.reason:
        notice.reason = reason
        changed["notice_reason"] = reason or "unknown"
    if changed:
        timeline.record(
            session, case.id, "notice_mapping_set", at, actor=actor, trigger_id=notice.id,
            **changed,
        )  # fmt: skip
    return sorted(changed)


def mark_system_failure(
    session: Session, case: Case, reason: str | None, at: datetime, *, actor: str | None
) -> bool:
    """The staff marker «system failure» (seeds/004: «saker der det har vært systemsvikt»).

    ``reason`` None clears it. A marker without a reason could not be learnt
    from, so one is required. True if anything changed.
    """
    if reason is None:
        if not case.system_failure:
            return False
        case.system_failure = False
        case.system_failure_reason = None
        case.system_failure_at = None
        timeline.record(session, case.id, "system_failure_cleared", at, actor=actor)
        return True
    reason = " ".join(reason.split())
    if not MIN_REASON <= len(reason) <= MAX_REASON:
        raise CaseActionError(
            f"Give a short reason ({MIN_REASON}–{MAX_REASON} characters).", "reason"
        )
    if case.system_failure and case.system_failure_reason == reason:
        return False
    case.system_failure = True
    case.system_failure_reason = reason
    case.system_failure_at = at
    # The reason is the staff member's words about the help system, not about the person.
    timeline.record(
        session, case.id, "system_failure_marked", at, actor=actor, failure_reason=reason
    )
    return True
