"""Booking codes and the three answers, through ``outreach.booking`` (issue 4).

Runs on SQLite and PostgreSQL. The pages themselves are in test_booking_web.py.
"""

from __future__ import annotations

import re
import threading
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from outreach.cases.response import close_case
from outreach.inbound.booking import answers as booking_answers
from outreach.inbound.booking import slots as booking_slots
from outreach.intake.accept import accept_trigger
from outreach.intake.schema import load_trigger
from outreach.jobs.tick import tick
from outreach.models import Case, Event, PrintItem, Step, Task
from outreach.models.booking import BookingAppointment, BookingCode
from outreach.reach.letter import codes as letter_codes
from outreach.vocabulary import STEP_OPEN
from tests.factories import trigger

CODE_SHAPE = re.compile(rf"^[{letter_codes.ALPHABET}]{{4}}-[{letter_codes.ALPHABET}]{{4}}$")


def new_case(rt: Any, reference: str = "NF-1", **tenant: Any) -> int:
    doc = trigger(source={"reference": reference}, tenant=tenant)
    with rt.session() as session:
        return accept_trigger(session, rt, load_trigger(doc, now=rt.now())).case_id


def issue(rt: Any, case_id: int) -> str:
    with rt.session() as session:
        return letter_codes.issue_code(session, rt, session.get(Case, case_id))


def verified(rt: Any, typed: str) -> int | None:
    with rt.session() as session:
        row = letter_codes.verify_code(session, rt, typed)
        return row.case_id if row else None


def code_row(session: Any, case_id: int) -> BookingCode:
    return session.scalars(
        select(BookingCode).where(BookingCode.case_id == case_id, BookingCode.revoked_at.is_(None))
    ).one()


def open_steps(session: Any, case_id: int) -> list[Step]:
    return list(
        session.scalars(select(Step).where(Step.case_id == case_id, Step.status.in_(STEP_OPEN)))
    )


def kinds(session: Any, case_id: int) -> list[str]:
    return list(session.scalars(select(Event.kind).where(Event.case_id == case_id)))


# --- codes --------------------------------------------------------------------------------


def test_code_is_short_random_and_kept_only_as_a_keyed_hash(rt: Any) -> None:
    case_id = new_case(rt)
    code = issue(rt, case_id)
    assert CODE_SHAPE.match(code)
    with rt.session() as session:
        row = code_row(session, case_id)
        plain = code.replace("-", "")
        stored = " ".join(str(v) for v in vars(row).values())
        assert plain not in stored and code not in stored
        assert row.code_hash == letter_codes.code_hash(rt, plain)
        # Keyed: a plain SHA-256 of the code is not what is stored.
        import hashlib

        assert row.code_hash != hashlib.sha256(plain.encode()).hexdigest()
        assert row.expires_at - row.issued_at == letter_codes.CODE_VALID_FOR
        assert "booking_code_issued" in kinds(session, case_id)
        events = " ".join(str(e.data) for e in session.scalars(select(Event)))
        assert plain not in events
    # Typed the way people type it.
    for typed in (code, code.lower(), code.replace("-", " "), f"  {code.replace('-', '')} "):
        assert verified(rt, typed) == case_id
    assert verified(rt, "") is None
    assert issue(rt, new_case(rt, "NF-2", name="Ola Nordmann", birth_date="1970-01-01")) != code


def test_digits_from_arabic_and_persian_keyboards_are_read() -> None:
    assert letter_codes.normalize_code("ab٢٣-cd٤٥") == "AB23CD45"
    assert letter_codes.normalize_code("AB۲۳ CD۴۵") == "AB23CD45"
    assert letter_codes.normalize_code("ＡＢ２３ＣＤ４５") == "AB23CD45"
    assert letter_codes.normalize_code("AB23-CD4") is None  # too short
    assert letter_codes.normalize_code("AB23-CD40") is None  # 0 is not in the alphabet


def test_a_new_letter_rotates_the_code(rt: Any) -> None:
    case_id = new_case(rt)
    first = issue(rt, case_id)
    second = issue(rt, case_id)
    assert first != second
    assert verified(rt, first) is None
    assert verified(rt, second) == case_id
    with rt.session() as session:
        rows = list(session.scalars(select(BookingCode).where(BookingCode.case_id == case_id)))
        assert len(rows) == 2
        assert [r.revoked_reason for r in rows if r.revoked_at] == ["replaced"]
        # Two tenant letters in one rendering share the code.
        case = session.get(Case, case_id)
        assert letter_codes.issue_code(session, rt, case) == letter_codes.issue_code(
            session, rt, case
        )


def test_a_rolled_back_code_is_never_handed_out_again(rt: Any) -> None:
    """The per-transaction cache goes with the rollback."""
    case_id = new_case(rt)
    session = rt.new_session()
    try:
        case = session.get(Case, case_id)
        lost = letter_codes.issue_code(session, rt, case)
        session.rollback()  # the rendering failed: the code row is gone
        case = session.get(Case, case_id)
        fresh = letter_codes.issue_code(session, rt, case)
        assert fresh != lost
        session.commit()
    finally:
        session.close()
    assert verified(rt, lost) is None
    assert verified(rt, fresh) == case_id


def test_rendering_again_under_no_new_codes_issues_and_revokes_nothing(rt: Any) -> None:
    case_id = new_case(rt)
    code = issue(rt, case_id)
    with rt.session() as session, letter_codes.no_new_codes(session):
        assert letter_codes.letter_booking(session, session.get(Case, case_id), "tenant") == {}
    assert verified(rt, code) == case_id
    with rt.session() as session:
        case = session.get(Case, case_id)
        same = letter_codes.issue_code(session, rt, case)  # issued in this transaction: reused
        with letter_codes.no_new_codes(session):
            assert letter_codes.letter_booking(session, case, "tenant")["booking_code"] == same
        assert "booking_no_new_codes" not in session.info


def test_one_active_code_per_case_is_a_database_rule(rt: Any) -> None:
    case_id = new_case(rt)
    issue(rt, case_id)
    session = rt.new_session()
    try:
        session.add(
            BookingCode(
                case_id=case_id, code_hash="x" * 64, issued_at=rt.now(), expires_at=rt.now()
            )
        )
        with pytest.raises(IntegrityError):
            session.flush()
    finally:
        session.rollback()
        session.close()


def test_code_expires_after_six_weeks_and_when_the_case_closes(rt: Any, clock: Any) -> None:
    case_id = new_case(rt)
    code = issue(rt, case_id)
    start = clock.at
    clock.set(start + letter_codes.CODE_VALID_FOR - timedelta(minutes=1))
    assert verified(rt, code) == case_id
    clock.set(start + letter_codes.CODE_VALID_FOR)
    assert verified(rt, code) is None

    clock.set(start)
    other = new_case(rt, "NF-2", name="Ola Nordmann", birth_date="1970-01-01")
    other_code = issue(rt, other)
    with rt.session() as session:
        close_case(session, rt, session.get(Case, other), outcome="paid")
    assert verified(rt, other_code) is None


def test_a_rendered_tenant_letter_carries_the_code_and_address(rt: Any) -> None:
    from rq import Queue, SimpleWorker

    from outreach.reach.letter.batches import letter_data

    case_id = new_case(rt)
    tick(rt)
    SimpleWorker(
        [Queue(rt.settings.queue_name, connection=rt.redis())], connection=rt.redis()
    ).work(burst=True)
    with rt.session() as session:
        items = list(session.scalars(select(PrintItem).where(PrintItem.case_id == case_id)))
        letters = {i.audience: letter_data(session, i, rt.now().date()) for i in items}
    tenant = letters["tenant"]
    assert tenant.booking_address == "127.0.0.1:5000/b"  # OUTREACH_PUBLIC_URL without scheme
    assert CODE_SHAPE.match(tenant.booking_code)
    assert all(d.booking_code is None for a, d in letters.items() if a != "tenant")
    with rt.session() as session:  # never on a copy to the bailiff, plaintiff or landlord
        assert (
            letter_codes.letter_booking(session, session.get(Case, case_id), "copy_bailiff") == {}
        )
    assert verified(rt, tenant.booking_code) == case_id


def test_address_follows_the_public_url(rt: Any) -> None:
    from dataclasses import replace

    rt.settings = replace(rt.settings, public_base_url="https://hjelp.oslo.kommune.no/")
    assert letter_codes.booking_address(rt) == "hjelp.oslo.kommune.no/b"


# --- the three answers ---------------------------------------------------------------------


def _code(session: Any, rt: Any, case_id: int) -> BookingCode:
    issue(rt, case_id)
    return code_row(session, case_id)


@pytest.mark.parametrize("answer", ["appointment", "call_me", "sorted"])
def test_each_answer_stops_the_ladder(rt: Any, answer: str) -> None:
    case_id = new_case(rt)
    with rt.session() as session:
        assert any(
            rt.policy.by_name[s.rule].stops_on_response for s in open_steps(session, case_id)
        ), "the ladder has contact steps planned"
        code = _code(session, rt, case_id)
        if answer == "appointment":
            slot = booking_slots.offered_slots(session, rt, session.get(Case, case_id))[0]
            booking_answers.book_slot(session, rt, code, slot.starts_at)
        elif answer == "call_me":
            booking_answers.request_call(session, rt, code, when="morning", phone="+47 912 34 567")
        else:
            booking_answers.report_sorted(session, rt, code)
    with rt.session() as session:
        case = session.get(Case, case_id)
        assert case.ladder_state == "responded"
        assert case.status == "open"  # staff close cases, not the tenant
        # Contact steps are cancelled; only what a person must still decide stays.
        assert all(
            not rt.policy.by_name[s.rule].stops_on_response for s in open_steps(session, case_id)
        )
        events = kinds(session, case_id)
        assert "step_cancelled" in events
        assert f"booking_{answer}" in events
        response = session.scalars(
            select(Event).where(Event.case_id == case_id, Event.kind == "response_registered")
        ).one()
        assert response.channel == "booking"
        assert response.data["note"]
        tasks = list(
            session.scalars(
                select(Task).where(
                    Task.case_id == case_id, Task.kind == "phone_call", Task.status == "open"
                )
            )
        )
        if answer == "call_me":
            (task,) = tasks
            assert task.scheduled_for is not None
            assert task.scheduled_for.astimezone(letter_codes.OSLO).hour < 11
            assert "+4791234567" in task.note  # on the task, not on the timeline
            assert "9123" not in " ".join(str(e.data) for e in session.scalars(select(Event)))
        else:
            assert tasks == []


def test_bad_phone_number_is_refused(rt: Any) -> None:
    case_id = new_case(rt)
    with rt.session() as session:
        code = _code(session, rt, case_id)
        with pytest.raises(booking_answers.BookingError, match="phone"):
            booking_answers.request_call(session, rt, code, phone="call me maybe")


# --- offered times ---------------------------------------------------------------------------


def test_slots_are_in_office_hours_on_the_next_working_days(rt: Any) -> None:
    case_id = new_case(rt)
    with rt.session() as session:
        slots = booking_slots.offered_slots(session, rt, session.get(Case, case_id))
    days = sorted({s.local.date() for s in slots})
    assert len(days) == booking_slots.DAYS_AHEAD
    assert days[0] > rt.now().date()  # never today
    assert all(rt.calendar.is_working_day(d) for d in days)
    # Gamle Oslo: "Mandag–fredag 09:00–15:00"; meetings of 45 minutes end by 15:00.
    assert {s.local.strftime("%H:%M") for s in slots} == {
        "09:00",
        "10:00",
        "11:00",
        "12:00",
        "13:00",
        "14:00",
    }


def test_a_slot_cannot_be_booked_twice(rt: Any) -> None:
    first = new_case(rt)
    second = new_case(rt, "NF-2", name="Ola Nordmann", birth_date="1970-01-01")
    with rt.session() as session:
        slot = booking_slots.offered_slots(session, rt, session.get(Case, first))[0]
        booking_answers.book_slot(session, rt, _code(session, rt, first), slot.starts_at)
    with rt.session() as session:
        other = session.get(Case, second)
        assert slot not in booking_slots.offered_slots(session, rt, other)
        with pytest.raises(booking_answers.BookingError, match="taken"):
            booking_answers.book_slot(session, rt, _code(session, rt, second), slot.starts_at)
        # One appointment per case too.
        with pytest.raises(booking_answers.BookingError, match="already_booked"):
            booking_answers.book_slot(session, rt, code_row(session, first), slot.starts_at)
    # The database itself refuses a second booking of the same time.
    session = rt.new_session()
    try:
        session.add(
            BookingAppointment(
                case_id=second,
                district_code="030101",
                starts_at=slot.starts_at,
                ends_at=slot.starts_at + booking_slots.SLOT_LENGTH,
                status="booked",
                booked_at=rt.now(),
            )
        )
        with pytest.raises(IntegrityError):
            session.flush()
    finally:
        session.rollback()
        session.close()


def test_concurrent_bookings_of_one_slot_give_one_appointment(rt: Any) -> None:
    people = [
        ("Ola Nordmann", "1970-01-01"),
        ("Kari Berg", "1980-02-02"),
        ("Per Dahl", "1990-03-03"),
    ]
    cases = [
        new_case(rt, f"NF-{i}", name=name, birth_date=born) for i, (name, born) in enumerate(people)
    ]
    for case_id in cases:
        issue(rt, case_id)
    with rt.session() as session:
        slot = booking_slots.offered_slots(session, rt, session.get(Case, cases[0]))[0]
    barrier = threading.Barrier(len(cases))
    results: list[str] = []

    def attempt(case_id: int) -> None:
        session = rt.new_session()
        try:
            code = code_row(session, case_id)
            barrier.wait()
            booking_answers.book_slot(session, rt, code, slot.starts_at)
            session.commit()
            results.append("booked")
        except booking_answers.BookingError as exc:
            session.rollback()
            results.append(exc.reason)
        finally:
            session.close()

    threads = [threading.Thread(target=attempt, args=(c,)) for c in cases]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(results) == ["booked", "taken", "taken"]
    with rt.session() as session:
        booked = session.scalars(
            select(BookingAppointment).where(BookingAppointment.starts_at == slot.starts_at)
        ).all()
        assert len(booked) == 1
