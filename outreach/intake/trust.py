"""Who may change what about a family: a sender party to the case, or a notice held for staff.

A notice joins the case of the person it is about; what it may change there
depends on who sent it (issue 13, items 1-2):

- **party to the case** – the bailiff's or the court's feed, a caseworker who
  may see the case, an integration speaking for staff, or the landlord whose
  notice the case already holds: the notice counts, and its data are written
  field by field by trust (``intake.person``);
- **not party** – a caseworker of another district (or an integration whose
  caller cannot see the case), another landlord: the notice is kept on the
  case but held (``Trigger.review == "pending"``). It changes nothing – no
  address, no round, no district, no cancelled visit – and a task asks the
  case's own staff to confirm or dismiss it by the letter's deadline. The
  sender learns only that it was received and passed on.

Routing never follows who sent a notice: the caller's district is not a rule
of the circular (``intake.reroute``).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from outreach import timeline
from outreach.cases.tasks import NOTICE_REVIEW, new_task
from outreach.hooks import Hooks, TaskOutcome
from outreach.intake.person import DATE_AUTHORITIES
from outreach.ladder import planning
from outreach.models import Case, Task, Trigger
from outreach.runtime import Runtime
from outreach.vocabulary import COUNTING, TRUSTED, trust_of


def source_key(source: dict[str, Any]) -> str:
    """Who sent a trigger, for scoping its reference.

    References are the sender's own numbering (a landlord's "2024-1", the
    bailiff's case number): only the same sender sending the same reference
    again is the same trigger. The org number identifies a sender; without
    one, its name (case and spacing ignored) does.
    """
    org = source.get("org_number")
    if org:
        return f"{source['type']}:{org}"
    name = " ".join((source.get("name") or "").split()).lower()
    return f"{source['type']}:name:{name}"


def is_party(case: Case, source: dict[str, Any], sees: Callable[[Case], bool] | None) -> bool:
    """May this sender's notice change the case? (see the module docstring)."""
    if sees is not None:
        return sees(case)
    if trust_of(source["type"]) >= TRUSTED:
        return True
    # A landlord is party when the case holds its notice, or names it as the
    # plaintiff (the petition's counterpart, by organisation number).
    key, org = source_key(source), source.get("org_number")
    return any(
        t.review in COUNTING and (t.source_key == key or (org and t.counterpart_org_number == org))
        for t in case.triggers
    )


def hold_for_staff(
    session: Session,
    rt: Runtime,
    case: Case,
    trigger: Trigger,
    reported: list[str],
    at: datetime,
    actor: str | None,
) -> None:
    """Keep a non-party's notice on the case, changing nothing, and ask its staff."""
    open_review = session.scalar(
        select(Task.id).where(
            Task.case_id == case.id, Task.kind == NOTICE_REVIEW, Task.status == "open"
        )
    )
    if open_review is None:  # one task settles every notice held on the case
        _ask_staff(session, rt, case, at)
    timeline.record(
        session,
        case.id,
        "notice_held",
        at,
        actor=actor,
        trigger_id=trigger.id,
        trigger_kind=trigger.kind,
        source_type=trigger.source_type,
        reported_fields=reported or None,
    )


def _ask_staff(session: Session, rt: Runtime, case: Case, at: datetime) -> None:
    deadline = rt.calendar.add_working_days(at, 3)  # the letter's deadline (000)
    new_task(
        session,
        rt,
        case,
        None,
        kind=NOTICE_REVIEW,
        title="Ny melding fra en som ikke er part i saken: bekreft eller avvis",
        assignee_role="caseworker",
        due_at=deadline,
        note=(
            "Meldingen er lagt på saken, men endrer ingenting før den er bekreftet: "
            "ikke adresse, telefon, husstand, utkastelsesdato eller bydel. "
            "Opplysninger i den står som «oppgitt, ikke bekreftet» på saken."
        ),
    )


def on_task_outcome(event: TaskOutcome) -> None:
    """Staff settled a held notice: confirmed, it counts from now; dismissed, it never will."""
    if event.task.kind != NOTICE_REVIEW:
        return
    session, rt, case = event.session, event.rt, event.case
    held = [t for t in case.triggers if t.review == "pending"]
    for trigger in held:
        trigger.review = event.outcome
        timeline.record(
            session,
            case.id,
            "notice_reviewed",
            event.at,
            actor=event.actor,
            trigger_id=trigger.id,
            decision=event.outcome,
        )
    if event.outcome != "confirmed" or not held or case.status == "closed":
        return
    for trigger in held:
        planning.join_round(case, trigger, new_case=False)
        if trigger.eviction_date is not None and trigger.source_type in DATE_AUTHORITIES:
            case.eviction_date = trigger.eviction_date
    planning.update_crisis(session, rt, case, event.at)
    planning.replan(session, rt, case, event.at)


def subscribe(hooks: Hooks) -> None:
    hooks.subscribe(TaskOutcome, on_task_outcome)
