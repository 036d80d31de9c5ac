"""A doubtful match decided by a person: the same household (merge) or not.

Intake never merges on a close name alone (issue 3); a caseworker looks at
both and decides here.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from outreach import timeline
from outreach.cases import mapping
from outreach.cases.errors import CaseActionError
from outreach.cases.response import end_case, register_response
from outreach.intake.person import merge_household, merge_person
from outreach.ladder import planning
from outreach.models import Attempt, Case, Event, MatchReview, Step, Trigger, User
from outreach.runtime import Runtime

#: A step in these states has reached the tenant or is on its way: a merge moves
#: it with its notice instead of planning it again (issue 12, item 1).
CARRIED = ("done", "waiting")

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
    if earlier.status == "closed" and decision == "same_person":
        # The person may have an open case again since the review was made (another
        # doubtful match decided first): that case is the one to join, one person
        # having one open case (found by the state machine).
        earlier = (
            session.scalar(
                select(Case).where(
                    Case.person_id == earlier.person_id,
                    Case.status != "closed",
                    Case.id != new_case.id,
                )
            )
            or earlier
        )
    review.decided_at = now
    new_case.needs_match_review = False
    if decision == "different_person":
        review.status = "distinct"
    elif earlier.status == "closed" or new_case.status == "closed":
        # Nothing open to merge into (or from): the same person, a repeat case.
        review.status = "repeat"
        # The earlier case is this person's history: repeat within 24 months, never a
        # first-timer (the mapping's rule, as intake applies it).
        new_case.first_timer, new_case.is_repeat = mapping.history(
            session,
            (earlier.person_id, new_case.person_id),
            new_case.opened_at,
            exclude=new_case.id,
        )
    else:
        review.status = "merged"
        _merge(session, rt, new_case, earlier, now, actor)
        return earlier
    timeline.record(
        session,
        new_case.id,
        "match_review_decided",
        now,
        actor=actor,
        decision=decision,
        candidate_case=earlier.reference,
        repeat_case=review.status == "repeat" or None,
    )
    if review.status == "repeat":
        changed = merge_person(session, rt, earlier.person, new_case)
        if changed:
            timeline.record(
                session, new_case.id, "person_updated", now, actor=actor, fields=changed,
                reason="merged",
            )  # fmt: skip
    planning.replan(session, rt, new_case, now)  # its letters no longer wait
    return new_case


def _merge(
    session: Session, rt: Runtime, new_case: Case, earlier: Case, now: datetime, actor: str | None
) -> None:
    """One household, one case, one person: the earlier case goes on with all it knows.

    A step done for a trigger is done whichever case the trigger belongs to
    (issue 12, item 1): the letters posted (or waiting in a print batch) for
    the moved notices move with them, so the earlier case does not plan them
    again; what was still to come is cancelled here and planned there. The
    newer notice's contact data win where their source is trusted as much
    (issue 12, item 2), and the two person rows become one.
    """
    moved = list(session.scalars(select(Trigger).where(Trigger.case_id == new_case.id)))
    carried = _carry_done_steps(session, new_case, earlier, [t.id for t in moved])
    answer = _open_answer(session, new_case)
    end_case(
        session, rt, new_case, now, outcome="merged", reason="merged into another case", actor=actor
    )
    for trigger in moved:
        trigger.case_id = earlier.id
        planning.join_round(earlier, trigger, new_case=False)
    timeline.record(session, new_case.id, "case_merged", now, actor=actor, into=earlier.reference)
    timeline.record(
        session,
        earlier.id,
        "case_merged",
        now,
        actor=actor,
        from_case=new_case.reference,
        triggers=[t.id for t in moved],
        steps_carried=carried or None,
    )
    changed = merge_person(session, rt, earlier.person, new_case)
    changed += merge_household(earlier, new_case, moved)
    if changed:
        timeline.record(
            session, earlier.id, "person_updated", now, actor=actor, fields=changed,
            reason="merged",
        )  # fmt: skip
    session.flush()
    session.expire(earlier, ["triggers"])
    if moved:
        planning.update_crisis(session, rt, earlier, now)
    planning.replan(session, rt, earlier, now)
    if answer is not None and earlier.ladder_state == "running":
        # The tenant answered on the doubtful case: the household answered, and the
        # merged ladder must not go on writing to them (the machine's quiet_after_response).
        register_response(
            session, rt, earlier, channel=answer.channel or "phone", at=answer.at,
            note="Svar registrert på saken som ble slått sammen med denne.",
        )  # fmt: skip


def _open_answer(session: Session, case: Case) -> Event | None:
    """The tenant's answer in the case's current round, if the ladder stopped for one."""
    if case.ladder_state != "responded":
        return None
    return session.scalar(
        select(Event)
        .where(Event.case_id == case.id, Event.kind == "response_registered")
        .order_by(Event.at.desc(), Event.id.desc())
        .limit(1)
    )


def _carry_done_steps(
    session: Session, new_case: Case, earlier: Case, trigger_ids: list[int]
) -> list[str]:
    """Move the moved notices' sent (or printing) steps, and their attempts, with them."""
    if not trigger_ids:
        return []
    steps = session.scalars(
        select(Step).where(
            Step.case_id == new_case.id,
            Step.trigger_id.in_(trigger_ids),
            Step.status.in_(CARRIED),
        )
    ).all()
    for step in steps:
        step.case_id = earlier.id
        for attempt in session.scalars(select(Attempt).where(Attempt.step_id == step.id)):
            attempt.case_id = earlier.id
    return [step.key for step in steps]
