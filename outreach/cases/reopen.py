"""Reopening a case closed by mistake, with a reason (issue 12, item 14).

The close stopped the ladder and settled what belonged to the open case
(``response.end_case``); reopening does not bring those back on its own: the
case is open and visible in the lists again, its ladder stays stopped, and a
new notice starts a new round as on any case that has had contact. What is
needed now is the caseworker's to plan (a task, a follow-up measure, a letter).
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from outreach import timeline
from outreach.cases.errors import CaseActionError
from outreach.models import Case, User
from outreach.runtime import Runtime


def reopen_case(session: Session, rt: Runtime, case: Case, *, reason: str, actor: User) -> None:
    if case.status != "closed":
        raise CaseActionError("Only a closed case can be reopened.", "reason")
    if case.outcome == "merged":
        raise CaseActionError("A merged case lives on in the case it was merged into.", "reason")
    if len(reason.strip()) < 5:
        raise CaseActionError("Write why the case is reopened.", "reason")
    other = session.scalar(
        select(Case.reference).where(
            Case.person_id == case.person_id, Case.id != case.id, Case.status != "closed"
        )
    )
    if other is not None:
        # One open case per person: the newer one carries on.
        raise CaseActionError("The person has another open case.", "reason")
    outcome = case.outcome
    case.status = "open"
    case.closed_at = None
    case.outcome = None
    timeline.record(
        session,
        case.id,
        "case_reopened",
        rt.now(),
        actor=actor.username,
        reason=reason.strip(),
        outcome_was=outcome,
    )
