"""Naming the case's caseworker: "my cases", the letters' contact, the flags' decider."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from outreach import timeline
from outreach.cases.errors import CaseActionError
from outreach.models import Case, Flag, User
from outreach.permissions import Action, may
from outreach.runtime import Runtime

CASEWORKER_ROLES = ("caseworker", "district_lead")


def may_assign_caseworker(actor: User, case: Case, caseworker: User) -> bool:
    """Anyone working the case's district may take it; only its lead gives it away
    (``outreach.permissions``: TAKE_CASE, ASSIGN_CASEWORKER)."""
    roles = actor.role_set
    if case.district_code is None or case.district_code not in actor.district_set:
        return False
    if caseworker.id == actor.id:
        return may(roles, Action.TAKE_CASE)
    return may(roles, Action.ASSIGN_CASEWORKER)


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
