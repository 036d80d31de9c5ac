"""Staff asking for the tenant letter now: "send brevet nå / send på nytt" (issues 3 and 5).

A re-send is not a shortcut around the print batch: it plans a new letter
step for the case's latest trigger, due now, and the tick hands it to the
same job as any letter, which puts it in the district's open print batch.
The step and its ``letter_resend_requested`` event (who and why) are written
in the caller's transaction (STYLE.md habit 4); the caller commits.

Posting a re-sent letter does not restart the one-week clock when a letter
was already sent (``printing.post_batch`` only sets ``letter_sent_at`` once);
a first letter sent this way starts it like any other.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from outreach import timeline
from outreach.cases.contact import contact_person
from outreach.cases.errors import CaseActionError
from outreach.models import Case, Step, Trigger
from outreach.policy import Rule
from outreach.runtime import Runtime
from outreach.vocabulary import STEP_OPEN

RESEND_PREFIX = "letter:resend:"
MIN_REASON = 5


def tenant_letter_rule(rt: Runtime) -> Rule | None:
    """The policy's letter to the tenant: the rule named ``letter``, else the first one."""
    rule = rt.policy.by_name.get("letter")
    if rule is not None and rule.channel == "letter" and rule.audience == "tenant":
        return rule
    return next(
        (r for r in rt.policy.rules if r.channel == "letter" and r.audience == "tenant"), None
    )


def letter_on_its_way(session: Session, rt: Runtime, case: Case) -> Step | None:
    """An open tenant-letter step: planned, being batched, or in a batch not yet posted."""
    rule = tenant_letter_rule(rt)
    if rule is None:
        return None
    return session.scalar(
        select(Step)
        .where(Step.case_id == case.id, Step.rule == rule.name, Step.status.in_(STEP_OPEN))
        .order_by(Step.id)
        .limit(1)
    )


def resend_blocker(session: Session, rt: Runtime, case: Case) -> str | None:
    """Why a letter cannot be asked for now (English, like ``outreach.cases``), or None."""
    if case.status == "closed":
        return "The case is closed."
    if case.status == "paused":
        return "The ladder is paused: resume it first."
    if case.ladder_state != "running":
        return "The tenant has responded: the contact ladder no longer sends letters."
    if tenant_letter_rule(rt) is None:
        return "The policy has no letter to the tenant."
    person = case.person
    if person.protected_address:
        return "Protected address: the letter is sent manually."
    if not person.street:
        return "No postal address for the tenant."
    name, phone = contact_person(case)
    if not (name and phone):
        return "No contact person with a phone number for the letter."
    if letter_on_its_way(session, rt, case) is not None:
        return "A letter to the tenant is already on its way (not yet posted)."
    return None


def request_letter_resend(
    session: Session, rt: Runtime, case: Case, reason: str, actor: str
) -> Step:
    """Plan a new tenant letter for the latest trigger, due now; returns the step."""
    reason = (reason or "").strip()
    if len(reason) < MIN_REASON:
        raise CaseActionError("Write why the letter is sent now.", "reason")
    blocker = resend_blocker(session, rt, case)
    if blocker is not None:
        raise CaseActionError(blocker)
    trigger = session.scalar(
        select(Trigger).where(Trigger.case_id == case.id).order_by(Trigger.id.desc()).limit(1)
    )
    if trigger is None:
        raise CaseActionError("The case has no notice to write about.")
    rule = tenant_letter_rule(rt)
    assert rule is not None  # resend_blocker checked
    keys = session.scalars(
        select(Step.key).where(Step.case_id == case.id, Step.key.startswith(RESEND_PREFIX))
    ).all()
    number = 1 + max((int(k.removeprefix(RESEND_PREFIX)) for k in keys), default=0)
    now = rt.now()
    step = Step(
        case_id=case.id,
        trigger_id=trigger.id,
        rule=rule.name,
        key=f"{RESEND_PREFIX}{number}",
        channel="letter",
        due_at=now,
        # The same three working days as a first letter, counted from the request.
        deadline_at=rule.deadline.apply(now, rt.calendar) if rule.deadline else None,
        status="planned",
        params={"resend": number},
    )
    session.add(step)
    session.flush()
    timeline.record(
        session,
        case.id,
        "letter_resend_requested",
        now,
        channel="letter",
        actor=actor,
        step_id=step.id,
        reason=reason,
        trigger_id=trigger.id,
    )
    return step
