"""The tenant's booking page: personal codes, offered times, and the three answers.

Issue 4 ("Self-booking and replies"): every tenant letter carries a short typed
address and a personal code. With the code, and without logging in, the tenant
can pick an appointment at the district office, ask to be called, or say the
matter is sorted out. Each answer is a response (``cases.register_response``,
channel ``booking``) that stops the ladder, plus its own timeline event.

Codes:

- random, 8 characters from an alphabet without look-alikes (no 0/O, 1/I/L,
  U), printed ``XXXX-XXXX``; about 39 bits, so guessing is hopeless once the
  tries are limited: 10 per client address per 15 minutes, counted in Redis
  *before* the code is checked, so parallel guesses cannot slip past the
  limit (a success gives its try back but does not reset the count). The
  failures of everyone together are an alarm (a log line and a metric), not
  a lockout: a lockout for all would let one guesser lock every tenant out;
- kept only as an HMAC with a key derived from ``OUTREACH_DATA_KEY`` (its own
  derivation label, so a hash here cannot be matched against the national-id
  look-up hashes);
- issued, and the case's earlier code revoked, when a tenant letter is
  rendered: that is the only moment the clear code exists (it goes on paper,
  and into the letter's own PDF). A later rendering of the same letter (the
  email copy whose PDF is gone) runs under :func:`no_new_codes`: it prints no
  code rather than revoke the one on paper;
- valid for six weeks and while the case is open.

A wrong, expired, revoked or closed-case code is the same answer: nothing is
revealed about whether a code ever existed. Nothing about the case reaches the
page: it shows the office and the free times, nothing else.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
import secrets
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import TYPE_CHECKING, TypedDict
from zoneinfo import ZoneInfo

from sqlalchemy import event as sa_event
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, SessionTransaction

from outreach import compose, ladder, timeline
from outreach.cases import register_response
from outreach.models import Case, District, Task
from outreach.models_booking import BookingAppointment, BookingCode
from outreach.runtime import Runtime

if TYPE_CHECKING:
    from prometheus_client import CollectorRegistry

log = logging.getLogger(__name__)

OSLO = ZoneInfo("Europe/Oslo")

#: No 0/O, 1/I/L or U: what is printed can be typed back without doubt.
ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 8
#: Long enough for the one-week reminder round and a slow reader; the letter
#: after it brings a new code.
CODE_VALID_FOR = timedelta(weeks=6)

#: Tries tolerated per client address within ``FAIL_WINDOW``; beyond that
#: every try from the address gets 429 until the window passes.
FAILS_PER_CLIENT = 10
#: Wrong codes from everyone together within the window that raise the alarm
#: (``booking_guessing_alarm`` in the log, ``outreach_booking_guessing_alarm``).
FAILS_GLOBAL = 300
FAIL_WINDOW = timedelta(minutes=15)

#: The times offered: hourly meetings of 45 minutes, on the next five working
#: days (never today: the office needs a day's notice to find a caseworker).
SLOT_LENGTH = timedelta(minutes=45)
SLOT_STEP = timedelta(hours=1)
DAYS_AHEAD = 5

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

_HOURS = re.compile(r"(\d{1,2})[:.](\d{2})\s*[–—-]\s*(\d{1,2})[:.](\d{2})")
_PHONE = re.compile(r"^\+?[0-9]{8,15}$")


class BookingError(ValueError):
    """The answer does not fit: ``reason`` is a key the page turns into a message."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


# --- codes ------------------------------------------------------------------------------


def booking_address(rt: Runtime) -> str:
    """What the letter prints: the public address without its scheme, plus ``/b``."""
    base = rt.settings.public_base_url.strip().rstrip("/")
    return re.sub(r"^[a-z][a-z0-9+.-]*://", "", base, flags=re.IGNORECASE) + "/b"


def normalize_code(text: str) -> str | None:
    """What the tenant typed, as the 8 alphabet characters, or ``None``.

    Spaces and dashes are dropped, letters upper-cased, full-width forms folded
    (NFKC) and digits from any script (an Arabic or Persian phone keyboard types
    ٢ or ۲) read as ASCII digits.
    """
    chars = []
    for ch in unicodedata.normalize("NFKC", text or ""):
        if ch.isspace() or ch in "-‐‑‒–—_.":
            continue
        if unicodedata.category(ch) == "Nd":
            ch = str(unicodedata.digit(ch))
        chars.append(ch.upper())
    code = "".join(chars)
    if len(code) != CODE_LENGTH or any(c not in ALPHABET for c in code):
        return None
    return code


def format_code(code: str) -> str:
    half = CODE_LENGTH // 2
    return f"{code[:half]}-{code[half:]}"


def _code_key(rt: Runtime) -> bytes:
    import base64

    raw = base64.urlsafe_b64decode(rt.settings.data_key.encode("ascii"))
    return hmac.new(raw, b"outreach:booking-code", hashlib.sha256).digest()


def code_hash(rt: Runtime, code: str) -> str:
    return hmac.new(_code_key(rt), code.encode("ascii"), hashlib.sha256).hexdigest()


#: ``session.info`` keys: codes issued in the open transaction, and the flag
#: of :func:`no_new_codes`.
_ISSUED = "booking_codes_issued"
_NO_NEW = "booking_no_new_codes"


@sa_event.listens_for(Session, "after_soft_rollback")
def _forget_on_rollback(session: Session, previous_transaction: SessionTransaction) -> None:
    """A rolled-back code row is gone: never hand its code out again.

    ``after_soft_rollback`` fires for savepoints too; forgetting more than
    needed only costs a fresh code, remembering too much prints a dead one.
    """
    session.info.pop(_ISSUED, None)


@sa_event.listens_for(Session, "after_commit")
def _forget_on_commit(session: Session) -> None:
    # "The same rendering" is one transaction; a later one issues afresh.
    session.info.pop(_ISSUED, None)


@contextmanager
def no_new_codes(session: Session) -> Iterator[None]:
    """Render letters again without issuing (and so revoking) a booking code.

    For a copy of a letter already on paper: the code on paper must keep
    working, and its clear text is kept nowhere, so such a copy goes without.
    """
    before = session.info.get(_NO_NEW)
    session.info[_NO_NEW] = True
    try:
        yield
    finally:
        if before is None:
            session.info.pop(_NO_NEW, None)
        else:
            session.info[_NO_NEW] = before


def issue_code(session: Session, rt: Runtime, case: Case) -> str:
    """A new code for the case, revoking the one before; returns it as printed.

    Two tenant letters for one case in the same rendering (transaction) share
    one code, so the first letter's code is not revoked by the second.
    """
    issued: dict[int, str] = session.info.setdefault(_ISSUED, {})
    if case.id in issued:
        return issued[case.id]
    now = rt.now()
    session.execute(
        update(BookingCode)
        .where(BookingCode.case_id == case.id, BookingCode.revoked_at.is_(None))
        .values(revoked_at=now, revoked_reason="replaced")
    )
    code = "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))
    row = BookingCode(
        case_id=case.id,
        code_hash=code_hash(rt, code),
        issued_at=now,
        expires_at=now + CODE_VALID_FOR,
    )
    session.add(row)
    session.flush()
    timeline.record(
        session,
        case.id,
        "booking_code_issued",
        now,
        code_id=row.id,
        expires_at=_iso(row.expires_at),
    )
    issued[case.id] = format_code(code)
    return issued[case.id]


class LetterBooking(TypedDict, total=False):
    booking_code: str
    booking_address: str


def letter_booking(session: Session, case: Case, audience: str) -> LetterBooking:
    """``LetterData`` fields for a letter (called by ``printing.letter_data``).

    Only the tenant's letter carries a code; copies to the bailiff, plaintiff
    or landlord never do. Under :func:`no_new_codes` the letter carries only
    a code issued in this same transaction, else none.
    """
    if audience != "tenant":
        return {}
    from outreach import runtime

    rt = runtime.current()
    if session.info.get(_NO_NEW):
        code = session.info.get(_ISSUED, {}).get(case.id)
        return {"booking_code": code, "booking_address": booking_address(rt)} if code else {}
    return {"booking_code": issue_code(session, rt, case), "booking_address": booking_address(rt)}


def _usable(row: BookingCode | None, case_status: str | None, now: datetime) -> bool:
    return (
        row is not None
        and row.revoked_at is None
        and row.expires_at > now
        and case_status not in (None, "closed")
    )


def verify_code(session: Session, rt: Runtime, typed: str) -> BookingCode | None:
    """The active code the tenant typed, or ``None`` – for every kind of wrong."""
    code = normalize_code(typed)
    # Hash even a malformed code, so every wrong answer costs the same work.
    digest = code_hash(rt, code or "-" * CODE_LENGTH)
    row = session.execute(
        select(BookingCode, Case.status)
        .join(Case, Case.id == BookingCode.case_id)
        .where(BookingCode.code_hash == digest)
    ).first()
    now = rt.now()
    found, status = (row[0], row[1]) if row is not None else (None, None)
    if code is None or not _usable(found, status, now):
        return None
    assert found is not None
    found.last_used_at = now
    return found


def active_code(session: Session, rt: Runtime, code_id: int) -> BookingCode | None:
    """A code verified earlier in this browser session, if it is still valid."""
    row = session.get(BookingCode, code_id)
    if row is None:
        return None
    case = session.get(Case, row.case_id)
    return row if _usable(row, case.status if case else None, rt.now()) else None


# --- guessing limit ---------------------------------------------------------------------


def _client_key(rt: Runtime, client: str) -> str:
    digest = hashlib.sha256(f"booking:{client}".encode()).hexdigest()[:32]
    return f"{rt.settings.redis_namespace}:booking-fail:client:{digest}"


def _global_key(rt: Runtime) -> str:
    return f"{rt.settings.redis_namespace}:booking-fail:all"


def _total_key(rt: Runtime) -> str:
    return f"{rt.settings.redis_namespace}:booking-fail:total"


def _incr_in_window(rt: Runtime, key: str, *extra: str) -> int:
    """INCR with the window set on the first count, in one MULTI/EXEC (atomic)."""
    pipe = rt.redis().pipeline(transaction=True)
    pipe.incr(key)
    pipe.expire(key, int(FAIL_WINDOW.total_seconds()), nx=True)
    for other in extra:
        pipe.incr(other)
    return int(pipe.execute()[0])


def take_try(rt: Runtime, client: str) -> bool:
    """Count a try from this address before its code is checked; False: locked out.

    Increment first, then compare: of ten parallel guesses past the limit
    each sees its own count, so no more than ``FAILS_PER_CLIENT`` get through.
    Raises whatever Redis raises: the caller refuses rather than drop the limit.
    """
    return _incr_in_window(rt, _client_key(rt, client)) <= FAILS_PER_CLIENT


def give_back_try(rt: Runtime, client: str) -> None:
    """The code was right: its try was no failure (the earlier failures still count)."""
    key = _client_key(rt, client)
    pipe = rt.redis().pipeline(transaction=True)
    pipe.decr(key)
    pipe.expire(key, int(FAIL_WINDOW.total_seconds()), nx=True)
    pipe.execute()


def note_failure(rt: Runtime) -> int:
    """Count a wrong code among everyone's; at ``FAILS_GLOBAL`` in the window, the alarm.

    Logged once per window (when the count reaches the threshold); the count
    and the alarm are on ``/metrics``. Nobody is locked out by it.
    """
    count = _incr_in_window(rt, _global_key(rt), _total_key(rt))
    if count == FAILS_GLOBAL:
        log.warning(
            "booking_guessing_alarm: %d wrong booking codes from all addresses within %d minutes",
            count,
            int(FAIL_WINDOW.total_seconds() // 60),
        )
    return count


def add_metrics(rt: Runtime, registry: CollectorRegistry) -> None:
    """The guessing counters for ``/metrics`` (``outreach.web.health``)."""
    from prometheus_client import Counter, Gauge

    try:
        values = rt.redis().mget([_global_key(rt), _total_key(rt)])
    except Exception:  # /metrics still answers; /healthz reports Redis
        log.warning("booking metrics left out: Redis unreachable")
        return
    window, total = (int(v or 0) for v in values)
    Gauge(
        "outreach_booking_code_failures_window",
        "Wrong booking codes from all addresses in the current 15-minute window",
        registry=registry,
    ).set(window)
    Gauge(
        "outreach_booking_guessing_alarm",
        "1 while wrong booking codes in the window are at or above the alarm threshold",
        registry=registry,
    ).set(1 if window >= FAILS_GLOBAL else 0)
    Counter(
        "outreach_booking_code_failures",
        "Wrong booking codes from all addresses since the counter was created",
        registry=registry,
    ).inc(total)


# --- offered times ----------------------------------------------------------------------


@dataclass(frozen=True)
class Slot:
    starts_at: datetime  # aware, UTC

    @property
    def value(self) -> str:
        return self.starts_at.astimezone(UTC).strftime("%Y%m%dT%H%MZ")

    @property
    def local(self) -> datetime:
        return self.starts_at.astimezone(OSLO)


def parse_slot(value: str) -> datetime | None:
    try:
        return datetime.strptime(value or "", "%Y%m%dT%H%MZ").replace(tzinfo=UTC)
    except ValueError:
        return None


def office_hours(district: District, rt: Runtime) -> tuple[time, time]:
    """The district's opening hours (``09:00–15:00``) within the policy's working hours."""
    start, end = rt.policy.working_hours
    match = _HOURS.search(district.opening_hours or "")
    if match:
        h1, m1, h2, m2 = (int(g) for g in match.groups())
        if h1 < 24 and h2 < 24 and m1 < 60 and m2 < 60:
            opens, closes = max(start, time(h1, m1)), min(end, time(h2, m2))
            if opens < closes:
                return opens, closes
    return start, end


def offered_slots(session: Session, rt: Runtime, case: Case) -> list[Slot]:
    """Free times at the case's district office on the next working days."""
    district = case.district
    if district is None:
        return []
    opens, closes = office_hours(district, rt)
    day = rt.now().astimezone(OSLO).date()
    candidates: list[datetime] = []
    for _ in range(DAYS_AHEAD):
        day = rt.calendar.next_working_day(day)
        at = datetime.combine(day, opens, OSLO)
        while at + SLOT_LENGTH <= datetime.combine(day, closes, OSLO):
            candidates.append(at.astimezone(UTC))
            at += SLOT_STEP
    if not candidates:
        return []
    taken = set(
        session.scalars(
            select(BookingAppointment.starts_at).where(
                BookingAppointment.district_code == district.code,
                BookingAppointment.status == "booked",
                BookingAppointment.starts_at >= candidates[0],
                BookingAppointment.starts_at <= candidates[-1],
            )
        )
    )
    return [Slot(at) for at in candidates if at not in taken]


def current_appointment(session: Session, case_id: int) -> BookingAppointment | None:
    return session.scalar(
        select(BookingAppointment).where(
            BookingAppointment.case_id == case_id, BookingAppointment.status == "booked"
        )
    )


# --- the three answers ------------------------------------------------------------------


def _case(session: Session, code: BookingCode) -> Case:
    case = session.get(Case, code.case_id)
    assert case is not None
    return case


def _iso(value: datetime) -> str:
    return value.astimezone(OSLO).isoformat(timespec="minutes")


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
    register_response(
        session,
        rt,
        case,
        channel="booking",
        at=now,
        note=f"Bestilte time på bestillingssiden: {local:%d.%m.%Y} kl. {local:%H:%M}.",
        actor="tenant",
    )
    return appointment


def plan_confirmation(
    session: Session, rt: Runtime, case: Case, appointment: BookingAppointment, now: datetime
) -> str:
    """Plan the email confirming the appointment; returns "planned" or "skipped (why)".

    Issue 4: appointment confirmations go by email to a tenant who gave an
    address and consent, when the contact register says the person is not
    reserved: the checks of the letter copy (``compose.recipient_for`` with
    ``letter_email``'s helpers), asked now and again when the step runs. The
    step (rule ``appointment_email``, never planned by the planner) goes
    through the normal step machinery, so it is an attempt and retried like
    any email; a response does not stop it.
    """
    rule = rt.policy.by_name.get(CONFIRMATION_RULE)
    if rule is None:
        return f"skipped (no {CONFIRMATION_RULE} rule in the policy)"
    recipient = compose.recipient_for(rule, case, None)
    if isinstance(recipient, compose.Unusable):
        return f"skipped ({recipient.reason})"
    ladder.add_step(
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
    register_response(
        session,
        rt,
        case,
        channel="booking",
        at=now,
        note="Ba om å bli ringt via bestillingssiden.",
        actor="tenant",
    )
    due, scheduled = _call_due(rt, when)
    from outreach.ladder import case_facts
    from outreach.tasks import priority_of

    age = case_facts(session, case).age_on(now.astimezone(OSLO).date())
    note = f"Leietakeren ba om å bli ringt ({_CALL_TIME_NB.get(when, 'ettermiddag')})."
    if phone:
        note += f" Oppga nummer {phone} – sjekk det mot saken før du ringer."
    task = Task(
        case_id=case.id,
        kind="phone_call",
        title="Ring leietaker: ba om å bli ringt (bestillingssiden)",
        assignee_id=case.caseworker_id,
        assignee_role="caseworker",
        district_code=case.district_code,
        due_at=due,
        scheduled_for=scheduled,
        priority=priority_of(case, age, rt.policy.elderly_age),
        status="open",
        note=note,
    )
    session.add(task)
    session.flush()
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
    register_response(
        session,
        rt,
        case,
        channel="booking",
        at=now,
        note="Sa på bestillingssiden at saken er ordnet.",
        actor="tenant",
    )
