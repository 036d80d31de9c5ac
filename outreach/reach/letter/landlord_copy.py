"""Staff asking for a copy of the tenant letter to the landlord ("Send kopi til utleier").

The circular (000, «Videre saksbehandling») sends copies to the bailiff after a petition
and to the plaintiff after a forced sale as a matter of routine, but a copy to the
landlord only when the caseworker chooses: the landlord learns that NAV has written to
the tenant, which may help (the landlord waits for NAV) or harm (the tenant did not want
the landlord to know). So the planner never plans it: the policy rule ``copy_landlord``
is anchored on ``staff_request`` and this module plans its step, through
``steps.add_step`` like every step planned outside the planner, for the tick to hand to
the same letter job as the other copies (``jobs.execute._batch_letter``), which puts it
in the district's print batch.

The copy itself (templates/letters/copies/copy_landlord.html) says only that NAV wrote
to the person with general information; it never says whether the tenant is a NAV client
(NAV-loven § 7, sosialtjenesteloven § 44). It needs a landlord with a postal address from
the notice (``outreach.parties``): a letter with only a name in the window cannot be
posted. The step and its ``landlord_copy_requested`` event are written in the caller's
transaction; the caller commits.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from outreach import timeline
from outreach.cases.errors import CaseActionError
from outreach.ladder import steps
from outreach.models import Case, Step, Trigger
from outreach.parties import copy_recipient
from outreach.policy import Rule
from outreach.reach.letter.actions import letter_on_its_way
from outreach.runtime import Runtime
from outreach.vocabulary import STEP_OPEN

RULE = "copy_landlord"
AUDIENCE = "copy_landlord"
KEY_PREFIX = "copy_landlord:request:"

#: Why a copy cannot be asked for now (English, like ``outreach.cases``; the staff
#: pages say them in bokmål).
CLOSED = "The case is closed."
NO_RULE = "The policy has no copy to the landlord."
PROTECTED = "Protected address: copies are sent manually."
NO_TENANT_LETTER = "No letter to the tenant has been sent or is on its way."
NO_LANDLORD = "The notice names no landlord with a postal address."
ON_ITS_WAY = "A copy to the landlord is already on its way (not yet posted)."


def landlord_copy_rule(rt: Runtime) -> Rule | None:
    rule = rt.policy.by_name.get(RULE)
    if rule is None or rule.channel != "letter" or rule.audience != AUDIENCE:
        return None
    return rule


def _landlord_trigger(session: Session, case: Case) -> Trigger | None:
    """The latest trigger that names a landlord with a postal address."""
    triggers = session.scalars(
        select(Trigger).where(Trigger.case_id == case.id).order_by(Trigger.id.desc())
    ).all()
    return next((t for t in triggers if copy_recipient(t, AUDIENCE) is not None), None)


def _copy_on_its_way(session: Session, case: Case) -> Step | None:
    return session.scalar(
        select(Step)
        .where(Step.case_id == case.id, Step.rule == RULE, Step.status.in_(STEP_OPEN))
        .limit(1)
    )


def landlord_copy_blocker(session: Session, rt: Runtime, case: Case) -> str | None:
    """Why a copy to the landlord cannot be asked for now, or None."""
    if case.status == "closed":
        return CLOSED
    if landlord_copy_rule(rt) is None:
        return NO_RULE
    if case.person.protected_address:
        return PROTECTED
    # The copy says NAV has written to the tenant: only true once a letter is sent or
    # on its way.
    if case.letter_sent_at is None and letter_on_its_way(session, rt, case) is None:
        return NO_TENANT_LETTER
    if _landlord_trigger(session, case) is None:
        return NO_LANDLORD
    if _copy_on_its_way(session, case) is not None:
        return ON_ITS_WAY
    return None


def request_landlord_copy(
    session: Session, rt: Runtime, case: Case, actor: str, now: datetime
) -> Step:
    """Plan the copy-to-landlord letter for the latest landlord notice, due now."""
    blocker = landlord_copy_blocker(session, rt, case)
    if blocker is not None:
        raise CaseActionError(blocker)
    rule = landlord_copy_rule(rt)
    trigger = _landlord_trigger(session, case)
    assert rule is not None and trigger is not None  # landlord_copy_blocker checked
    keys = session.scalars(
        select(Step.key).where(Step.case_id == case.id, Step.key.startswith(KEY_PREFIX))
    ).all()
    number = 1 + max((int(k.removeprefix(KEY_PREFIX)) for k in keys), default=0)
    step = steps.add_step(
        session,
        case.id,
        rule=rule.name,
        key=f"{KEY_PREFIX}{number}",
        channel="letter",
        due_at=now,
        now=now,
        # The copies' three working days, counted from the request.
        deadline_at=rule.deadline.apply(now, rt.calendar) if rule.deadline else None,
        trigger_id=trigger.id,
        params={"requested": number},
    )
    timeline.record(
        session,
        case.id,
        "landlord_copy_requested",
        now,
        channel="letter",
        actor=actor,
        step_id=step.id,
        trigger_id=trigger.id,
    )
    return step
