"""The case page's "Hva skjer videre": everything still to happen on the case, and nothing else.

Issue 12, item 14: the section listed only the ladder's open steps, so a
caseworker did not see the open tasks, the follow-up plan, the appointment the
tenant booked or a letter that was stopped, and a letter's deadline stayed after
the letter itself was withdrawn. Reads only; writes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from outreach.models import Case, PrintItem, Step, Task, Trigger, User
from outreach.models.booking import BookingAppointment
from outreach.models.staff import FollowUpItem
from outreach.parties import NO_POSTAL_ADDRESS, copy_recipient
from outreach.policy import Policy
from outreach.vocabulary import STEP_OPEN
from outreach.web.i18n import format_day, format_deadline, format_when
from outreach.web.staff import labels, reasons
from outreach.web.staff.labels import label


@dataclass
class NextStep:
    step: Step | None
    text: str
    when: str
    unless_response: bool
    note: str = ""  # "will not be sent: ..." for a copy with no postal address
    kind: str = "step"  # step | stopped | appointment | task | followup
    at: datetime | None = None


def what_happens_next(session: Session, case: Case, policy: Policy) -> list[NextStep]:
    """What is still to happen, as a caseworker reads it (review, point 3; issue 12, item 14).

    * a letter already in the print pile is not "upcoming at 23:16" (a time now
      past): it goes when the pile is posted;
    * the three-working-day check is shown only while a letter it watches is
      still owed – open, or stopped and waiting for staff (a contact withdraws
      the letter, and then nothing is checked);
    * a copy that cannot be posted (no postal address) says so, planned or skipped;
    * a stopped letter, the appointment the tenant booked, the open tasks and
      the follow-up plan's open measures follow the ladder's steps.
    """
    steps = list(
        session.scalars(
            select(Step)
            .where(Step.case_id == case.id, Step.status.in_(STEP_OPEN))
            .order_by(Step.due_at, Step.id)
        )
    )
    stopped = _stopped_letters(session, case, policy)
    in_pile = _steps_in_pile(session, [s.id for s in steps if s.channel == "letter"])
    letters_open = {s.trigger_id for s in steps if _is_tenant_letter(policy, s)}
    letters_open |= {s.trigger_id for s in stopped}
    letters_open |= _manual_letter_triggers(session, case)
    result = []
    for step in steps:
        rule = policy.by_name.get(step.rule)
        watches = rule is not None and rule.check == "letter_overdue"
        if step.channel == "check" and watches and step.trigger_id not in letters_open:
            continue
        note = ""
        if step.id in in_pile:
            when = _("i utskriftsbunken, sendes når bunken er postlagt")
        elif step.channel == "check" and watches:
            when = format_deadline(step.due_at)
        else:
            sending = step.status in {"queued", "running"}
            when = _("sendes nå") if sending else format_when(step.due_at)
            if step.deadline_at is not None and step.channel != "check":
                when = _(
                    "%(when)s (frist %(deadline)s)",
                    when=when,
                    deadline=format_deadline(step.deadline_at, "short"),
                )
            if rule is not None and rule.channel == "letter" and rule.audience != "tenant":
                note = _copy_problem(session, rule.audience, step.trigger_id)
        result.append(
            NextStep(
                step,
                label(labels.STEP_RULES, step.rule),
                when,
                bool(rule.stops_on_response) if rule is not None else False,
                note,
            )
        )
    for letter in stopped:
        result.append(
            NextStep(
                letter,
                label(labels.STEP_RULES, letter.rule),
                _("stoppet – sendes ikke før det er rettet"),
                False,
                reasons.reason(letter.detail),
                kind="stopped",
            )
        )
    for skipped in session.scalars(
        select(Step)
        .where(
            Step.case_id == case.id,
            Step.status == "skipped",
            Step.detail == NO_POSTAL_ADDRESS,
        )
        .order_by(Step.id)
    ):
        result.append(
            NextStep(
                skipped,
                label(labels.STEP_RULES, skipped.rule),
                _("sendes ikke"),
                False,
                reasons.reason(NO_POSTAL_ADDRESS),
            )
        )
    result += _people_work(session, case)
    return result


def _people_work(session: Session, case: Case) -> list[NextStep]:
    """The booked appointment, the open tasks and the open follow-up measures."""
    result = []
    for appointment in session.scalars(
        select(BookingAppointment).where(
            BookingAppointment.case_id == case.id, BookingAppointment.status == "booked"
        )
    ):
        result.append(
            NextStep(
                None,
                _("Timeavtale på kontoret (bestilt av leietaker)"),
                format_when(appointment.starts_at),
                False,
                kind="appointment",
                at=appointment.starts_at,
            )
        )
    names = dict(session.execute(select(User.id, User.display_name)).all())
    for task in session.scalars(
        select(Task)
        .where(Task.case_id == case.id, Task.status == "open")
        .order_by(Task.due_at, Task.id)
    ):
        if task.kind == "office_appointment":
            continue  # the appointment above
        when = (
            format_when(task.scheduled_for)
            if task.scheduled_for is not None
            else format_deadline(task.due_at)
        )
        who = names.get(task.assignee_id) if task.assignee_id else None
        note = _("ansvarlig: %(who)s", who=who) if who else _("bydelens saksbehandlere")
        result.append(
            NextStep(None, label(labels.TASK_KINDS, task.kind), when, False, note, kind="task")
        )
    for item in session.scalars(
        select(FollowUpItem)
        .where(FollowUpItem.case_id == case.id, FollowUpItem.status == "open")
        .order_by(FollowUpItem.due_on, FollowUpItem.id)
    ):
        who = names.get(item.owner_id) if item.owner_id else None
        result.append(
            NextStep(
                None,
                _("Oppfølgingstiltak: %(what)s", what=label(labels.FOLLOWUP_KINDS, item.kind)),
                format_day(item.due_on),
                False,
                _("ansvarlig: %(who)s", who=who) if who else "",
                kind="followup",
            )
        )
    return result


def _is_tenant_letter(policy: Policy, step: Step) -> bool:
    """The tenant's letter (automatic or manual): the one the deadline watches.

    A copy to the bailiff goes only with its tenant letter, so a copy left open
    does not keep a withdrawn letter's deadline on the page.
    """
    rule = policy.by_name.get(step.rule)
    if rule is None:
        return step.channel == "letter"
    return rule.channel == "letter" and rule.audience in (None, "tenant")


def _stopped_letters(session: Session, case: Case, policy: Policy) -> list[Step]:
    """Tenant letters stopped before printing (no contact person): owed, waiting for staff."""
    failed = session.scalars(
        select(Step)
        .where(Step.case_id == case.id, Step.channel == "letter", Step.status == "failed")
        .order_by(Step.id)
    )
    return [s for s in failed if _is_tenant_letter(policy, s)]


def _steps_in_pile(session: Session, step_ids: list[int]) -> set[int]:
    if not step_ids:
        return set()
    return set(
        session.scalars(
            select(PrintItem.step_id).where(
                PrintItem.step_id.in_(step_ids), PrintItem.status.in_(("queued", "rendered"))
            )
        )
    )


def _manual_letter_triggers(session: Session, case: Case) -> set[int | None]:
    return set(
        session.scalars(
            select(Step.trigger_id)
            .join(Task, Task.step_id == Step.id)
            .where(Task.case_id == case.id, Task.kind == "manual_letter", Task.status == "open")
        )
    )


def _copy_problem(session: Session, audience: str | None, trigger_id: int | None) -> str:
    """Why a planned copy will be skipped, said before it happens; "" when it can go."""
    trigger = session.get(Trigger, trigger_id) if trigger_id is not None else None
    if audience is None or copy_recipient(trigger, audience) is not None:
        return ""
    return _("sendes ikke: mottakeren mangler postadresse")
