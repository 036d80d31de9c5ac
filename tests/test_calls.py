"""Phone tasks (issue 4): priority, number, language and interpreter, the call script,
up to three tries at different times of day, and what each outcome does."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from outreach.cases.tasks import (
    MAX_CALL_TRIES,
    call_script,
    needs_interpreter,
    next_call_time,
    part_of_day,
    record_outcome,
)
from outreach.models import Attempt, Case, Event, Step, Task
from tests.test_staff_support import login, make_user
from tests.test_visits_support import contact_started, oslo, outbox, run, step_of


def _phone_task(rt: Any, clock: Any, **overrides: Any) -> tuple[int, int]:
    from tests.test_visits_support import open_case

    case_id = open_case(rt, **overrides)
    contact_started(rt, clock, case_id)
    step = step_of(rt, case_id, "phone_task")
    clock.set(step.due_at)  # Wed 9 Dec 08:00, working hours
    run(rt, step.id)
    with rt.session() as session:
        task = session.scalars(select(Task).where(Task.step_id == step.id)).one()
        return case_id, task.id


def _outcome(rt: Any, task_id: int, outcome: str, note: str = "") -> None:
    with rt.session() as session:
        task = session.get(Task, task_id)
        record_outcome(session, rt, task, outcome=outcome, note=note, actor="kari")


def _tasks(rt: Any, case_id: int) -> list[Task]:
    with rt.session() as session:
        return list(
            session.scalars(
                select(Task)
                .where(Task.case_id == case_id, Task.kind == "phone_call")
                .order_by(Task.id)
            )
        )


@pytest.mark.parametrize(
    ("language", "interpreter"),
    [("nb", False), ("nn", False), ("sv", False), ("da", False), ("en", False),
     ("so", True), ("ar", True), ("pl", True), ("ti", True), ("prs", True)],
)  # fmt: skip
def test_interpreter_for_every_language_but_the_scandinavian_ones_and_english(
    language: str, interpreter: bool
) -> None:
    assert needs_interpreter(language) is interpreter


def test_the_call_script_protects_the_tenant_and_forbids_child_interpreters() -> None:
    script = call_script(phone="+4741234567", language="so", priority=12, try_no=1, contact="Kari")
    assert "NAV vil gjerne snakke med deg om boligen din" in script
    assert "tolkeloven § 6" in script and "barn som tolk" in script
    assert "ikke si at du ringer fra NAV" in script  # to whoever answers, if not the tenant
    assert "nøytral beskjed" in script  # voicemail
    assert "Tolk: JA" in script and "somali" in script
    assert "krise" in script and "barn i husstanden" in script
    # What the caller says aloud carries no sensitive word (the header is for staff).
    spoken = "\n".join(line for line in script.splitlines() if line[:2] in {"1.", "2.", "3.", "5."})
    for word in ("utkastelse", "husleie", "restanse", "gjeld ", "gjelden", "beløp"):
        assert word not in spoken.lower()


def test_phone_task_carries_priority_number_language_interpreter_and_script(
    rt: Any, clock: Any
) -> None:
    _case_id, task_id = _phone_task(rt, clock)
    with rt.session() as session:
        task = session.get(Task, task_id)
        assert task is not None
        assert task.priority >= 4  # children in the household
        assert task.title == "Ring leietaker – tolk: somali"
        assert "+4741234567" in task.note
        assert "Tolk: JA" in task.note and "tolkeloven § 6" in task.note
        assert "Forsøk 1 av 3" in task.note
    # The staff message through the phone_task channel shows the interpreter too.
    [message] = outbox(rt, "phone_task")
    assert "tolk: somali" in message["body"]


def test_norwegian_speaker_needs_no_interpreter(rt: Any, clock: Any) -> None:
    _case_id, task_id = _phone_task(rt, clock, tenant={"language": "nb"})
    with rt.session() as session:
        task = session.get(Task, task_id)
        assert task is not None
        assert task.title == "Ring leietaker"
        assert "Tolk: nei" in task.note


def test_no_answer_plans_two_more_tries_at_other_times_of_day(rt: Any, clock: Any) -> None:
    case_id, first = _phone_task(rt, clock)
    _outcome(rt, first, "no_answer")  # Wed 08:00: the morning
    second = _tasks(rt, case_id)[-1]
    assert second.scheduled_for == oslo(2026, 12, 10, 14, 30)  # Thursday afternoon
    clock.set(second.scheduled_for)
    _outcome(rt, second.id, "voicemail")  # a voicemail is no answer either
    third = _tasks(rt, case_id)[-1]
    assert third.scheduled_for == oslo(2026, 12, 11, 11, 30)  # Friday midday
    clock.set(third.scheduled_for)
    _outcome(rt, third.id, "no_answer")
    tasks = _tasks(rt, case_id)
    assert len(tasks) == MAX_CALL_TRIES == 3
    assert {part_of_day(t.scheduled_for or t.due_at) for t in tasks} == {
        "morning", "afternoon", "midday",
    }  # fmt: skip
    assert len({t.step_id for t in tasks}) == 1  # every try on the same step
    assert all(t.status == "done" for t in tasks)
    assert "Forsøk 3 av 3" in tasks[-1].note
    with rt.session() as session:
        step = step_of(rt, case_id, "phone_task")
        attempts = session.scalars(
            select(Attempt).where(Attempt.step_id == step.id).order_by(Attempt.try_no)
        ).all()
        # The staff message, then one attempt per try, try numbers increasing.
        assert [(a.try_no, a.channel, a.status) for a in attempts] == [
            (1, "phone_task", "sent"),
            (2, "phone", "no_answer"),
            (3, "phone", "voicemail"),
            (4, "phone", "no_answer"),
        ]
        kinds = list(
            session.scalars(select(Event.kind).where(Event.case_id == case_id).order_by(Event.id))
        )
    assert kinds.count("phone_task_outcome") == 3
    assert kinds.count("phone_retry_planned") == 2
    assert kinds.count("phone_tries_exhausted") == 1


def test_next_try_stays_in_working_hours_and_skips_weekends(rt: Any) -> None:
    friday_afternoon = oslo(2026, 12, 11, 15, 0)
    assert next_call_time(rt, [friday_afternoon], friday_afternoon) == oslo(2026, 12, 14, 8, 30)
    tried = [oslo(2026, 12, 9, 8, 0), oslo(2026, 12, 10, 14, 30)]
    assert next_call_time(rt, tried, tried[-1]) == oslo(2026, 12, 11, 11, 30)
    # Christmas: the 24th is closed, 25th and 26th are holidays.
    assert next_call_time(rt, [oslo(2026, 12, 23, 9, 0)], oslo(2026, 12, 23, 9, 0)) == oslo(
        2026, 12, 28, 14, 30
    )


def test_wrong_number_clears_the_number_and_the_ladder_goes_on(rt: Any, clock: Any) -> None:
    case_id, task_id = _phone_task(rt, clock)
    _outcome(rt, task_id, "wrong_number")
    assert len(_tasks(rt, case_id)) == 1  # no more tries to that number
    with rt.session() as session:
        case = session.get(Case, case_id)
        assert case is not None and case.person.phone is None and case.ladder_state == "running"
        event = session.scalars(
            select(Event).where(Event.case_id == case_id, Event.kind == "phone_number_cleared")
        ).one()
        assert event.data["number"] == "+47******67"  # masked on the timeline
    assert step_of(rt, case_id, "home_visit").status == "planned"


def test_refused_is_recorded_and_is_a_response(rt: Any, clock: Any) -> None:
    """The tenant was reached: refusing is an answer and stops the ladder."""
    case_id, task_id = _phone_task(rt, clock)
    _outcome(rt, task_id, "refused", note="Ønsket ikke å snakke nå.")
    assert len(_tasks(rt, case_id)) == 1
    with rt.session() as session:
        case = session.get(Case, case_id)
        assert case is not None and case.ladder_state == "responded"
        assert session.scalar(
            select(Event.id).where(Event.case_id == case_id, Event.kind == "contact_refused")
        )
        task = session.get(Task, task_id)
        assert task is not None
        # The result is added to the task; the call script stays.
        assert "Ønsket ikke" in task.note and "tolkeloven" in task.note
    assert step_of(rt, case_id, "home_visit").status == "cancelled"


def test_reached_is_a_response_and_cancels_the_next_try(rt: Any, clock: Any) -> None:
    case_id, first = _phone_task(rt, clock)
    _outcome(rt, first, "no_answer")
    retry = _tasks(rt, case_id)[-1]
    clock.set(retry.scheduled_for)
    _outcome(rt, retry.id, "reached")
    with rt.session() as session:
        case = session.get(Case, case_id)
        assert case is not None and case.ladder_state == "responded"
        assert session.get(Step, step_of(rt, case_id, "home_visit").id).status == "cancelled"
    assert [t.status for t in _tasks(rt, case_id)] == ["done", "done"]


def test_call_sheet_and_outcome_form_in_the_staff_app(client: Any, rt: Any, clock: Any) -> None:
    case_id, task_id = _phone_task(rt, clock)
    make_user(rt)
    login(client)
    page = client.get(f"/staff/oppgaver/{task_id}/samtale")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Tolk trengs" in html and "+4741234567" in html and "tolkeloven § 6" in html
    from tests.test_staff_support import csrf_token

    token = csrf_token(client, f"/staff/saker/{case_id}")
    response = client.post(
        f"/staff/oppgaver/{task_id}",
        data={"csrf_token": token, f"task{task_id}-outcome": "no_answer"},
    )
    assert response.status_code == 302
    assert len(_tasks(rt, case_id)) == 2  # the next try is planned
