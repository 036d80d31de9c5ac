"""A copy of the tenant's letter by email, as its PDF (issue 4, "Email through SendGrid").

Only for a tenant who gave an address *and* consent, and only when the
contact register says the person is not reserved against digital mail – asked
now, at this sending (``outreach.reach.email.krr``). Anything else is a skip with its
reason on the timeline; the letter itself has gone on paper anyway.

The email text is neutral (``render_email``): the content is in the PDF, the
letter's own PDF cut from its print batch; a letter whose batch was posted
without PDFs (the simulator), or whose PDF is gone, is rendered on its own –
without the booking code, which must not be re-issued (``letter_pdf``).

The same checks (consent, then the register) decide whether an appointment
booked on the booking page is confirmed by email (``appointment_message``,
rule ``appointment_email``, planned by ``outreach.inbound.booking``): a neutral text
with the time and the office, and the appointment as an ``.ics`` file.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session, object_session

from channels.base import Attachment, Message
from outreach import timeline
from outreach.cases.contact import holding_office
from outreach.models import Attempt, Case, District, Person, PrintBatch, PrintItem, Step
from outreach.models.booking import BookingAppointment
from outreach.reach.email import krr

if TYPE_CHECKING:
    from outreach.messages import EmailText


def _session(case: Case) -> Session:
    session = object_session(case)
    if session is None:
        raise RuntimeError("the case is not in a session")
    return session


def tenant_letter(session: Session, case: Case) -> PrintItem | None:
    """The newest letter to the tenant in this round that is on its way (rendered or posted)."""
    return session.scalar(
        select(PrintItem)
        .join(Step, Step.id == PrintItem.step_id)
        .where(
            PrintItem.case_id == case.id,
            PrintItem.audience == "tenant",
            PrintItem.status.in_(("rendered", "posted")),
            Step.rule == "letter",
        )
        .order_by(PrintItem.id.desc())
        .limit(1)
    )


def consent_reason(person: Person) -> str | None:
    """Why nothing may go to this person by email, or None: consent, no protected address."""
    if not person.email_consent:
        return "no consent to email"
    if person.protected_address:
        return "protected address: manual handling"
    return None


def register_reason(person: Person) -> str | None:
    """Ask the contact register now (never stored): None when not reserved, else why not."""
    from outreach.runtime import current

    national_id = (
        current().protector.decrypt(person.national_id_enc) if person.national_id_enc else None
    )
    allowed, reason = krr.digital_allowed(national_id)
    return None if allowed else reason


def skip_reason(case: Case) -> str | None:
    """Why the copy cannot go by email now, or None when it may."""
    person = case.person
    reason = consent_reason(person)
    if reason is not None:
        return reason
    if tenant_letter(_session(case), case) is None:
        return "no letter to copy"
    return register_reason(person)


def appointment_skip_reason(case: Case) -> str | None:
    """Why an appointment confirmation cannot go by email now, or None when it may.

    The same consent and contact-register checks as the letter copy; the
    address itself is checked by the e-mail handler (``reach.email.handler``).
    """
    return consent_reason(case.person) or register_reason(case.person)


#: Why an email copy carries no booking code (on the timeline and in the metadata).
NO_CODE_REASON = "the letter's PDF is gone: copied without the booking code, which is on paper"


def letter_pdf(session: Session, item: PrintItem) -> tuple[bytes, str | None]:
    """The letter's own PDF, else the letter rendered again; and why it lacks the code.

    The booking code's clear text exists only in the rendered letter (paper
    and its PDF, ``outreach.inbound.booking``). Rendering the letter again must not
    issue a new code – that would revoke the one on paper – so the copy is
    rendered under ``booking.no_new_codes`` and goes without one.
    """
    if item.pdf_path and Path(item.pdf_path).is_file():
        return Path(item.pdf_path).read_bytes(), None
    from outreach.letters import render_pdf
    from outreach.reach.base import local
    from outreach.reach.letter.batches import letter_data
    from outreach.reach.letter.codes import no_new_codes

    batch = session.get(PrintBatch, item.batch_id)
    attempt = session.get(Attempt, item.attempt_id)
    at = (batch.rendered_at or batch.posted_at if batch is not None else None) or (
        attempt.created_at if attempt is not None else None
    )
    if at is None:
        raise RuntimeError("the letter has no date")
    with no_new_codes(session):
        data = letter_data(session, item, local(at).date())
    reason = None if data.booking_code else NO_CODE_REASON
    return render_pdf([data]), reason


def message(
    step: Step, case: Case, attempt: Attempt, metadata: dict[str, str], contact_phone: str
) -> Message:
    from outreach.messages import render_email
    from outreach.reach.base import message_language

    session = _session(case)
    item = tenant_letter(session, case)
    if item is None:
        raise RuntimeError("no letter to copy")  # recipient_for skipped this already
    language = message_language(case.person.language)
    office = holding_office(case)  # central intake's while no district holds the case
    text = render_email(
        "letter",
        language,
        office_name=office.office_name,
        contact_phone=contact_phone or office.duty_contact_phone,
    )
    pdf, no_code = letter_pdf(session, item)
    attachment = Attachment(f"brev-{case.reference}.pdf", pdf)
    extra = {"print_item": str(item.id)}
    if no_code is not None and attempt.id:
        extra["booking_code"] = "omitted"
        # Staff should know the copy differs from the paper letter.
        timeline.record(
            session,
            case.id,
            "letter_copy_without_code",
            attempt.created_at,
            channel="email",
            step_id=step.id,
            attempt_id=attempt.id,
            print_item=item.id,
            reason=no_code,
        )
    return _email(attempt, text, attachment, {**metadata, **extra})


# --- appointment confirmations (booked on the booking page) ------------------------------


def appointment_ics(
    appointment: BookingAppointment, district: District | None, summary: str
) -> bytes:
    """The appointment as an iCalendar file the tenant can add to a calendar.

    Built like the staff's visit invitations (``outreach.reach.visit``), but
    ``METHOD:PUBLISH``: nobody is asked to answer. Only the time, the office and
    its address; nothing about the case.
    """
    from icalendar import Calendar
    from icalendar import Event as IcsEvent

    from outreach.reach.ics import ICS_PRODID
    from outreach.workdays import OSLO

    calendar = Calendar()
    calendar.add("prodid", ICS_PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    event = IcsEvent()
    event.add("uid", f"booking-appointment-{appointment.id}@outreach.nav.oslo.kommune.no")
    event.add("sequence", 0)
    event.add("dtstamp", appointment.booked_at)
    event.add("dtstart", appointment.starts_at.astimezone(OSLO))
    event.add("dtend", appointment.ends_at.astimezone(OSLO))
    event.add("summary", summary)
    if district is not None:
        event.add("location", office_address(district, with_name=True))
    event.add("status", "CONFIRMED")
    event.add("transp", "OPAQUE")
    calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical()


def office_address(district: District, *, with_name: bool = False) -> str:
    parts = [district.office_name] if with_name and district.office_name else []
    place = f"{district.postal_code} {district.city}".strip()
    parts += [p for p in (district.street, place) if p]
    return ", ".join(parts)


def appointment_message(
    step: Step, case: Case, attempt: Attempt, metadata: dict[str, str], contact_phone: str
) -> Message:
    """The confirmation of an appointment booked on the booking page, with its ``.ics``."""
    from outreach.messages import render_email
    from outreach.reach.base import local, message_language

    session = _session(case)
    appointment = session.get(BookingAppointment, int((step.params or {})["appointment_id"]))
    if appointment is None:
        raise RuntimeError("the appointment is gone")
    district = session.get(District, appointment.district_code)
    office = district.office_name if district is not None and district.office_name else "NAV"
    phone = contact_phone or (district.duty_contact_phone if district is not None else "")
    text = render_email(
        "appointment",
        message_language(case.person.language),
        office_name=office,
        contact_phone=phone,
        when=local(appointment.starts_at),
        office_address=office_address(district) if district is not None else "",
    )
    ics = appointment_ics(appointment, district, text.subject)
    attachment = Attachment("avtale.ics", ics, "text/calendar; method=PUBLISH")
    return _email(attempt, text, attachment, {**metadata, "appointment": str(appointment.id)})


def _email(
    attempt: Attempt, text: EmailText, attachment: Attachment, metadata: dict[str, str]
) -> Message:
    """One neutral email with its one attachment, keyed by the attempt (sent at most once)."""
    return Message(
        idempotency_key=attempt.idempotency_key,
        channel="email",
        to=attempt.recipient,
        subject=text.subject,
        body=text.body,
        language=",".join(text.languages),
        attachments=(attachment,),
        metadata=metadata,
    )
