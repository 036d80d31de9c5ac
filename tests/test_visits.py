"""Home visits (issue 4): two staff, no double booking, travel time, working hours,
the policy's limit, the pool, move/cancel with iCalendar, the tenant's SMS notice,
and "not home" planning exactly one more visit."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from icalendar import Calendar
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from outreach.cases.response import register_response
from outreach.cases.tasks import record_outcome
from outreach.models import Case, Event, Step, Task
from outreach.models.visits import HomeVisit, VisitStaff
from outreach.reach.visit import actions, schedule
from outreach.reach.visit import calendar as visit_calendar
from tests.test_staff_support import csrf_token, login, make_user
from tests.test_visits_support import (
    open_case,
    oslo,
    outbox,
    post_letters,
    run,
    step_of,
    team_member,
    visit_step_due,
)


@pytest.fixture
def pair(rt: Any) -> list[int]:
    return [team_member(rt, "ole"), team_member(rt, "sara")]


def _visits(rt: Any, case_id: int | None = None) -> list[HomeVisit]:
    with rt.session() as session:
        query = select(HomeVisit).order_by(HomeVisit.id)
        if case_id is not None:
            query = query.where(HomeVisit.case_id == case_id)
        return list(session.scalars(query))


def _staff(rt: Any, visit_id: int) -> list[int]:
    with rt.session() as session:
        return sorted(
            session.scalars(select(VisitStaff.user_id).where(VisitStaff.visit_id == visit_id))
        )


def _events(rt: Any, case_id: int, kind: str) -> list[Event]:
    with rt.session() as session:
        return list(
            session.scalars(
                select(Event).where(Event.case_id == case_id, Event.kind == kind).order_by(Event.id)
            )
        )


def _ics(message: dict[str, Any]) -> Calendar:
    import base64

    [attachment] = message["attachments"]
    assert attachment["filename"].endswith(".ics")
    assert attachment["mime_type"].startswith("text/calendar")
    return Calendar.from_ical(base64.b64decode(attachment["content_base64"]))


def _vevent(cal: Calendar) -> Any:
    return next(c for c in cal.walk("VEVENT"))


def test_grid_of_visit_slots_leaves_travel_time() -> None:
    from datetime import date, time

    slots = visit_calendar.day_slots(date(2026, 12, 14), (time(8, 0), time(15, 30)))
    assert [s.strftime("%H:%M") for s in slots] == ["08:30", "10:00", "11:30", "13:00", "14:30"]


def test_visit_gets_two_staff_an_invitation_and_the_tenant_an_sms(
    rt: Any, clock: Any, pair: list[int]
) -> None:
    case_id = open_case(rt)
    step = visit_step_due(rt, clock, case_id)  # Fri 11 Dec 08:00
    assert run(rt, step.id).result == "done"
    [visit] = _visits(rt, case_id)
    # The next working day from 10:00, in working hours, within "3wd".
    assert visit.starts_at == oslo(2026, 12, 14, 10, 0)
    assert visit.ends_at == oslo(2026, 12, 14, 11, 0)
    assert (visit.staffing, _staff(rt, visit.id)) == ("staffed", sorted(pair))
    with rt.session() as session:
        task = session.get(Task, visit.task_id)
        case = session.get(Case, case_id)
        assert task is not None and case is not None
        assert (task.kind, task.scheduled_for, task.assignee_id) == (
            "home_visit", visit.starts_at, pair[0],
        )  # fmt: skip
        reference, name = case.reference, case.person.name
    # The staff's invitation travels with the home_visit channel message.
    [message] = outbox(rt, "home_visit")
    cal = _ics(message)
    event = _vevent(cal)
    assert str(cal["METHOD"]) == "REQUEST"
    assert str(event["UID"]) == visit.ical_uid and int(event["SEQUENCE"]) == 0
    assert reference in str(event["SUMMARY"]) and name not in cal.to_ical().decode()
    assert len(event.get("ATTENDEE")) == 2
    raw = cal.to_ical().decode()
    assert "DTSTART;TZID=Europe/Oslo:20261214T100000" in raw
    assert "DTEND;TZID=Europe/Oslo:20261214T110000" in raw
    assert "BEGIN:VTIMEZONE" in raw and "TZID:Europe/Oslo" in raw
    # The tenant's notice: a real SMS step, sent in the SMS window.
    notice = step_of(rt, case_id, "visit_notice")
    assert (notice.channel, notice.params["visit_id"]) == ("sms", visit.id)
    assert run(rt, notice.id).result == "deferred"  # 08:00: before the window
    clock.set(oslo(2026, 12, 11, 9, 0))
    assert run(rt, notice.id).result == "done"
    sms = outbox(rt, "sms")[-1]  # after the first SMS rung
    assert "10:00" in sms["body"] and "14" in sms["body"]
    assert "utkast" not in sms["body"].lower() and "http" not in sms["body"]


def test_two_visits_competing_for_the_same_pair_are_never_double_booked(
    rt: Any, clock: Any, pair: list[int]
) -> None:
    first, second = open_case(rt), open_case(rt, 2)
    for case_id in (first, second):
        run(rt, step_of(rt, case_id, "letter").id)
    clock.set(oslo(2026, 12, 1, 16, 0))
    post_letters(rt)
    clock.set(oslo(2026, 12, 8, 16, 0))
    for case_id in (first, second):
        run(rt, step_of(rt, case_id, "sms").id)
    clock.set(oslo(2026, 12, 11, 8, 0))
    steps = [step_of(rt, c, "home_visit").id for c in (first, second)]
    # Both jobs at once, each in its own transaction and connection.
    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(lambda s: run(rt, s).result, steps))
    assert results == ["done", "done"]
    a, b = sorted(_visits(rt), key=lambda v: v.starts_at)
    assert _staff(rt, a.id) == _staff(rt, b.id) == sorted(pair)
    assert a.starts_at == oslo(2026, 12, 14, 10, 0)
    # The same two people: the second visit starts after the first plus travel time.
    assert b.starts_at == oslo(2026, 12, 14, 11, 30)
    assert b.starts_at >= a.ends_at + visit_calendar.TRAVEL_TIME


def test_the_database_refuses_a_second_visit_for_one_person_in_the_same_slot(
    rt: Any, clock: Any, pair: list[int]
) -> None:
    case_id = open_case(rt)
    run(rt, visit_step_due(rt, clock, case_id).id)
    [visit] = _visits(rt)
    with pytest.raises(IntegrityError), rt.session() as session:
        session.add(
            VisitStaff(
                visit_id=visit.id, user_id=pair[0], slot_start=visit.starts_at,
                slot_end=visit.ends_at,
            )
        )  # fmt: skip
        session.flush()


def test_a_third_member_makes_a_second_pair_for_the_same_slot(
    rt: Any, clock: Any, pair: list[int]
) -> None:
    team_member(rt, "tor")
    team_member(rt, "una")
    first, second = open_case(rt), open_case(rt, 2)
    for case_id in (first, second):
        run(rt, step_of(rt, case_id, "letter").id)
    clock.set(oslo(2026, 12, 1, 16, 0))
    post_letters(rt)
    clock.set(oslo(2026, 12, 8, 16, 0))
    for case_id in (first, second):
        run(rt, step_of(rt, case_id, "sms").id)
    clock.set(oslo(2026, 12, 11, 8, 0))
    for case_id in (first, second):
        run(rt, step_of(rt, case_id, "home_visit").id)
    a, b = _visits(rt)
    assert a.starts_at == b.starts_at == oslo(2026, 12, 14, 10, 0)
    assert not set(_staff(rt, a.id)) & set(_staff(rt, b.id))


def test_no_free_pair_in_time_goes_to_the_pool_and_asks_for_manual_staffing(
    rt: Any, clock: Any
) -> None:
    team_member(rt, "ole")  # a team of one cannot make a pair
    team_member(rt, "nils", district="030102")  # another district's member does not count
    case_id = open_case(rt)
    run(rt, visit_step_due(rt, clock, case_id).id)
    [visit] = _visits(rt)
    assert (visit.staffing, _staff(rt, visit.id)) == ("pool", [])
    assert visit.starts_at == oslo(2026, 12, 14, 10, 0)
    [event] = _events(rt, case_id, "visit_needs_staffing")
    assert event.data["visit_id"] == visit.id


def test_a_busy_pair_within_the_limit_sends_the_visit_to_the_pool(
    rt: Any, clock: Any, pair: list[int]
) -> None:
    case_id = open_case(rt, eviction_date="2026-12-09")  # crisis: visit at once, within 2wd
    with rt.session() as session:
        case = session.get(Case, case_id)
        assert case is not None and case.crisis_since is not None
    run(rt, step_of(rt, case_id, "letter").id)
    step = step_of(rt, case_id, "home_visit")
    clock.set(step.due_at)  # Tue 1 Dec 10:00
    # Other households take every slot of the pair until the crisis limit.
    others = [open_case(rt, n) for n in range(2, 12)]
    with rt.session() as session:
        rule = rt.policy.by_name["home_visit"]
        for other in others:
            case = session.get(Case, other)
            fake = Step(
                case_id=other, rule="home_visit", key="home_visit:r1", channel="home_visit",
                due_at=clock(), status="done",
            )  # fmt: skip
            session.add(fake)
            session.flush()
            schedule.schedule_visit(session, rt, case, fake, rule, clock())
    run(rt, step.id)
    visit = _visits(rt, case_id)[0]
    assert visit.staffing == "pool"
    assert visit.starts_at <= oslo(2026, 12, 3, 15, 30)  # still inside the crisis limit
    assert _events(rt, case_id, "visit_needs_staffing")


def test_move_sends_a_new_sequence_and_cancel_sends_cancel(
    client: Any, rt: Any, clock: Any, pair: list[int]
) -> None:
    case_id = open_case(rt)
    run(rt, visit_step_due(rt, clock, case_id).id)
    [visit] = _visits(rt)
    notice = step_of(rt, case_id, "visit_notice")
    make_user(rt)
    login(client)
    page = f"/staff/besok/{visit.id}"
    assert client.get(page).status_code == 200
    assert client.get("/staff/besok").status_code == 200
    # Outside working hours: refused, nothing changes.
    bad = client.post(
        f"{page}/flytt",
        data={"csrf_token": csrf_token(client, page), "date": "2026-12-15", "time": "17:00"},
    )
    assert bad.status_code == 400
    moved = client.post(
        f"{page}/flytt",
        data={
            "csrf_token": csrf_token(client, page),
            "date": "2026-12-15",
            "time": "13:00",
            "staff1": str(pair[0]),
            "staff2": str(pair[1]),
        },
    )
    assert moved.status_code == 302
    [moved_visit] = _visits(rt)
    assert moved_visit.starts_at == oslo(2026, 12, 15, 13, 0)
    assert moved_visit.ical_sequence == 1
    with rt.session() as session:
        task = session.get(Task, visit.task_id)
        assert task is not None and task.scheduled_for == oslo(2026, 12, 15, 13, 0)
        # The notice not yet sent names the new time.
        assert session.get(Step, notice.id).params["when"].startswith("2026-12-15T13:00")
    first, update = outbox(rt, "home_visit")
    old, new = _vevent(_ics(first)), _vevent(_ics(update))
    assert str(new["UID"]) == str(old["UID"])
    assert int(new["SEQUENCE"]) == 1 > int(old["SEQUENCE"])
    assert "20261215T130000" in update_raw(update)
    # The calendar file to download is the current version.
    download = client.get(f"{page}/invitasjon.ics")
    assert download.status_code == 200 and download.mimetype == "text/calendar"
    assert b"SEQUENCE:1" in download.data
    # Cancel: CANCEL with SEQUENCE 2, the staff are free again, the notice withdrawn.
    cancelled = client.post(
        f"{page}/avlys", data={"csrf_token": csrf_token(client, page), "reason": "Flyttet ut"}
    )
    assert cancelled.status_code == 302
    cancel_msg = outbox(rt, "home_visit")[-1]
    cal = _ics(cancel_msg)
    event = _vevent(cal)
    assert str(cal["METHOD"]) == "CANCEL" and int(event["SEQUENCE"]) == 2
    assert str(event["UID"]) == visit.ical_uid and str(event["STATUS"]) == "CANCELLED"
    assert len(event.get("ATTENDEE")) == 2
    assert _staff(rt, visit.id) == []
    with rt.session() as session:
        assert session.get(Step, notice.id).status == "cancelled"
        assert session.get(Task, visit.task_id).status == "cancelled"
    assert [e.data["sequence"] for e in _events(rt, case_id, "visit_invitation_sent")] == [1, 2]
    # The case page shows the timeline with all of it.
    assert client.get(f"/staff/saker/{case_id}").status_code == 200


def update_raw(message: dict[str, Any]) -> str:
    return _ics(message).to_ical().decode()


def test_moving_onto_a_booked_pair_is_refused_travel_time_included(
    rt: Any, clock: Any, pair: list[int]
) -> None:
    first, second = open_case(rt), open_case(rt, 2)
    for case_id in (first, second):
        run(rt, step_of(rt, case_id, "letter").id)
    clock.set(oslo(2026, 12, 1, 16, 0))
    post_letters(rt)
    clock.set(oslo(2026, 12, 8, 16, 0))
    for case_id in (first, second):
        run(rt, step_of(rt, case_id, "sms").id)
    clock.set(oslo(2026, 12, 11, 8, 0))
    for case_id in (first, second):
        run(rt, step_of(rt, case_id, "home_visit").id)
    _first, b = sorted(_visits(rt), key=lambda v: v.starts_at)  # 10:00, 11:30 on the 14th
    with rt.session() as session:
        visit = session.get(HomeVisit, b.id)
        # 11:15 leaves 15 minutes after the 10:00-11:00 visit: too little travel time.
        with pytest.raises(visit_calendar.VisitError, match="travel time"):
            actions.move_visit(session, rt, visit, oslo(2026, 12, 14, 11, 15))
        session.rollback()
    with rt.session() as session:
        visit = session.get(HomeVisit, b.id)
        actions.move_visit(session, rt, visit, oslo(2026, 12, 14, 13, 0))
    assert _staff(rt, b.id) == sorted(pair)


def test_not_home_plans_exactly_one_more_visit(rt: Any, clock: Any, pair: list[int]) -> None:
    case_id = open_case(rt)
    run(rt, visit_step_due(rt, clock, case_id).id)
    [first] = _visits(rt)
    clock.set(first.starts_at)
    with rt.session() as session:
        record_outcome(session, rt, session.get(Task, first.task_id), outcome="not_home")
    first_again, second = _visits(rt)
    assert first_again.status == "done" and second.visit_no == 2
    assert second.starts_at == oslo(2026, 12, 15, 10, 0)
    assert _staff(rt, second.id) == sorted(pair)
    # A new invitation for the second visit, and a new notice to the tenant.
    assert str(_ics(outbox(rt, "home_visit")[-1])["METHOD"]) == "REQUEST"
    notices = [
        s
        for s in _steps(rt, case_id)
        if s.rule == "visit_notice" and s.params["visit_id"] == second.id
    ]
    assert len(notices) == 1
    clock.set(second.starts_at)
    with rt.session() as session:
        record_outcome(session, rt, session.get(Task, second.task_id), outcome="not_home")
    assert len(_visits(rt)) == 2  # no third visit
    assert len(_events(rt, case_id, "contact_card_left")) == 2
    with rt.session() as session:
        case = session.get(Case, case_id)
        assert case is not None and case.ladder_state == "running"
    statuses = [e.data["outcome"] for e in _events(rt, case_id, "home_visit_outcome")]
    assert statuses == ["not_home", "not_home"]


def _steps(rt: Any, case_id: int) -> list[Step]:
    with rt.session() as session:
        return list(session.scalars(select(Step).where(Step.case_id == case_id)))


@pytest.mark.parametrize(("outcome", "event"), [("refused", "contact_refused"),
                                                ("moved_out", "tenant_moved_out")])  # fmt: skip
def test_refused_and_moved_out_are_recorded_and_the_ladder_goes_on(
    rt: Any, clock: Any, pair: list[int], outcome: str, event: str
) -> None:
    case_id = open_case(rt)
    run(rt, visit_step_due(rt, clock, case_id).id)
    [visit] = _visits(rt)
    clock.set(visit.starts_at)
    with rt.session() as session:
        record_outcome(session, rt, session.get(Task, visit.task_id), outcome=outcome)
    assert _events(rt, case_id, event)
    assert len(_visits(rt)) == 1
    # A refusal is an answer (tasks.REACHED): the ladder stops; moved out goes on.
    expected = "cancelled" if outcome == "refused" else "planned"
    assert step_of(rt, case_id, "unreachable_check").status == expected


def test_met_is_a_response(rt: Any, clock: Any, pair: list[int]) -> None:
    case_id = open_case(rt)
    run(rt, visit_step_due(rt, clock, case_id).id)
    [visit] = _visits(rt)
    clock.set(visit.starts_at)
    with rt.session() as session:
        record_outcome(session, rt, session.get(Task, visit.task_id), outcome="met")
        case = session.get(Case, case_id)
        assert case is not None and case.ladder_state == "responded"
    assert _visits(rt)[0].status == "done"


def test_a_response_cancels_the_visit_frees_the_staff_and_tells_them(
    rt: Any, clock: Any, pair: list[int]
) -> None:
    case_id = open_case(rt)
    run(rt, visit_step_due(rt, clock, case_id).id)
    [visit] = _visits(rt)
    with rt.session() as session:
        register_response(session, rt, session.get(Case, case_id), channel="phone")
    [visit] = _visits(rt)
    assert visit.status == "cancelled" and _staff(rt, visit.id) == []
    cal = _ics(outbox(rt, "home_visit")[-1])
    assert str(cal["METHOD"]) == "CANCEL"
    assert step_of(rt, case_id, "visit_notice").status == "cancelled"


def test_no_mobile_number_means_no_sms_notice(rt: Any, clock: Any, pair: list[int]) -> None:
    case_id = open_case(rt, tenant={"phone": "+4722222222"})  # a landline
    run(rt, visit_step_due(rt, clock, case_id).id)
    [booked] = _events(rt, case_id, "visit_booked")
    assert booked.data["tenant_notice"] == "not a mobile number"
    assert not [s for s in _steps(rt, case_id) if s.rule == "visit_notice"]


def test_moving_after_the_notice_was_sent_tells_the_tenant_the_new_time(
    rt: Any, clock: Any, pair: list[int]
) -> None:
    case_id = open_case(rt)
    run(rt, visit_step_due(rt, clock, case_id).id)
    clock.set(oslo(2026, 12, 11, 9, 0))
    assert run(rt, step_of(rt, case_id, "visit_notice").id).result == "done"
    [visit] = _visits(rt)
    with rt.session() as session:
        actions.move_visit(
            session, rt, session.get(HomeVisit, visit.id), oslo(2026, 12, 15, 11, 30)
        )
    notices = sorted(
        (s for s in _steps(rt, case_id) if s.rule == "visit_notice"), key=lambda s: s.id
    )
    assert [s.status for s in notices] == ["done", "planned"]
    assert notices[-1].params["when"].startswith("2026-12-15T11:30")
