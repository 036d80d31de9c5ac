"""Issue 12, items 8 and 13: what the tenant answers on the booking page reaches staff.

A booked appointment is a task at its time (the case page, My work, the office's
day on the lead's page); "it's sorted" leaves a task to check it; "call me" calls
the number the tenant gave, with a call script. Also item 13's flag decision
and closing: "seek the parent's consent" asks for consent, and a close settles
the follow-up measures of the open case.
"""

from __future__ import annotations

import html as html_lib
import re
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from outreach.cases import measures
from outreach.cases.flags import decide_flag, raise_flag
from outreach.cases.followups import due_items
from outreach.cases.response import close_case
from outreach.inbound.booking import answers as booking_answers
from outreach.inbound.booking import slots as booking_slots
from outreach.models import Case, Flag, Task, User
from outreach.models.staff import FollowUpItem
from outreach.reach.letter import codes as letter_codes
from outreach.staff import queries
from outreach.workdays import Offset
from tests.test_staff_support import login, make_user, new_case, text_of


def _text(response: Any) -> str:
    return " ".join(html_lib.unescape(re.sub(r"<[^>]+>", " ", text_of(response))).split())


def _code(session: Any, rt: Any, case_id: int) -> Any:
    from outreach.models.booking import BookingCode

    letter_codes.issue_code(session, rt, session.get(Case, case_id))
    return session.scalars(
        select(BookingCode).where(BookingCode.case_id == case_id, BookingCode.revoked_at.is_(None))
    ).one()


@pytest.fixture
def kari(client: Any, rt: Any) -> int:
    user_id = make_user(rt)
    assert login(client).status_code == 302
    return user_id


def _with_caseworker(rt: Any, case_id: int, user_id: int) -> None:
    with rt.session() as session:
        session.get(Case, case_id).caseworker_id = user_id


def _open_tasks(session: Any, case_id: int, kind: str) -> list[Task]:
    return list(
        session.scalars(
            select(Task).where(Task.case_id == case_id, Task.kind == kind, Task.status == "open")
        )
    )


def test_a_booked_appointment_is_a_task_at_its_time_for_the_office(
    client: Any, rt: Any, kari: int
) -> None:
    from outreach.staff import appointments  # new with the office's day

    case_id = new_case(rt).case_id
    _with_caseworker(rt, case_id, kari)
    with rt.session() as session:
        slot = booking_slots.offered_slots(session, rt, session.get(Case, case_id))[0]
        booking_answers.book_slot(session, rt, _code(session, rt, case_id), slot.starts_at)
    with rt.session() as session:
        (task,) = _open_tasks(session, case_id, "office_appointment")
        assert task.scheduled_for == slot.starts_at and task.assignee_id == kari
        user = session.get(User, kari)
        assert task.id in {t.id for t in queries.my_tasks(session, user)}
        day = slot.local.date()
        week = queries.visits_week(session, user, queries.week_start(day))
        assert task.id in {t.id for t in week[day]}
        assert [t.id for t in appointments.office_day(session, user, day)] == [task.id]
    local = slot.local
    page = _text(client.get(f"/staff/saker/{case_id}"))
    next_part = page[page.index("Hva skjer videre") :][:600]
    assert "Timeavtale på kontoret (bestilt av leietaker)" in next_part
    assert f"{local:%H:%M}" in next_part
    work = _text(client.get("/staff/mitt-arbeid"))
    assert "Timeavtale på kontoret (bestilt av leietaker)" in work
    assert "på kontoret" in work


def test_the_office_day_is_on_the_leads_page(client: Any, rt: Any, clock: Any) -> None:
    make_user(rt, "lead", roles="district_lead,caseworker")
    case_id = new_case(rt).case_id
    with rt.session() as session:
        slot = booking_slots.offered_slots(session, rt, session.get(Case, case_id))[0]
        booking_answers.book_slot(session, rt, _code(session, rt, case_id), slot.starts_at)
    clock.set(slot.local.replace(hour=8, minute=0))
    assert login(client, "lead").status_code == 302
    response = client.get("/staff/leder")
    assert response.status_code == 200, response.status_code
    page = _text(response)
    part = page[page.index("Timeavtaler på kontoret i dag") :][:300]
    assert f"{slot.local:%H:%M}" in part and "Amina Hassan" in part


def test_sorted_leaves_a_task_to_check_it(rt: Any) -> None:
    case_id = new_case(rt).case_id
    with rt.session() as session:
        booking_answers.report_sorted(session, rt, _code(session, rt, case_id))
    with rt.session() as session:
        (task,) = _open_tasks(session, case_id, "check_sorted")
        assert task.assignee_role == "caseworker" and task.district_code == "030101"
        assert task.due_at > rt.now()
        assert session.get(Case, case_id).status == "open"


def test_call_me_calls_the_number_the_tenant_gave_with_a_script(
    client: Any, rt: Any, kari: int
) -> None:
    case_id = new_case(rt).case_id
    with rt.session() as session:
        code = _code(session, rt, case_id)
        booking_answers.request_call(session, rt, code, when="morning", phone="+47 912 34 567")
    with rt.session() as session:
        (task,) = _open_tasks(session, case_id, "phone_call")
        assert task.call_number == "+4791234567"
        assert session.get(Case, case_id).person.phone == "+4741234567"  # not changed
        assert task.note.startswith("Nummer å ringe: +4791234567.")
        assert "+4741234567" in task.note  # the case's own number, to check against
        assert "Spør etter leietakeren ved navn" in task.note  # the call script
        assert "Tolk: JA" in task.note
        task_id = task.id
    sheet = _text(client.get(f"/staff/oppgaver/{task_id}/samtale"))
    assert "Nummer å ringe +47 912 34 567" in sheet
    assert "oppgitt av leietakeren på bestillingssiden" in sheet


def _flag(rt: Any, case_id: int) -> int:
    with rt.session() as session:
        case = session.get(Case, case_id)
        flag = raise_flag(session, rt, case, "child_welfare_assessment", rt.now(), Offset(2, "wd"))
        assert flag is not None
        return int(flag.id)


@pytest.mark.parametrize(
    ("decision", "kind", "title"),
    [
        (
            "seek_parent_consent",
            "seek_parent_consent",
            "Be foreldrene om samtykke til å kontakte barneverntjenesten",
        ),
        ("report", "inform_parent", "Fortell forelderen om kontakten med barneverntjenesten"),
    ],
)
def test_each_child_welfare_decision_leaves_its_own_task(
    rt: Any, decision: str, kind: str, title: str
) -> None:
    case_id = new_case(rt).case_id
    flag_id = _flag(rt, case_id)
    with rt.session() as session:
        decide_flag(
            session,
            rt,
            session.get(Flag, flag_id),
            decision=decision,
            reason="Vurdert etter samtale med skolen.",
            user=None,
        )
    with rt.session() as session:
        tasks = list(session.scalars(select(Task).where(Task.case_id == case_id)))
        assert [(t.kind, t.title) for t in tasks if t.kind in {"inform_parent", kind}] == [
            (kind, title)
        ]


def test_closing_settles_the_open_cases_measures(rt: Any, clock: Any) -> None:
    user_id = make_user(rt)
    case_id = new_case(rt).case_id
    today = rt.now().date()
    with rt.session() as session:
        case, user = session.get(Case, case_id), session.get(User, user_id)
        for kind, due in (("debt_counselling", 7), ("rent_payment_check", 30)):
            measures.add_followup(
                session,
                rt,
                case,
                kind=kind,
                due_on=today + timedelta(days=due),
                owner=user,
                note="",
                actor=user,
            )
        close_case(session, rt, case, outcome="paid")
    with rt.session() as session:
        items = {i.kind: i.status for i in session.scalars(select(FollowUpItem))}
        # The solution alternative belonged to the open case; follow-up after help goes on.
        assert items == {"debt_counselling": "cancelled", "rent_payment_check": "open"}
        later = today + timedelta(days=10)
        user = session.get(User, user_id)
        overdue = due_items(session, queries.visible_cases(user), later)
        assert overdue == []
        assert [i.kind for i in queries.my_followups(session, user)] == ["rent_payment_check"]
    assert isinstance(later, date)
