"""Forwarding moves a case's access: tasks, home visits, waiting letters, caseworker (issue 5)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from outreach.models import Case, Event, PrintBatch, PrintItem, Task
from outreach.models.visits import HomeVisit, VisitStaff
from tests.test_staff_support import csrf_token, login, make_user, text_of
from tests.test_visits_support import open_case, run, step_of, team_member, visit_step_due


def _forward(client: Any, case_id: int, district: str = "030102") -> Any:
    page = f"/staff/saker/{case_id}"
    return client.post(
        f"{page}/videresend",
        data={
            "csrf_token": csrf_token(client, page),
            "forward-district": district,
            "forward-reason": "Bor i Grünerløkka",
        },
    )


def _kinds(rt: Any, case_id: int) -> list[str]:
    with rt.session() as session:
        return list(
            session.scalars(select(Event.kind).where(Event.case_id == case_id).order_by(Event.id))
        )


def test_forward_moves_open_tasks_and_visits_to_the_new_districts_team(
    client: Any, rt: Any, clock: Any
) -> None:
    old_pair = [team_member(rt, "ole"), team_member(rt, "sara")]
    new_pair = [team_member(rt, "per", "030102"), team_member(rt, "liv", "030102")]
    kari = make_user(rt)
    make_user(rt, "nils", districts="030102")
    case_id = open_case(rt)
    step = visit_step_due(rt, clock, case_id)
    assert run(rt, step.id).result == "done"
    with rt.session() as session:
        [visit] = session.scalars(select(HomeVisit).where(HomeVisit.case_id == case_id))
        assert sorted(
            session.scalars(select(VisitStaff.user_id).where(VisitStaff.visit_id == visit.id))
        ) == sorted(old_pair)
        phone = Task(
            case_id=case_id,
            kind="phone_call",
            title="Ring",
            district_code="030101",
            due_at=rt.now(),
            status="open",
        )
        session.add(phone)
        session.flush()
        phone.assignee_id = kari
        session.get(Case, case_id).caseworker_id = kari
        old_visit_id, phone_id = visit.id, phone.id
        name = session.get(Case, case_id).person.name
    login(client)
    assert name in text_of(client.get("/staff/mitt-arbeid"))

    response = _forward(client, case_id)
    assert response.status_code == 302

    with rt.session() as session:
        case = session.get(Case, case_id)
        assert case.district_code == "030102" and case.caseworker_id is None
        phone = session.get(Task, phone_id)
        assert (phone.status, phone.district_code, phone.assignee_id) == ("open", "030102", None)
        old = session.get(HomeVisit, old_visit_id)
        assert old.status == "cancelled"
        assert not session.scalars(
            select(VisitStaff).where(VisitStaff.visit_id == old_visit_id)
        ).all()
        [new] = session.scalars(
            select(HomeVisit).where(HomeVisit.case_id == case_id, HomeVisit.status == "scheduled")
        )
        assert new.district_code == "030102" and new.staffing == "staffed"
        assert sorted(
            session.scalars(select(VisitStaff.user_id).where(VisitStaff.visit_id == new.id))
        ) == sorted(new_pair)
        new_task = session.get(Task, new.task_id)
        assert (new_task.status, new_task.district_code) == ("open", "030102")
        forwarded = session.scalar(select(Event).where(Event.kind == "forwarded"))
        assert forwarded.data["caseworker_removed"] == "kari"
    kinds = _kinds(rt, case_id)
    assert {"forwarded", "task_moved", "visit_cancelled", "visit_booked"} <= set(kinds)
    # The old district no longer sees the tenant in My work or the visits week.
    mine = text_of(client.get("/staff/mitt-arbeid"))
    assert name not in mine and "+47" not in mine
    # The new district does.
    other = client.application.test_client()
    login(other, "nils")
    assert name in text_of(other.get("/staff/mitt-arbeid"))


def test_forward_moves_a_waiting_letter_to_the_new_districts_print_batch(
    client: Any, rt: Any
) -> None:
    make_user(rt)
    case_id = open_case(rt)
    run(rt, step_of(rt, case_id, "letter").id)
    with rt.session() as session:
        [item] = session.scalars(select(PrintItem).where(PrintItem.case_id == case_id))
        assert session.get(PrintBatch, item.batch_id).district_code == "030101"
        item_id, old_batch = item.id, item.batch_id
    login(client)
    assert _forward(client, case_id).status_code == 302
    with rt.session() as session:
        item = session.get(PrintItem, item_id)
        batch = session.get(PrintBatch, item.batch_id)
        assert (batch.district_code, batch.status, item.status) == ("030102", "open", "queued")
        assert item.batch_id != old_batch
        event = session.scalar(select(Event).where(Event.kind == "letter_moved"))
        assert event.data["from_batch"] == old_batch and event.data["batch_id"] == batch.id
