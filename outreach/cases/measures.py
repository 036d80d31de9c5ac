"""Follow-up measures staff plan for a household and mark done (payment plans, debt advice ...).

Which measures fit a case is ``cases.followups``' rule (after help only on a
closed case); here they are planned and completed, each with its event.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from outreach import timeline
from outreach.cases import followups
from outreach.cases.errors import CaseActionError
from outreach.models import Case, User
from outreach.models.staff import FollowUpItem
from outreach.runtime import Runtime


def add_followup(
    session: Session,
    rt: Runtime,
    case: Case,
    *,
    kind: str,
    due_on: date,
    owner: User,
    note: str,
    actor: User,
) -> FollowUpItem:
    if kind not in followups.ALL_KINDS:
        raise CaseActionError("Unknown follow-up measure.", "kind")
    if kind not in followups.kinds_for(case):
        # Follow-up after help comes after closing; the solution alternatives do not.
        raise CaseActionError("Only follow-up after help on a closed case.", "kind")
    now = rt.now()
    item = FollowUpItem(
        case_id=case.id,
        kind=kind,
        due_on=due_on,
        owner_id=owner.id,
        status="open",
        note=note.strip(),
        created_by=actor.id,
        created_at=now,
    )
    session.add(item)
    session.flush()
    timeline.record(
        session,
        case.id,
        "followup_planned",
        now,
        actor=actor.username,
        followup_id=item.id,
        measure=kind,
        due_on=due_on.isoformat(),
        owner=owner.username,
    )
    return item


def complete_followup(session: Session, rt: Runtime, item: FollowUpItem, *, actor: User) -> None:
    if item.status != "open":
        raise CaseActionError("Already done.", "followup")
    now = rt.now()
    item.status = "done"
    item.done_at = now
    timeline.record(
        session,
        item.case_id,
        "followup_done",
        now,
        actor=actor.username,
        followup_id=item.id,
        measure=item.kind,
    )
