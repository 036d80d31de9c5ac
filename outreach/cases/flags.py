"""Flags ask a named person for a decision; the system never reports by itself.

Principle 5 and DOMAIN.md "Child welfare": the duty to report applies when
there is *reason to believe* a child is seriously neglected (barnevernsloven
§ 13-2 (earlier § 6-4); sosialtjenesteloven § 45). Being unreachable before an
eviction is not enough by itself, and the Parliamentary Ombud criticised a NAV
office in 2023 for routine reports. So a flag shows the threshold, offers the
decisions, records the one taken with its reason, and raises an undecided
flag to the district lead after two working days.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from outreach import timeline
from outreach.ladder import steps
from outreach.models import Case, Flag, Step, Task, User
from outreach.permissions import may_decide_flag
from outreach.runtime import Runtime
from outreach.workdays import Offset

FLAG_DECISIONS = {
    "child_welfare_assessment": ("no_report", "seek_parent_consent", "report"),
    "special_followup": ("no_special_followup", "special_followup_started", "referred"),
}

#: The work a decision leaves for a person (kind, title). Asking the parents
#: for consent comes *before* any contact with child welfare; telling the parent
#: about a report comes after one (DOMAIN.md "Child welfare").
DECISION_TASKS = {
    "seek_parent_consent": (
        "seek_parent_consent",
        "Be foreldrene om samtykke til å kontakte barneverntjenesten",
    ),
    "report": ("inform_parent", "Fortell forelderen om kontakten med barneverntjenesten"),
}

THRESHOLD_TEXT = {
    "child_welfare_assessment": (
        "Meld bare når det er grunn til å tro at et barn blir alvorlig skadelidende "
        "(barnevernsloven § 13-2, sosialtjenesteloven § 45). At familien ikke svarer før en "
        "utkastelse er ikke nok alene. Mindre alvorlig bekymring: be om foreldrenes samtykke. "
        "En melding skal være minimal, og forelderen skal få vite om den."
    ),
    "special_followup": (
        "Vurder særskilt oppfølging fordi leietaker har høy alder eller opplysninger tyder "
        "på at vedkommende trenger hjelp (rundskrivet: «Barn, høy alder eller andre "
        "særskilte forhold»)."
    ),
}


def raise_flag(
    session: Session,
    rt: Runtime,
    case: Case,
    kind: str,
    now: datetime,
    overdue_after: Offset,
) -> Flag | None:
    existing = session.scalar(
        select(Flag).where(
            Flag.case_id == case.id, Flag.kind == kind, Flag.round == case.ladder_round
        )
    )
    if existing is not None:
        return None
    flag = Flag(
        case_id=case.id,
        kind=kind,
        round=case.ladder_round,
        raised_at=now,
        assignee_id=case.caseworker_id,
        due_at=overdue_after.apply(now, rt.calendar),
        status="open",
    )
    session.add(flag)
    session.flush()
    timeline.record(
        session,
        case.id,
        "flag_raised",
        now,
        flag=kind,
        flag_id=flag.id,
        due_at=flag.due_at.isoformat(),
    )
    session.add(
        Step(
            case_id=case.id,
            rule="flag_overdue",
            key=f"flag_overdue:{flag.id}",
            channel="check",
            due_at=flag.due_at,
            status="planned",
            params={"flag_id": flag.id},
        )
    )
    return flag


def escalate_if_undecided(
    session: Session, rt: Runtime, case: Case, flag_id: int, now: datetime
) -> bool:
    flag = session.get(Flag, flag_id)
    if flag is None or flag.status == "decided":
        return False
    lead = None
    if case.district_code:
        for user in session.scalars(select(User).where(User.active.is_(True))):
            if "district_lead" in user.role_set and case.district_code in user.district_set:
                lead = user
                break
    flag.status = "escalated"
    flag.escalated_at = now
    timeline.record(
        session,
        case.id,
        "flag_overdue",
        now,
        flag=flag.kind,
        flag_id=flag.id,
        raised_to=lead.username if lead else "district_lead",
    )
    return True


def may_decide(flag: Flag, case: Case, user: User) -> bool:
    """The flag's named decider or the case's caseworker, or a lead of the district
    (``outreach.permissions.may_decide_flag``): web and API ask the same question."""
    return may_decide_flag(
        user_id=user.id,
        roles=user.role_set,
        districts=user.district_set,
        assignee_id=flag.assignee_id,
        caseworker_id=case.caseworker_id,
        district=case.district_code,
    )


class FlagDecisionError(ValueError):
    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.field = field


def decide_flag(
    session: Session, rt: Runtime, flag: Flag, *, decision: str, reason: str, user: User | None
) -> None:
    allowed = FLAG_DECISIONS.get(flag.kind, ())
    if decision not in allowed:
        raise FlagDecisionError(f"Must be one of: {', '.join(allowed)}.", "decision")
    if len(reason.strip()) < 10:
        raise FlagDecisionError(
            "Write the reason for the decision (at least 10 characters).", "reason"
        )
    if flag.status == "decided":
        raise FlagDecisionError("The flag is already decided.", "decision")
    now = rt.now()
    flag.status = "decided"
    flag.decision = decision
    flag.reason = reason.strip()
    flag.decided_at = now
    flag.decided_by = user.id if user else None
    timeline.record(
        session,
        flag.case_id,
        "flag_decided",
        now,
        actor=user.username if user else None,
        flag=flag.kind,
        flag_id=flag.id,
        decision=decision,
    )
    follow = DECISION_TASKS.get(decision)
    if follow is not None:
        # DOMAIN.md: a person does what the decision asks; the system reminds.
        kind, title = follow
        case = session.get(Case, flag.case_id)
        task = Task(
            case_id=flag.case_id,
            kind=kind,
            title=title,
            assignee_id=user.id if user else None,
            district_code=case.district_code if case else None,
            due_at=rt.calendar.add_working_days(now, 2),
            status="open",
        )
        session.add(task)
        session.flush()
        timeline.record(session, flag.case_id, "task_created", now, task_kind=kind, task_id=task.id)
    flag_case = session.get(Case, flag.case_id)
    assert flag_case is not None
    for step in session.scalars(
        select(Step).where(Step.key == f"flag_overdue:{flag.id}", Step.status == "planned")
    ):
        steps.cancel_step(
            session, rt, flag_case, step, now, "flag decided", actor=user.username if user else None
        )
