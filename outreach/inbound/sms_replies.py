"""An inbound SMS: a tenant's reply, an opt-out, or a message for staff.

The SMS we send invite a reply ("svar 1 så ringer vi deg", "2 for the
appointment"), never a link (issue 4). What comes back is one action in one
transaction (STYLE.md habit 4):

* **opt-out / opt-in** – a message that is nothing but STOP (or an equivalent in
  a supported language) opts the *number* out of SMS: the number itself is
  recorded (``sms_numbers``), every person with that number gets
  ``sms_opted_out_at``, every open case of theirs an ``sms_opted_out`` event,
  and the sender the confirmation the carrier rules require. Other channels
  go on: it is not a response. START undoes it.
  The English words are Twilio's own opt-out/opt-in keywords: Twilio blocks
  the number on its side when it sees them, so we must record the same;
* **a reply** from the number of exactly one person with an open case is a
  response: the text goes on the timeline and ``cases.register_response``
  stops the ladder. :func:`keywords.parse_reply` reads what the tenant asked for
  (``call_me``, ``appointment``, ``other``) in any supported language;
* **anyone else** – an unknown number, or one shared by several open cases –
  is kept for staff (``InboundMessage.review_status = "open"``) and touches no
  case: a wrong guess would stop the wrong household's ladder.

Messages are deduplicated by Twilio's ``MessageSid``. Phone numbers and texts
are never logged (``identity.mask_phone``).
"""

from __future__ import annotations

import logging
import unicodedata
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from outreach import timeline
from outreach.cases import response as cases_response
from outreach.identity import mask_phone, normalize_phone
from outreach.inbound.keywords import normalize, opt_keyword, parse_reply
from outreach.models import Attempt, Case, Person, Step, Task
from outreach.models.inbound import InboundMessage
from outreach.reach.sms import numbers as sms_numbers
from outreach.runtime import Runtime

log = logging.getLogger(__name__)

#: How much of a reply goes on the timeline; the whole text stays in
#: ``inbound_messages``. An SMS is at most 1,600 characters.
NOTE_MAX_CHARS = 300

# The confirmations (CTIA/carrier practice, and Twilio's own wording): say
# what happened and how to undo it. Norwegian and English: the keyword may
# come in any language, the reply must be understood by whoever holds the
# phone. No "NAV client" words beyond the sender's name (NAV-loven § 7).
OPT_OUT_REPLY = (
    "NAV: Du er meldt av og får ikke flere SMS fra dette nummeret. "
    "Svar START for å melde deg på igjen. / "
    "You are unsubscribed and will get no more SMS from this number. "
    "Reply START to subscribe again."
)
OPT_IN_REPLY = (
    "NAV: Du får SMS fra oss igjen. Svar STOPP for å melde deg av. / "
    "You will get SMS from us again. Reply STOP to unsubscribe."
)


@dataclass(frozen=True)
class InboundResult:
    outcome: str  # see models_inbound.INBOUND_OUTCOMES
    inbound_id: int
    case_id: int | None
    reply: str | None  # the text to answer with (TwiML <Message>), if any
    duplicate: bool = False


def _reply_for(outcome: str) -> str | None:
    return {"opt_out": OPT_OUT_REPLY, "opt_in": OPT_IN_REPLY}.get(outcome)


def _result(message: InboundMessage, *, duplicate: bool) -> InboundResult:
    return InboundResult(
        message.outcome, message.id, message.case_id, _reply_for(message.outcome), duplicate
    )


def _e164(number: str) -> str:
    try:
        return normalize_phone(number)
    except ValueError:
        return number.strip()[:20]  # an alphanumeric sender, a short code: kept as is


def note_text(body: str) -> str:
    """The reply for the timeline: control characters out, at most NOTE_MAX_CHARS."""
    text = "".join(c if unicodedata.category(c)[0] != "C" else " " for c in body).strip()
    return text if len(text) <= NOTE_MAX_CHARS else text[: NOTE_MAX_CHARS - 1] + "…"


def receive_sms(
    session: Session,
    rt: Runtime,
    *,
    message_sid: str,
    from_number: str,
    to_number: str = "",
    body: str = "",
) -> InboundResult:
    """Handle one inbound SMS and commit; a second delivery of it changes nothing."""
    existing = session.scalar(
        select(InboundMessage).where(InboundMessage.provider_ref == message_sid)
    )
    if existing is not None:
        return _result(existing, duplicate=True)
    try:
        message = _receive(
            session,
            rt,
            message_sid,
            _e164(from_number),
            _e164(to_number) if to_number else "",
            body,
        )
        session.commit()
    except IntegrityError:
        session.rollback()  # the same message, delivered twice at once
        existing = session.scalar(
            select(InboundMessage).where(InboundMessage.provider_ref == message_sid)
        )
        if existing is None:
            raise
        return _result(existing, duplicate=True)
    except BaseException:
        session.rollback()
        raise
    log.info(
        "inbound SMS %s from %s: %s (case %s)",
        message.id,
        mask_phone(message.from_number),
        message.outcome,
        message.case_id,
    )
    return _result(message, duplicate=False)


def _open_cases(session: Session, number: str) -> list[Case]:
    return list(
        session.scalars(
            select(Case)
            .join(Person, Case.person_id == Person.id)
            .where(Person.phone == number, Case.status != "closed")
            .order_by(Case.id)
        )
    )


def _receive(
    session: Session, rt: Runtime, sid: str, number: str, to: str, body: str
) -> InboundMessage:
    now = rt.now()
    message = InboundMessage(
        provider="twilio",
        provider_ref=sid,
        received_at=now,
        from_number=number,
        to_number=to,
        body=body,
    )
    keyword = opt_keyword(body)
    open_cases = _open_cases(session, number)
    message.candidate_case_ids = [c.id for c in open_cases] if len(open_cases) > 1 else []
    if keyword is not None:
        message.outcome = keyword
        message.keyword = normalize(body)[:60]
        message.case_id = open_cases[0].id if len(open_cases) == 1 else None
        session.add(message)
        session.flush()
        _set_opt_out(session, rt, number, open_cases, message, now, opted_out=keyword == "opt_out")
        return message
    if len(open_cases) != 1:
        # Nobody, or more than one household: staff decide, nothing is guessed.
        message.outcome = "unknown_sender" if not open_cases else "ambiguous_sender"
        message.review_status = "open"
        session.add(message)
        session.flush()
        return message
    case = open_cases[0]
    reply = parse_reply(body, yes_means=_yes_means(session, rt, case))
    message.outcome = "response"
    message.case_id = case.id
    message.intent = reply.intent
    message.keyword = reply.keyword[:60] if reply.keyword else None
    session.add(message)
    session.flush()
    timeline.record(
        session,
        case.id,
        "sms_reply_received",
        now,
        channel="sms",
        inbound_message_id=message.id,
        intent=reply.intent,
        keyword=reply.keyword,
        keyword_language=reply.language,
    )
    cases_response.register_response(
        session, rt, case, channel="sms_reply", at=now, note=note_text(body) or "(empty SMS)"
    )
    task_intent = reply.intent
    if reply.intent == "appointment":
        offered = _offered_time(session, rt, case)
        if offered is not None and _book_offered(session, rt, case, offered, message, now):
            task_intent = "appointment_booked"
    notify_caseworker(session, rt, case, task_intent, now)
    return message


REPLY_TASK_TITLES = {
    "call_me": "Leietaker svarte på SMS og vil bli ringt – ring tilbake",
    "appointment": "Leietaker svarte på SMS og vil ha time – avtal tid",
    "appointment_booked": "Leietaker bekreftet den tilbudte timen på SMS – forbered møtet",
    "other": "Leietaker svarte på SMS – les svaret og ta kontakt",
}


def notify_caseworker(
    session: Session, rt: Runtime, case: Case, intent: str, now: datetime
) -> None:
    """Issue 4: a reply "notifies the caseworker" – as a task in their work list
    (the case's caseworker, else the district's pool), due the same working day."""
    start, end = rt.policy.working_hours
    task = Task(
        case_id=case.id,
        kind="sms_reply_followup",
        title=REPLY_TASK_TITLES.get(intent, REPLY_TASK_TITLES["other"]),
        assignee_id=case.caseworker_id,
        assignee_role="caseworker",
        district_code=case.district_code,
        due_at=rt.calendar.next_time_in_window(now, start, end),
        status="open",
    )
    session.add(task)
    session.flush()
    timeline.record(
        session,
        case.id,
        "task_created",
        now,
        task_id=task.id,
        task_kind=task.kind,
        assignee_role="caseworker",
    )


def _set_opt_out(
    session: Session,
    rt: Runtime,
    number: str,
    open_cases: list[Case],
    message: InboundMessage,
    now: datetime,
    *,
    opted_out: bool,
) -> None:
    """The opt-out belongs to the number (carrier rules): recorded for the number
    itself (``sms_numbers``: a STOP from a number we know no one by still
    counts, and a later person or case with it finds it), and on every person
    with it."""
    if opted_out:
        sms_numbers.block(session, rt, number, "opt_out", now, source="tenant", reason="opted_out")
    else:
        sms_numbers.withdraw(session, rt, number, "opt_out", now)
    changed: set[int] = set()
    for person in session.scalars(select(Person).where(Person.phone == number)):
        if opted_out and person.sms_opted_out_at is None:
            person.sms_opted_out_at = now
            changed.add(person.id)
        elif not opted_out and person.sms_opted_out_at is not None:
            person.sms_opted_out_at = None
            changed.add(person.id)
    kind = "sms_opted_out" if opted_out else "sms_opted_in"
    for case in open_cases:
        if case.person_id in changed:
            timeline.record(
                session,
                case.id,
                kind,
                now,
                channel="sms",
                inbound_message_id=message.id,
                keyword=message.keyword,
                source="tenant",
            )


def _last_sms_step(session: Session, case: Case) -> Step | None:
    return session.scalar(
        select(Step)
        .join(Attempt, Attempt.step_id == Step.id)
        .where(Attempt.case_id == case.id, Attempt.channel == "sms")
        .order_by(Attempt.id.desc())
        .limit(1)
    )


def _offered_time(session: Session, rt: Runtime, case: Case) -> datetime | None:
    """The time the last SMS offered ("Reply 2 to confirm the appointment"), if
    it was an appointment offer and the time is still ahead."""
    step = _last_sms_step(session, case)
    rule = rt.policy.by_name.get(step.rule) if step is not None else None
    if step is None or rule is None or rule.purpose != "appointment_offer":
        return None
    when = (step.params or {}).get("when")
    if not when:
        return None
    at = datetime.fromisoformat(when)
    return at if at > rt.now() else None


def _book_offered(
    session: Session, rt: Runtime, case: Case, at: datetime, message: InboundMessage, now: datetime
) -> bool:
    """Book the offered time as the booking page would; False if it cannot be had
    (already booked, the slot taken meanwhile): the caseworker's task says so."""
    from outreach.inbound.booking import answers as booking_answers
    from outreach.inbound.booking import slots
    from outreach.models.booking import BookingAppointment

    if case.district_code is None or slots.current_appointment(session, case.id) is not None:
        return False
    appointment = BookingAppointment(
        case_id=case.id,
        code_id=None,
        district_code=case.district_code,
        starts_at=at,
        ends_at=at + slots.SLOT_LENGTH,
        status="booked",
        booked_at=now,
    )
    try:
        with session.begin_nested():
            session.add(appointment)
            session.flush()
    except IntegrityError:
        return False
    confirmation = booking_answers.plan_confirmation(session, rt, case, appointment, now)
    booking_answers.appointment_task(session, rt, case, appointment, now)
    timeline.record(
        session,
        case.id,
        "booking_appointment",
        now,
        channel="sms_reply",
        appointment_id=appointment.id,
        inbound_message_id=message.id,
        starts_at=at.isoformat(),
        district=case.district_code,
        email_confirmation=confirmation,
    )
    return True


def _yes_means(session: Session, rt: Runtime, case: Case) -> str:
    """What the last SMS to this case offered: an appointment, or (default) a call."""
    step = _last_sms_step(session, case)
    rule = rt.policy.by_name.get(step.rule) if step is not None else None
    if rule is not None and rule.purpose and "appointment" in rule.purpose:
        return "appointment"
    return "call_me"
