"""What the mapping records (issue 15): at intake, from later notices, and by staff."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from outreach.cases import mapping
from outreach.cases.errors import CaseActionError
from outreach.cases.response import close_case
from outreach.intake.accept import accept_trigger
from outreach.intake.schema import ValidationError, load_trigger
from outreach.models import Case, Event, Person, Trigger
from tests.factories import national_id, trigger

OSLO = ZoneInfo("Europe/Oslo")
AMINA = {"national_id": national_id(12, 4, 1988)}


def accept(rt: Any, **overrides: Any) -> Any:
    with rt.session() as session:
        return accept_trigger(session, rt, load_trigger(trigger(**overrides), now=rt.now()))


def notice(rt: Any, trigger_id: int) -> Trigger:
    with rt.session() as session:
        row = session.get(Trigger, trigger_id)
        assert row is not None
        session.expunge(row)
        return row


@pytest.mark.parametrize(
    ("kind", "source", "plaintiff", "reason"),
    [
        ("eviction_petition", {"type": "bailiff"}, None, None),  # the bailiff names no type
        (
            "unpaid_rent_warning",
            {"type": "landlord", "name": "Utleier AS"},
            "private_landlord",
            "arrears",
        ),
        (
            "unpaid_rent_warning",
            {"type": "municipal_landlord", "name": "Boligbygg"},
            "municipal_landlord",
            "arrears",
        ),
        (
            "forced_sale_notice",
            {"type": "court", "name": "Oslo byfogdembete"},
            "bank",
            "forced_sale",
        ),
    ],
)
def test_intake_derives_plaintiff_and_reason_from_sender_and_kind(
    rt: Any, kind: str, source: dict[str, str], plaintiff: str | None, reason: str | None
) -> None:
    result = accept(rt, kind=kind, source=source)
    row = notice(rt, result.trigger_id)
    assert (row.plaintiff_type, row.reason) == (plaintiff, reason)


def test_the_sender_may_say_plaintiff_and_reason(rt: Any) -> None:
    result = accept(rt, plaintiff_type="housing_cooperative", reason="breach_of_contract")
    row = notice(rt, result.trigger_id)
    assert (row.plaintiff_type, row.reason) == ("housing_cooperative", "breach_of_contract")


@pytest.mark.parametrize("field", ["plaintiff_type", "reason"])
def test_an_unknown_code_is_refused_naming_the_field(field: str) -> None:
    with pytest.raises(ValidationError) as caught:
        load_trigger(trigger(**{field: "landlord"}))
    assert field in caught.value.messages


def test_first_timer_then_repeat_within_24_months(rt: Any, clock: Any) -> None:
    first = accept(rt, tenant=AMINA)
    with rt.session() as session:
        case = session.get(Case, first.case_id)
        assert case is not None
        assert (case.first_timer, case.is_repeat) == (True, False)
        close_case(session, rt, case, outcome="paid")
        session.commit()
    clock.set(clock() + timedelta(hours=2))
    second = accept(
        rt, tenant=AMINA, source={"reference": "NF-2"}, received_at="2026-12-01T11:00:00+01:00"
    )
    with rt.session() as session:
        case = session.get(Case, second.case_id)
        assert case is not None and second.case_created
        assert (case.first_timer, case.is_repeat) == (False, True)
        events = session.scalars(
            select(Event.data).where(Event.case_id == case.id, Event.kind == "case_opened")
        ).all()
        assert events[0].get("repeat_case") is True


def test_an_earlier_case_30_months_back_is_not_a_repeat_but_not_a_first_timer(rt: Any) -> None:
    first = accept(rt, tenant=AMINA)
    with rt.session() as session:
        case = session.get(Case, first.case_id)
        assert case is not None
        # Move the first case 30 months back, then close it.
        case.opened_at = datetime(2024, 6, 1, 10, tzinfo=OSLO)
        close_case(session, rt, case, outcome="moved")
        session.commit()
    second = accept(rt, tenant=AMINA, source={"reference": "NF-2"})
    with rt.session() as session:
        case = session.get(Case, second.case_id)
        assert case is not None
        assert (case.first_timer, case.is_repeat) == (False, False)


@given(st.integers(min_value=0, max_value=40), st.integers(min_value=1, max_value=28))
def test_months_before_is_calendar_months(months: int, day: int) -> None:
    at = datetime(2026, 3, day, 12, tzinfo=OSLO)
    earlier = mapping.months_before(at, months)
    assert (at.year * 12 + at.month) - (earlier.year * 12 + earlier.month) == months
    assert earlier.day == day and earlier <= at
    assert mapping.months_before(datetime(2026, 3, 31, tzinfo=OSLO), 1).day == 28


def test_later_notices_tell_what_became_of_the_petition(rt: Any, clock: Any) -> None:
    petition = accept(rt, tenant=AMINA, eviction_date="2027-01-12")
    clock.set(clock() + timedelta(days=3))
    # The bailiff schedules it later than the petition's date: postponed.
    accept(
        rt, tenant=AMINA, kind="eviction_scheduled", eviction_date="2027-02-02",
        source={"reference": "NF-2"}, received_at="2026-12-04T10:00:00+01:00",
    )  # fmt: skip
    row = notice(rt, petition.trigger_id)
    assert (row.petition_outcome, row.petition_outcome_source) == ("postponed", "notice")
    clock.set(clock() + timedelta(days=3))
    accept(
        rt, tenant=AMINA, kind="eviction_completed", source={"reference": "NF-3"},
        received_at="2026-12-07T10:00:00+01:00",
    )  # fmt: skip
    assert notice(rt, petition.trigger_id).petition_outcome == "evicted"
    with rt.session() as session:
        outcomes = session.scalars(
            select(Trigger.petition_outcome).where(Trigger.case_id == petition.case_id)
        ).all()
        # petition and scheduled eviction: evicted; the completion notice itself: none.
        assert sorted(o or "" for o in outcomes) == ["", "evicted", "evicted"]
        kinds = session.scalars(select(Event.kind).where(Event.case_id == petition.case_id))
        assert list(kinds).count("petition_outcome_set") == 3  # postponed, then evicted twice


def test_a_notice_never_overrides_what_staff_entered(rt: Any, clock: Any) -> None:
    petition = accept(rt, tenant=AMINA)
    with rt.session() as session:
        case = session.get(Case, petition.case_id)
        row = session.get(Trigger, petition.trigger_id)
        assert case is not None and row is not None
        assert mapping.set_petition_outcome(session, case, row, "withdrawn", rt.now(), actor="kari")
        session.commit()
    clock.set(clock() + timedelta(days=2))
    accept(
        rt, tenant=AMINA, kind="lacks_capacity", source={"reference": "NF-2"},
        received_at="2026-12-03T10:00:00+01:00",
    )  # fmt: skip
    row = notice(rt, petition.trigger_id)
    assert (row.petition_outcome, row.petition_outcome_source) == ("withdrawn", "staff")


def test_staff_outcome_only_for_petitions_and_known_codes(rt: Any) -> None:
    result = accept(rt, kind="unpaid_rent_warning", source={"type": "landlord", "name": "X AS"})
    with rt.session() as session:
        case = session.get(Case, result.case_id)
        row = session.get(Trigger, result.trigger_id)
        assert case is not None and row is not None
        with pytest.raises(CaseActionError):
            mapping.set_petition_outcome(session, case, row, "evicted", rt.now(), actor="kari")
        with pytest.raises(CaseActionError) as caught:
            mapping.set_notice_mapping(
                session, case, row, plaintiff_type="landlord", reason=None, at=rt.now(),
                actor="kari",
            )  # fmt: skip
        assert caught.value.field == "plaintiff_type"
        changed = mapping.set_notice_mapping(
            session, case, row, plaintiff_type="housing_cooperative", reason="arrears",
            at=rt.now(), actor="kari",
        )  # fmt: skip
        assert changed == ["plaintiff_type"]


def test_system_failure_marker_needs_a_reason_and_is_on_the_timeline(rt: Any) -> None:
    result = accept(rt)
    with rt.session() as session:
        case = session.get(Case, result.case_id)
        assert case is not None
        with pytest.raises(CaseActionError):
            mapping.mark_system_failure(session, case, "  ", rt.now(), actor="kari")
        assert mapping.mark_system_failure(
            session, case, "Restansen  var kjent i  NAV i et år", rt.now(), actor="kari"
        )
        assert case.system_failure and case.system_failure_reason == (
            "Restansen var kjent i NAV i et år"
        )
        assert not mapping.mark_system_failure(
            session, case, "Restansen var kjent i NAV i et år", rt.now(), actor="kari"
        )
        assert mapping.mark_system_failure(session, case, None, rt.now(), actor="kari")
        assert not case.system_failure and case.system_failure_reason is None
        session.commit()
        kinds = session.scalars(
            select(Event.kind).where(Event.case_id == case.id).order_by(Event.id)
        ).all()
        assert kinds[-2:] == ["system_failure_marked", "system_failure_cleared"]


def test_history_ignores_merged_copies(rt: Any) -> None:
    with rt.session() as session:
        person = Person(name="X", name_key="x")
        session.add(person)
        session.flush()
        session.add(
            Case(
                reference="M-1",
                person_id=person.id,
                opened_at=datetime(2026, 1, 1, tzinfo=OSLO),
                status="closed",
                outcome="merged",
                children_ages=[],
            )
        )
        session.flush()
        assert mapping.history(
            session, (person.id,), datetime(2026, 6, 1, tzinfo=OSLO), exclude=None
        ) == (True, False)
