"""An appointment booked on the booking page is confirmed by email (issue 4).

Only for a tenant who gave an address and consent, and only when the contact
register (KRR) says the person is not reserved: the checks of the letter copy.
The confirmation is a step (rule ``appointment_email``) planned in the
booking's transaction and run by the normal step machinery; without consent
or a clear KRR answer no step is planned and the booking event says why.
"""

from __future__ import annotations

import base64
from typing import Any

import pytest
from icalendar import Calendar
from sqlalchemy import select

from outreach.inbound.booking import answers, slots
from outreach.models import Attempt, Case, Event, Step
from outreach.models.booking import BookingAppointment, BookingCode
from outreach.reach.email import krr
from outreach.reach.letter import codes
from tests.factories import national_id
from tests.test_visits_support import open_case, outbox, run

NATIONAL_ID = national_id(12, 4, 1988)
CONSENTING = {"email": "amina@example.org", "email_consent": True, "national_id": NATIONAL_ID}
# Words (and the petition's amount) that must never be in an email an outsider may read.
SENSITIVE = ("utkast", "husleie", "namsfog", "restanse", "gjeld", "evict", "rent", "debt",
             "38500", "38 500", "38,500", "petition", "begjæring")  # fmt: skip


@pytest.fixture(autouse=True, scope="module")
def _catalogs() -> None:
    """Compile catalogs whose .po is newer than the .mo (a checkout built before these strings)."""
    from outreach.letters import ensure_compiled

    ensure_compiled()


@pytest.fixture
def register() -> Any:
    register = krr.StaticRegister(not_reserved=[NATIONAL_ID])
    krr.install(register)
    yield register
    krr.install(None)


def _book(rt: Any, case_id: int) -> int:
    """The tenant types the code from the letter and takes the first free time."""
    with rt.session() as session:
        case = session.get(Case, case_id)
        codes.issue_code(session, rt, case)
        code = session.scalars(
            select(BookingCode).where(
                BookingCode.case_id == case_id,
                BookingCode.revoked_at.is_(None),
            )
        ).one()
        slot = slots.offered_slots(session, rt, case)[0]
        return answers.book_slot(session, rt, code, slot.starts_at).id


def _email_steps(rt: Any, case_id: int) -> list[Step]:
    with rt.session() as session:
        return list(
            session.scalars(
                select(Step).where(Step.case_id == case_id, Step.rule == "appointment_email")
            )
        )


def _booking_event(rt: Any, case_id: int) -> dict[str, Any]:
    with rt.session() as session:
        event = session.scalars(
            select(Event).where(Event.case_id == case_id, Event.kind == "booking_appointment")
        ).one()
        return dict(event.data)


def test_consent_and_not_reserved_confirms_by_email_with_an_ics(
    rt: Any, clock: Any, register: Any
) -> None:
    case_id = open_case(rt, tenant=CONSENTING)
    appointment_id = _book(rt, case_id)
    assert register.calls == 1  # asked at booking ...

    [step] = _email_steps(rt, case_id)
    assert step.channel == "email"
    assert step.key == f"appointment_email:{appointment_id}"
    assert step.status == "planned" and step.due_at == clock()
    assert step.params == {"appointment_id": appointment_id}
    assert _booking_event(rt, case_id)["email_confirmation"] == "planned"
    with rt.session() as session:
        case = session.get(Case, case_id)
        assert case.ladder_state == "responded"  # the booking is a response ...
        reference = case.reference
        appointment = session.get(BookingAppointment, appointment_id)
        starts_at, ends_at = appointment.starts_at, appointment.ends_at

    # ... and the confirmation still goes, through the step machinery.
    assert run(rt, step.id).result == "done"
    assert register.calls == 2  # ... and again at sending
    with rt.session() as session:
        [attempt] = session.scalars(select(Attempt).where(Attempt.step_id == step.id))
        assert attempt.channel == "email" and attempt.recipient == "amina@example.org"
        assert session.get(Step, step.id).status == "done"

    [email] = outbox(rt, "email")
    assert email["to"] == "amina@example.org"
    text = email["subject"] + "\n" + email["body"]
    for word in SENSITIVE:
        assert word not in text.lower(), word
    assert reference not in text and "NF-1" not in text
    assert "NAV Gamle Oslo" in email["subject"]
    # The tenant's language (Somali) beside Norwegian, with the time and the office.
    assert "Ballantaada" in email["subject"] and "Din avtale hos" in email["subject"]
    assert "Du har bestilt time hos NAV Gamle Oslo" in email["body"]
    local = starts_at.astimezone(codes.OSLO)
    assert f"{local:%H:%M}" in email["body"]

    [attachment] = email["attachments"]
    assert attachment["filename"].endswith(".ics")
    assert attachment["mime_type"].startswith("text/calendar")
    ics = base64.b64decode(attachment["content_base64"])
    calendar = Calendar.from_ical(ics)
    [event] = calendar.walk("VEVENT")
    assert event.decoded("dtstart") == starts_at
    assert event.decoded("dtend") == ends_at
    assert "NAV Gamle Oslo" in str(event.get("location"))
    ics_text = ics.decode("utf-8").lower()
    for word in SENSITIVE:
        assert word not in ics_text, word
    assert reference.lower() not in ics_text and "amina" not in ics_text


def test_no_consent_plans_no_email(rt: Any, register: Any) -> None:
    case_id = open_case(rt, tenant={**CONSENTING, "email_consent": False})
    _book(rt, case_id)
    assert _email_steps(rt, case_id) == []
    assert _booking_event(rt, case_id)["email_confirmation"] == "skipped (no consent to email)"
    assert register.calls == 0


def test_no_usable_address_plans_no_email(rt: Any, register: Any) -> None:
    case_id = open_case(rt, tenant={**CONSENTING, "email": None})
    _book(rt, case_id)
    assert _email_steps(rt, case_id) == []
    assert _booking_event(rt, case_id)["email_confirmation"] == "skipped (no usable email address)"


@pytest.mark.parametrize(
    ("installed", "tenant", "reason"),
    [
        (krr.StaticRegister(reserved=[NATIONAL_ID]), {}, "KRR: reserved against digital mail"),
        (None, {}, "KRR: unknown"),  # the default: no register configured
        (krr.StaticRegister(), {}, "KRR: unknown"),  # the register does not know the person
        (
            krr.StaticRegister(not_reserved=[NATIONAL_ID]),
            {"national_id": None},
            "KRR: unknown (no national id)",
        ),
    ],
    ids=["reserved", "no-register", "not-in-register", "no-national-id"],
)
def test_reserved_or_unknown_plans_no_email(
    rt: Any, installed: Any, tenant: dict[str, Any], reason: str
) -> None:
    krr.install(installed)
    try:
        case_id = open_case(rt, tenant={**CONSENTING, **tenant})
        _book(rt, case_id)
    finally:
        krr.install(None)
    assert _email_steps(rt, case_id) == []
    assert _booking_event(rt, case_id)["email_confirmation"] == f"skipped ({reason})"
    assert outbox(rt, "email") == []


def test_reserved_after_booking_is_a_skip_at_sending(rt: Any, register: Any) -> None:
    case_id = open_case(rt, tenant=CONSENTING)
    _book(rt, case_id)
    [step] = _email_steps(rt, case_id)
    krr.install(krr.StaticRegister(reserved=[NATIONAL_ID]))
    assert run(rt, step.id).result == "skipped"
    assert outbox(rt, "email") == []
    with rt.session() as session:
        skipped = session.scalars(
            select(Event).where(Event.case_id == case_id, Event.kind == "step_skipped")
        ).one()
        assert skipped.data["reason"] == "KRR: reserved against digital mail"


def test_the_planner_never_plans_the_confirmation(rt: Any, register: Any) -> None:
    from outreach.ladder import planning

    case_id = open_case(rt, tenant=CONSENTING)
    with rt.session() as session:
        planning.replan(session, rt, session.get(Case, case_id), rt.now())
    assert _email_steps(rt, case_id) == []
    assert rt.policy.rule("appointment_email").anchor == "appointment_booked"
