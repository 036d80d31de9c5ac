"""Issue 12, item 14: what staff see on the case page is true and whole.

"Hva skjer videre" lists the open tasks, the follow-up plan, the booked
appointment and a stopped letter, and drops a withdrawn letter's deadline; a
deadline at 00:00 reads as the end of the day before; the intake form's notes
are shown; staff correct the tenant's contact details and reopen a case closed
by mistake (each with an event that names fields, never values).
"""

from __future__ import annotations

import html as html_lib
import re
from datetime import datetime, timedelta
from typing import Any

import pytest
from rq import Queue, SimpleWorker
from sqlalchemy import select

from outreach.cases import measures
from outreach.cases.response import close_case
from outreach.inbound.booking import answers as booking_answers
from outreach.inbound.booking import slots as booking_slots
from outreach.jobs.tick import tick
from outreach.models import Case, District, Event, Task, User
from outreach.models.booking import BookingCode
from outreach.reach.letter import codes as letter_codes
from outreach.web.i18n import OSLO
from tests.test_staff_support import csrf_token, login, make_user, new_case, text_of


def _work(rt: Any) -> None:
    queue = Queue(rt.settings.queue_name, connection=rt.redis())
    SimpleWorker([queue], connection=rt.redis()).work(burst=True)


def _words(part: str) -> str:
    return " ".join(html_lib.unescape(re.sub(r"<[^>]+>", " ", part)).split())


def _next(client: Any, case_id: int) -> str:
    page = text_of(client.get(f"/staff/saker/{case_id}"))
    part = page[page.index('id="next-heading"') :]
    return _words(part[: part.index("</section>")])


@pytest.fixture
def kari(client: Any, rt: Any) -> int:
    user_id = make_user(rt)
    assert login(client).status_code == 302
    return user_id


def test_next_lists_tasks_measures_and_the_booked_appointment(
    client: Any, rt: Any, kari: int
) -> None:
    case_id = new_case(rt).case_id
    with rt.session() as session:
        case, user = session.get(Case, case_id), session.get(User, kari)
        letter_codes.issue_code(session, rt, case)
        code = session.scalars(select(BookingCode).where(BookingCode.case_id == case_id)).one()
        slot = booking_slots.offered_slots(session, rt, case)[0]
        booking_answers.book_slot(session, rt, code, slot.starts_at)
        measures.add_followup(
            session,
            rt,
            case,
            kind="debt_counselling",
            due_on=rt.now().date() + timedelta(days=14),
            owner=user,
            note="",
            actor=user,
        )
        session.add(
            Task(
                case_id=case_id,
                kind="eviction_review",
                title="Gå gjennom saken",
                assignee_id=kari,
                district_code="030101",
                due_at=datetime(2026, 12, 10, 0, 0, tzinfo=OSLO),
                status="open",
            )
        )
    text = _next(client, case_id)
    assert slot.local.strftime("%d %H:%M") == "02 09:00"
    assert "Timeavtale på kontoret (bestilt av leietaker): onsdag 2. desember 09:00" in text
    assert "Gjennomgang etter utkastelse: innen onsdag 9. desember – ansvarlig: Kari Testesen" in (
        text
    )
    assert "Oppfølgingstiltak: Gjeldsrådgivning: tirsdag 15. desember" in text


def test_a_stopped_letter_is_shown_with_its_deadline(
    client: Any, rt: Any, kari: int, clock: Any
) -> None:
    clock.set(datetime(2026, 12, 5, 12, 0, tzinfo=OSLO))  # a Saturday
    assert login(client).status_code == 302
    with rt.session() as session:
        district = session.get(District, "030101")
        district.duty_contact_name = district.duty_contact_phone = ""
    case_id = new_case(rt, received_at="2026-12-05T11:00:00+01:00").case_id
    tick(rt)
    _work(rt)
    with rt.session() as session:
        kinds = set(session.scalars(select(Event.kind).where(Event.case_id == case_id)))
        assert "letter_blocked" in kinds
    text = _next(client, case_id)
    assert (
        "Brev til leietaker: stoppet – sendes ikke før det er rettet – "
        "kontaktperson med telefonnummer mangler" in text
    )
    # Saturday + three working days: Monday, Tuesday and Wednesday (the end of Wednesday).
    assert "Frist for brevet (tre virkedager): innen onsdag 9. desember" in text
    assert "torsdag 10. desember 00:00" not in text
    page = _words(text_of(client.get(f"/staff/saker/{case_id}")))
    assert "Planlagt: Frist for brevet (tre virkedager) frist: innen onsdag 9. desember" in page
    assert "00:00" not in page


def test_a_withdrawn_letter_takes_its_deadline_with_it(
    client: Any, rt: Any, kari: int, clock: Any
) -> None:
    # No sender address: the copy to the bailiff is skipped; the tenant letter is printed.
    case_id = new_case(rt, source={"address": None}).case_id
    tick(rt)
    _work(rt)
    case = f"/staff/saker/{case_id}"
    assert "Frist for brevet" in _next(client, case_id)
    response = client.post(
        f"{case}/kontakt",
        data={"csrf_token": csrf_token(client, case), "contact-channel": "phone"},
    )
    assert response.status_code == 302  # the letter is withdrawn from the pile
    assert "Frist for brevet" not in _next(client, case_id)
    clock.set(datetime(2026, 12, 4, 11, 0, tzinfo=OSLO))  # past the three working days
    tick(rt)
    _work(rt)
    with rt.session() as session:
        kinds = list(session.scalars(select(Event.kind).where(Event.case_id == case_id)))
    assert "letter_withdrawn" in kinds
    assert "letter_overdue" not in kinds  # the skipped copy is not an overdue letter


def test_deadlines_at_midnight_read_as_the_day_before(app: Any) -> None:
    from outreach.web.i18n import format_deadline

    with app.test_request_context(headers={"Accept-Language": "nb"}):
        assert format_deadline(datetime(2026, 12, 10, 0, 0, tzinfo=OSLO)) == (
            "innen onsdag 9. desember"
        )
        assert format_deadline(datetime(2026, 12, 10, 0, 0, tzinfo=OSLO), "short") == (
            "innen 9.12.2026"
        )
        assert format_deadline(datetime(2026, 12, 9, 14, 0, tzinfo=OSLO)) == (
            "innen onsdag 9. desember 14:00"
        )
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert format_deadline(datetime(2026, 12, 10, 0, 0, tzinfo=OSLO)) == (
            "by Wednesday 9 December"
        )


def test_the_flag_deadline_on_the_case_page_is_the_end_of_the_day(
    client: Any, rt: Any, kari: int
) -> None:
    from outreach.cases.flags import raise_flag
    from outreach.workdays import Offset

    case_id = new_case(rt).case_id
    with rt.session() as session:
        case = session.get(Case, case_id)
        flag = raise_flag(session, rt, case, "child_welfare_assessment", rt.now(), Offset(2, "wd"))
        assert flag is not None
        flag.due_at = datetime(2026, 12, 10, 0, 0, tzinfo=OSLO)
    page = _words(text_of(client.get(f"/staff/saker/{case_id}")))
    assert "Frist: innen onsdag 9. desember" in page
    assert "torsdag 10. desember 00:00" not in page


def test_the_intake_notes_are_on_the_case_page(client: Any, rt: Any, kari: int) -> None:
    case_id = new_case(rt, notes="Leietaker har søkt om nødhjelp hos NAV Grünerløkka.").case_id
    page = _words(text_of(client.get(f"/staff/saker/{case_id}")))
    assert "Merknader: Leietaker har søkt om nødhjelp hos NAV Grünerløkka." in page


def test_staff_correct_address_phone_and_language(client: Any, rt: Any, kari: int) -> None:
    case_id = new_case(rt).case_id
    case = f"/staff/saker/{case_id}"
    form = {
        "csrf_token": csrf_token(client, case),
        "details-street": "Tøyengata 14",
        "details-postal_code": "0190",
        "details-city": "Oslo",
        "details-phone": "912 34 567",
        "details-language": "so",
    }
    assert client.post(f"{case}/kontaktopplysninger", data=form).status_code == 302
    with rt.session() as session:
        person = session.get(Case, case_id).person
        assert (person.street, person.phone, person.language) == (
            "Tøyengata 14",
            "+4791234567",
            "so",
        )
        assert person.address_key == "tøyengate|14|0190"  # a later notice finds the person
        event = session.scalars(
            select(Event).where(Event.case_id == case_id, Event.kind == "contact_corrected")
        ).one()
        assert event.data["fields"] == ["address", "phone"] and event.actor == "kari"
        assert "Tøyengata" not in str(event.data) and "9123" not in str(event.data)
    page = _words(text_of(client.get(case)))
    assert "Kontaktopplysninger rettet av ansatt endret: adresse, telefon" in page
    form["details-phone"] = "12"
    response = client.post(f"{case}/kontaktopplysninger", data=form)
    assert response.status_code == 400
    assert "Ikke et gyldig telefonnummer." in text_of(response)


def test_a_case_closed_by_mistake_is_reopened_with_a_reason(
    client: Any, rt: Any, kari: int
) -> None:
    case_id = new_case(rt).case_id
    with rt.session() as session:
        close_case(session, rt, session.get(Case, case_id), outcome="paid", actor="kari")
    case = f"/staff/saker/{case_id}"
    token = csrf_token(client, case)
    response = client.post(f"{case}/gjenapne", data={"csrf_token": token, "reopen-reason": ""})
    assert response.status_code == 400
    with rt.session() as session:
        assert session.get(Case, case_id).status == "closed"
    reason = "Feil sak ble avsluttet, restansen er ikke betalt."
    response = client.post(f"{case}/gjenapne", data={"csrf_token": token, "reopen-reason": reason})
    assert response.status_code == 302
    with rt.session() as session:
        reopened = session.get(Case, case_id)
        assert (reopened.status, reopened.outcome, reopened.closed_at) == ("open", None, None)
        event = session.scalars(
            select(Event).where(Event.case_id == case_id, Event.kind == "case_reopened")
        ).one()
        assert event.data == {"reason": reason, "outcome_was": "paid"}
    page = _words(text_of(client.get(case)))
    assert f"Sak åpnet igjen årsak: {reason} var avsluttet som: Restansen er betalt" in page
