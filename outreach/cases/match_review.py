"""A doubtful match decided by a person: the same household (merge) or not.

Intake never merges on a close name alone (issue 3); a caseworker looks at
both and decides here.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from outreach import timeline
from outreach.cases.errors import CaseActionError
from outreach.cases.response import end_case
from outreach.ladder import planning
from outreach.models import Case, MatchReview, Trigger, User
from outreach.runtime import Runtime

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
    end_case(
        session, rt, new_case, now, outcome="merged", reason="merged into another case", actor=actor
    )
    moved = list(session.scalars(select(Trigger).where(Trigger.case_id == new_case.id)))
    for trigger in moved:
        trigger.case_id = earlier.id
        trigger.round = earlier.ladder_round
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
        planning.update_crisis(session, rt, earlier, moved[-1])
    planning.replan(session, rt, earlier, now)
    return earlier
