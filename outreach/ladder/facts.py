"""What the planner needs to know of a case, read from its rows.

The plan is pure (``outreach.policy.plan``); this is the one place the case's
triggers, person and letters become its ``CaseFacts``.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from outreach.models import Case, Step, Trigger
from outreach.policy.plan import CaseFacts, TriggerFact


def case_facts(session: Session, case: Case) -> CaseFacts:
    # A notice held for staff (``intake.trust``) is not a fact until they confirm it.
    triggers = session.scalars(
        select(Trigger).where(
            Trigger.case_id == case.id,
            or_(Trigger.review.is_(None), Trigger.review == "confirmed"),
        )
    ).all()
    person = case.person
    return CaseFacts(
        round=case.ladder_round,
        triggers=tuple(TriggerFact(t.id, t.kind, t.received_at, t.round) for t in triggers),
        client_status=case.client_status,
        children_ages=tuple(case.children_ages or ()),
        birth_date=person.birth_date,
        vulnerable=person.vulnerable,
        protected=person.protected_address,
        eviction_date=case.eviction_date,
        crisis_since=case.crisis_since,
        letter_sent_at=case.letter_sent_at,
        letter_fallback_at=letter_fallback(session, case),
        contact_started_at=case.contact_started_at,
        awaiting_match_review=case.needs_match_review,
        responded=case.ladder_state != "running",
        email_consent=bool(
            person.email_consent and person.email and person.email_invalid_at is None
        ),
    )


# A tenant letter that will not be posted: skipped (no postal address, or a
# protected address found at batching) or failed (blocked before printing).
UNSENT_LETTER = ("skipped", "failed")


def letter_fallback(session: Session, case: Case) -> datetime | None:
    """The anchor for the one-week clock when the round's letter is not posted.

    A manual letter (protected address) counts from its deadline until staff
    mark the task done, which sets ``letter_sent_at`` (``tasks.record_outcome``).
    """
    rows = session.execute(
        select(Step.rule, Step.status, Step.deadline_at, Step.due_at)
        .join(Trigger, Trigger.id == Step.trigger_id)
        .where(
            Step.case_id == case.id,
            Trigger.round == case.ladder_round,
            Step.rule.in_(("letter", "manual_letter")),
        )
    ).all()
    anchors = [
        deadline or due
        for rule, status, deadline, due in rows
        if (rule == "manual_letter" and status != "cancelled")
        or (rule == "letter" and status in UNSENT_LETTER)
    ]
    return min(anchors, default=None)
