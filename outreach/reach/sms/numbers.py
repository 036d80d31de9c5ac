"""Which numbers may get an SMS: opt-outs and unusable numbers, per number.

Kept in ``sms_opt_outs`` (``outreach.models.sms``) under the keyed look-up
hash of the E.164 number, written on every STOP/START (``outreach.inbound``),
on Twilio's error 21610 and on a permanent number error at send time
(``outreach.jobs.execute``) or in a delivery receipt (``outreach.inbound.receipts``),
and checked by the SMS handler (``reach.sms.handler``) before every SMS. Issue 4: "STOP …
opt the number out of SMS only"; "permanent errors (invalid or landline
number) end the SMS path and the ladder goes on with the other channels".
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from outreach import timeline
from outreach.models import Attempt, Case
from outreach.models.sms import SmsOptOut
from outreach.runtime import Runtime

#: Our codes for send errors that say the number itself cannot take an SMS
#: (``channels.sms_twilio.PERMANENT_ERRORS``).
UNUSABLE_SEND_CODES = frozenset({"invalid_number", "not_mobile"})

#: Twilio receipt error codes -> ours. 30005 "unknown destination handset",
#: 30006 "landline or unreachable carrier"; 21610: the number sent STOP to
#: our sender. Not 30003 "unreachable destination handset": that is also a
#: phone switched off or out of coverage for a day, and people in crisis lose
#: phones and credit – the undelivered SMS moves the ladder on, and the next
#: SMS may well arrive.
RECEIPT_CODES = {
    "21610": "opted_out",
    "30005": "unknown_number",
    "30006": "landline",
}


def number_key(rt: Runtime, number: str) -> str:
    return rt.protector.lookup_hash(f"sms:number:{number.strip()}")


def _row(session: Session, key: str, kind: str) -> SmsOptOut | None:
    return session.scalar(
        select(SmsOptOut).where(SmsOptOut.number_hmac == key, SmsOptOut.kind == kind)
    )


def block(
    session: Session,
    rt: Runtime,
    number: str,
    kind: str,
    now: datetime,
    *,
    source: str,
    reason: str,
) -> bool:
    """Record that ``number`` must get no SMS; True when it was not blocked before."""
    key = number_key(rt, number)
    row = _row(session, key, kind)
    if row is None:
        session.add(
            SmsOptOut(number_hmac=key, kind=kind, source=source, reason=reason[:40], at=now)
        )
        session.flush()
        return True
    if row.withdrawn_at is None:
        return False
    row.at, row.source, row.reason, row.withdrawn_at = now, source, reason[:40], None
    return True


def withdraw(session: Session, rt: Runtime, number: str, kind: str, now: datetime) -> bool:
    """START after STOP: the number may get SMS again; True when it was blocked."""
    row = _row(session, number_key(rt, number), kind)
    if row is None or row.withdrawn_at is not None:
        return False
    row.withdrawn_at = now
    return True


def blocked_reason(session: Session, rt: Runtime, number: str) -> str | None:
    """Why ``number`` must get no SMS (``opt_out`` or ``unusable``), or None."""
    kinds = set(
        session.scalars(
            select(SmsOptOut.kind).where(
                SmsOptOut.number_hmac == number_key(rt, number), SmsOptOut.withdrawn_at.is_(None)
            )
        )
    )
    for kind in ("opt_out", "unusable"):
        if kind in kinds:
            return kind
    return None


def after_permanent_error(
    session: Session,
    rt: Runtime,
    case: Case,
    attempt: Attempt,
    code: str,
    now: datetime,
    *,
    source: str,
) -> None:
    """What a permanent SMS error says about the number it was sent to.

    ``opted_out`` (Twilio 21610) records the opt-out (the person too, when it
    is still their number) with an ``sms_opted_out`` event; an unusable
    number is blocked with an ``sms_number_unusable`` event. Other codes
    (a body too long, a region switched off) say nothing about the number.
    """
    number = attempt.recipient
    if not number:
        return
    person = case.person
    if code == "opted_out":
        new = block(session, rt, number, "opt_out", now, source="carrier", reason=code)
        if person.phone == number and person.sms_opted_out_at is None:
            person.sms_opted_out_at = now
            new = True
        if new:
            timeline.record(
                session,
                case.id,
                "sms_opted_out",
                now,
                channel="sms",
                attempt_id=attempt.id,
                source="carrier",
            )
        return
    unusable = code in UNUSABLE_SEND_CODES or code in RECEIPT_CODES.values()
    if unusable and block(session, rt, number, "unusable", now, source=source, reason=code):
        timeline.record(
            session,
            case.id,
            "sms_number_unusable",
            now,
            channel="sms",
            attempt_id=attempt.id,
            reason=code,
        )
