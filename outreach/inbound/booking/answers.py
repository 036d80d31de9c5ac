"""The tenant's three answers on the booking page: an appointment, a call, "it's sorted".

Each is a response (``cases.response.register_response``, channel
``booking``) that stops the ladder, plus its own timeline event.
"""

from __future__ import annotations

import logging
import re
from datetime import datetime, time

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from outreach import timeline
from outreach.cases.response import register_response
from outreach.inbound.booking.slots import SLOT_LENGTH, current_appointment, offered_slots
from outreach.ladder import steps
from outreach.models import Case, Task
from outreach.models.booking import BookingAppointment, BookingCode
from outreach.reach.base import Unusable
from outreach.reach.letter.codes import OSLO, _iso
from outreach.reach.registry import handler_for
from outreach.runtime import Runtime

log = logging.getLogger(__name__)


#: The policy rule that confirms a booked appointment by email (planned here only).
CONFIRMATION_RULE = "appointment_email"


#: When the tenant would like to be called; clipped to the policy's working hours.
CALL_WINDOWS: dict[str, tuple[time, time]] = {
    "morning": (time(8, 0), time(11, 0)),
    "midday": (time(11, 0), time(13, 0)),
    "afternoon": (time(13, 0), time(15, 30)),
}


CALL_TIMES = ("any", *CALL_WINDOWS)


_CALL_TIME_NB = {"any": "når som helst", "morning": "formiddag", "midday": "midt på dagen"}


_PHONE = re.compile(r"^\+?[0-9]{8,15}$")


class BookingError(ValueError):
    """The answer does not fit: ``reason`` is a key the page turns into a message."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _case(session: Session, code: BookingCode) -> Case:
    case = session.get(Case, code.case_id)
    assert case is not None
    return case


def book_slot(
    session: Session, rt: Runtime, code: BookingCode, starts_at: datetime
) -> BookingAppointment:
    """Take one offered time; ``BookingError("taken")`` if someone was faster.

    The free-list check gives the tenant a friendly answer; the partial unique
    indexes decide under concurrency (the insert runs in a savepoint so a
    refusal leaves the caller's transaction usable).
    """
    case = _case(session, code)
    if current_appointment(session, case.id) is not None:
        raise BookingError("already_booked")
    if starts_at not in {s.starts_at for s in offered_slots(session, rt, case)}:
        raise BookingError("taken")
    assert case.district_code is not None
    now = rt.now()
    appointment = BookingAppointment(
        case_id=case.id,
        code_id=code.id,
        district_code=case.district_code,
        starts_at=starts_at,
        ends_at=starts_at + SLOT_LENGTH,
        status="booked",
        booked_at=now,
    )
    try:
        with session.begin_nested():
            session.add(appointment)
            session.flush()
    except IntegrityError:
        raise BookingError("taken") from None
    local = starts_at.astimezone(OSLO)
    confirmation = plan_confirmation(session, rt, case, appointment, now)
    timeline.record(
        session,
        case.id,
        "booking_appointment",
        now,
        channel="booking",
        appointment_id=appointment.id,
        starts_at=_iso(starts_at),
        district=case.district_code,
        email_confirmation=confirmation,
    )
    _answered(
        session,
        rt,
        case,
        now,
        f"Bestilte time på bestillingssiden: {local:%d.%m.%Y} kl. {local:%H:%M}.",
    )
    appointment_task(session, rt, case, appointment, now)
    return appointment


def appointment_task(
    session: Session, rt: Runtime, case: Case, appointment: BookingAppointment, now: datetime
) -> Task:
    """The office expects the tenant: a task at the appointment's time (issue 12, item 8).

    It is the caseworker's, else the district's caseworkers' (My work lists both);
    its time puts it on the office's day (the week on My work, the lead's page).
    Written after the response, which cancels only the ladder's calls and visits.
    """
    local = appointment.starts_at.astimezone(OSLO)
    task = _booking_task(
        session,
        rt,
        case,
        now,
        kind="office_appointment",
        title=f"Timeavtale på kontoret {local:%d.%m.%Y} kl. {local:%H:%M}",
        due_at=appointment.starts_at,
        scheduled_for=appointment.starts_at,
        note=(
            "Leietakeren bestilte time på bestillingssiden og kommer til kontoret "
            f"{local:%d.%m.%Y} kl. {local:%H:%M}. Sørg for at noen tar imot, og bestill "
            "tolk i god tid hvis leietakeren trenger det."
        ),
    )
    return task


def _booking_task(
    session: Session,
    rt: Runtime,
    case: Case,
    now: datetime,
    *,
    kind: str,
    title: str,
    due_at: datetime,
    note: str,
    scheduled_for: datetime | None = None,
    call_number: str | None = None,
    announce: bool = True,
) -> Task:
    """A task from the tenant's answer, for the caseworker or the district's caseworkers.

    ``announce`` writes ``task_created`` (the call-me task has its own event).
    """
    from outreach.cases.tasks import priority_of
    from outreach.ladder.facts import case_facts

    age = case_facts(session, case).age_on(now.astimezone(OSLO).date())
    task = Task(
        case_id=case.id,
        kind=kind,
        title=title,
        assignee_id=case.caseworker_id,
        assignee_role="caseworker",
        district_code=case.district_code,
        due_at=due_at,
        scheduled_for=scheduled_for,
        priority=priority_of(case, age, rt.policy.elderly_age),
        status="open",
        note=note,
        call_number=call_number,
    )
    session.add(task)
    session.flush()
    if announce:
        timeline.record(
            session,
            case.id,
            "task_created",
            now,
            task_id=task.id,
            task_kind=kind,
            scheduled_for=_iso(scheduled_for) if scheduled_for is not None else None,
        )
    return task


def plan_confirmation(
    session: Session, rt: Runtime, case: Case, appointment: BookingAppointment, now: datetime
) -> str:
    """Plan the email confirming the appointment; returns "planned" or "skipped (why)".

    Issue 4: appointment confirmations go by email to a tenant who gave an
    address and consent, when the contact register says the person is not
    reserved: the checks of the letter copy (the e-mail handler's recipient, with
    ``reach.email.letter_copy``'s helpers), asked now and again when the step runs. The
    step (rule ``appointment_email``, never planned by the planner) goes
    through the normal step machinery, so it is an attempt and retried like
    any email; a response does not stop it.
    """
    rule = rt.policy.by_name.get(CONFIRMATION_RULE)
    if rule is None:
        return f"skipped (no {CONFIRMATION_RULE} rule in the policy)"
    recipient = handler_for(rule.channel).recipient(rule, case, None, rt)
    if isinstance(recipient, Unusable):
        return f"skipped ({recipient.reason})"
    steps.add_step(
        session,
        case.id,
        rule=rule.name,
        key=f"{rule.name}:{appointment.id}",
        channel=rule.channel,
        due_at=now,
        now=now,
        params={"appointment_id": appointment.id},
        appointment_id=appointment.id,
    )
    return "planned"


def _call_due(rt: Runtime, when: str) -> tuple[datetime, datetime | None]:
    start, end = rt.policy.working_hours
    if when in CALL_WINDOWS:
        w_start, w_end = CALL_WINDOWS[when]
        w_start, w_end = max(start, w_start), min(end, w_end)
        if w_start < w_end:
            at = rt.calendar.next_time_in_window(rt.now(), w_start, w_end)
            return at, at
    return rt.calendar.next_time_in_window(rt.now(), start, end), None


def request_call(
    session: Session, rt: Runtime, code: BookingCode, *, when: str = "any", phone: str = ""
) -> Task:
    """An open phone-call task for the caseworker; a number given goes on the task only.

    The number is not written to the person: a code holder must not be able
    to change where the caseworker calls. Staff check it when they call.
    """
    if when not in CALL_TIMES:
        raise BookingError("call_time")
    phone = re.sub(r"[\s().-]", "", phone or "")
    if phone and not _PHONE.match(phone):
        raise BookingError("phone")
    case = _case(session, code)
    now = rt.now()
    # The response first: it cancels the ladder's open call tasks, not this one.
    _answered(session, rt, case, now, "Ba om å bli ringt via bestillingssiden.")
    due, scheduled = _call_due(rt, when)
    from outreach.cases.contact import contact_person
    from outreach.cases.tasks import call_script, phone_title

    person = case.person
    name, office_phone = contact_person(case)
    part = _CALL_TIME_NB.get(when, "ettermiddag")
    why = f"Leietakeren ba om å bli ringt via bestillingssiden ({part})."
    if phone and phone != person.phone:
        why += (
            " Nummeret over er det leietakeren oppga der"
            + (f"; saken har {person.phone}." if person.phone else ".")
            + " Bekreft at du snakker med leietakeren før du sier hvem du er."
        )
    task = _booking_task(
        session,
        rt,
        case,
        now,
        kind="phone_call",
        title=phone_title("Ring leietaker: ba om å bli ringt (bestillingssiden)", person.language),
        due_at=due,
        scheduled_for=scheduled,
        note="",
        call_number=phone or None,
        announce=False,
    )
    task.note = call_script(
        phone=phone or person.phone or "",
        language=person.language,
        priority=task.priority,
        try_no=None,
        contact=f"{name} {office_phone}".strip() or "se saken",
        why=why,
    )
    timeline.record(
        session,
        case.id,
        "booking_call_me",
        now,
        channel="booking",
        task_id=task.id,
        call_time=when,
        number_given=bool(phone) or None,
    )
    return task


def report_sorted(session: Session, rt: Runtime, code: BookingCode) -> None:
    """The tenant says it is sorted out: a response, not a close – staff decide that."""
    case = _case(session, code)
    now = rt.now()
    timeline.record(session, case.id, "booking_sorted", now, channel="booking")
    _answered(session, rt, case, now, "Sa på bestillingssiden at saken er ordnet.")
    # The ladder stops, but only a person may conclude that it is sorted (issue 12,
    # item 13): the caseworker checks it with the landlord or the bailiff.
    start, end = rt.policy.working_hours
    due = rt.calendar.next_time_in_window(rt.calendar.add_working_days(now, 1), start, end)
    _booking_task(
        session,
        rt,
        case,
        now,
        kind="check_sorted",
        title="Kontroller at saken er ordnet (svar på bestillingssiden)",
        due_at=due,
        note=(
            "Leietakeren svarte på bestillingssiden at saken er ordnet. Kontroller det, "
            "for eksempel med utleier eller namsfogden, før saken avsluttes. Kontaktstigen "
            "er stoppet."
        ),
    )


def _answered(session: Session, rt: Runtime, case: Case, now: datetime, note: str) -> None:
    """The tenant's answer on the booking page is a response (channel ``booking``)."""
    register_response(session, rt, case, channel="booking", at=now, note=note, actor="tenant")
