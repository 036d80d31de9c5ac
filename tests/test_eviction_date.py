"""The eviction date moves both ways, and crisis follows the current date (issue 12, items 3-4).

A bailiff's postponement (normal when a payment plan is agreed) was ignored:
the date only ever moved earlier, so letters printed a stale date and the
case stayed a crisis. The bailiff's newest date is the date now, with an
event carrying it; crisis is computed again from it, both ways.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from outreach.ladder.facts import case_facts
from outreach.models import Case, Event
from outreach.policy.plan import OSLO, is_crisis
from tests.factories import national_id
from tests.test_staff_support import new_case

TODAY = date(2026, 12, 1)


def _case(rt: Any, case_id: int) -> Case:
    with rt.session() as session:
        case = session.get(Case, case_id)
        session.expunge(case)
        return case


def _kinds(rt: Any, case_id: int) -> list[str]:
    with rt.session() as session:
        return list(session.scalars(select(Event.kind).where(Event.case_id == case_id)))


_refs = iter(range(10_000, 99_999))
_people = iter(range(100, 99_999))  # a person of their own for every example


def _notice(rt: Any, days: int, source: str = "bailiff", **extra: Any) -> int:
    """A new notice (its own reference) about the same tenant, with an eviction date."""
    name = "Oslo namsfogdkontor" if source == "bailiff" else "Utleier AS"
    sender = {"type": source, "name": name, "reference": f"R-{next(_refs)}"}
    sender.update(extra.pop("sender", {}))
    when = (TODAY + timedelta(days=days)).isoformat()
    return new_case(rt, eviction_date=when, source=sender, **extra).case_id


def test_a_postponement_moves_the_date_later_and_ends_the_crisis(rt: Any) -> None:
    case_id = _notice(rt, 8)
    assert _case(rt, case_id).crisis
    assert _notice(rt, 90) == case_id
    case = _case(rt, case_id)
    assert case.eviction_date == TODAY + timedelta(days=90) and not case.crisis
    with rt.session() as session:
        [changed] = session.scalars(
            select(Event).where(Event.case_id == case_id, Event.kind == "household_updated")
        ).all()
        assert changed.data["eviction_date"] == "2027-03-01"
        assert changed.data["eviction_date_was"] == "2026-12-09"
    assert "crisis_ended" in _kinds(rt, case_id)


def test_a_landlord_cannot_move_the_bailiffs_date(rt: Any) -> None:
    case_id = _notice(rt, 30)
    assert _notice(rt, 200, source="landlord", kind="unpaid_rent_warning") == case_id
    assert _case(rt, case_id).eviction_date == TODAY + timedelta(days=30)


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(days=st.lists(st.integers(-5, 120), min_size=1, max_size=4))
def test_the_newest_bailiff_date_is_the_date_and_crisis_follows_it(
    rt: Any, days: list[int]
) -> None:
    n = next(_people)
    born = date(1950, 1, 1) + timedelta(days=n * 7)
    tenant = {
        "name": f"Eviction Prøve{n}",
        "birth_date": born.isoformat(),
        "national_id": national_id(born.day, born.month, born.year),
        "phone": None,
    }
    case_ids = {_notice(rt, d, tenant=tenant) for d in days}
    [case_id] = case_ids
    case = _case(rt, case_id)
    assert case.eviction_date == TODAY + timedelta(days=days[-1])
    with rt.session() as session:
        attached = session.get(Case, case_id)
        facts = case_facts(session, attached)
        started = min(t.received_at for t in facts.triggers)
        kinds = [t.kind for t in facts.triggers]
        expected = is_crisis(
            rt.policy, rt.calendar, started, attached.eviction_date, kinds,
            today=rt.now().astimezone(OSLO).date(),
        )  # fmt: skip
    assert case.crisis == expected


def test_a_past_eviction_date_is_no_crisis_for_a_later_warning(rt: Any, clock: Any) -> None:
    """Issue 12, item 3: a plain rent warning two months after a past eviction date
    started with SMS, a call and a visit before the letter; crisis was set once, never cleared."""
    landlord = {"role": "landlord", "name": "Utleier AS", "org_number": "923609016"}
    case_id = _notice(rt, 8, counterpart=landlord)
    assert _case(rt, case_id).crisis
    clock.set(clock() + timedelta(days=60))
    later = (TODAY + timedelta(days=60)).isoformat() + "T10:00:00+01:00"
    warning = new_case(
        rt,
        kind="unpaid_rent_warning",
        received_at=later,
        # The petition's landlord, so party to the case (intake.trust).
        source={
            "type": "landlord", "name": "Utleier AS", "org_number": "923609016",
            "reference": "W-1",
        },
    )  # fmt: skip
    assert warning.case_id == case_id
    assert not _case(rt, case_id).crisis
    assert "crisis_ended" in _kinds(rt, case_id)


def test_the_tick_ends_a_crisis_once_its_date_has_passed(rt: Any, clock: Any) -> None:
    """Issue 12, item 3: crisis is recomputed when the day changes, not only on a notice."""
    from outreach.jobs.tick import tick

    case_id = _notice(rt, 8)
    assert _case(rt, case_id).crisis
    clock.set(clock() + timedelta(days=7))
    assert tick(rt).crises_ended == 0  # the date is still ahead
    assert _case(rt, case_id).crisis
    clock.set(clock() + timedelta(days=2))
    assert tick(rt).crises_ended == 1
    assert not _case(rt, case_id).crisis
    assert _kinds(rt, case_id).count("crisis_ended") == 1
    assert tick(rt).crises_ended == 0  # once


def _steps(rt: Any, case_id: int) -> dict[str, Any]:
    from outreach.models import Step

    with rt.session() as session:
        return {
            s.rule: (s.due_at, s.deadline_at)
            for s in session.scalars(select(Step).where(Step.case_id == case_id))
        }


def test_a_scheduled_eviction_far_ahead_starts_the_ordinary_ladder(rt: Any) -> None:
    """Issue 12, item 5: before, nothing but a review task; the circular asks for the
    letter within three working days after a rent warning «og eventuelt andre varsler»."""
    case_id = _notice(rt, 42, kind="eviction_scheduled")
    steps = _steps(rt, case_id)
    assert {"letter", "letter_overdue_check", "eviction_review"} <= set(steps)
    assert not _case(rt, case_id).crisis
    assert "sms" not in steps  # the ordinary ladder: contact a week after the letter


def test_a_scheduled_eviction_within_the_window_compresses_the_ladder(rt: Any) -> None:
    case_id = _notice(rt, 6, kind="eviction_scheduled")
    steps = _steps(rt, case_id)
    assert _case(rt, case_id).crisis
    assert {"letter", "sms", "phone_task"} <= set(steps)  # all at once, not a week later
