"""Issue 15's figures on a fixed data set whose every number was computed by hand.

The data set (``_seed``) is small enough to count on paper: nine cases in two
districts around Easter 2026, their notices, letters, contacts and flags. Each
expected table below carries the hand computation as a comment. Runs on SQLite
and PostgreSQL (the ``rt`` fixture does both).

Easter 2026: Maundy Thursday 2 April, Good Friday 3 April, Easter Monday 6 April
(public holidays); summer time from Sunday 29 March. So a notice received
Wednesday 1 April has Tuesday 7, Wednesday 8 and Thursday 9 April as its three
working days: the letter deadline is Thursday 9 April at the same clock time.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from outreach.models import Case, Event, Flag, Person, Step, Trigger
from outreach.reports import cases, compliance, figures, notices, reach
from outreach.reports.periods import nearest_rank, periods
from outreach.reports.tables import ReportFilter, Table

OSLO = ZoneInfo("Europe/Oslo")
GAMLE_OSLO, GRUNERLOKKA = "030101", "030102"
SPRING = ReportFilter(start=date(2026, 3, 1), end=date(2026, 5, 1))


def at(month: int, day: int, hour: int = 10, minute: int = 0, year: int = 2026) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=OSLO)


def _seed(session: Any) -> None:
    """The fixed data set. Cases C1..C9 and two old ones; times in Oslo."""
    people = {
        name: Person(name=name, name_key=name.lower(), birth_date=born)
        for name, born in (
            ("P1", date(1950, 5, 10)),  # 75 in March 2026: elderly
            ("P2", date(1959, 4, 10)),  # 66 on 1 April 2026 (67 on 10 April): not elderly
            ("P3", date(1990, 1, 1)),
            ("P4", date(1985, 1, 1)),
            ("P5", None),  # no birth date: not counted as elderly
            ("P6", date(1970, 1, 1)),
            ("P7", date(1959, 4, 7)),  # 67 exactly on the notice day, 7 April 2026: elderly
        )
    }
    session.add_all(people.values())
    session.flush()
    ref = iter(range(1, 100))

    def case(person: str, district: str, opened: datetime, **kw: Any) -> Case:
        row = Case(
            reference=f"T-{next(ref)}", person=people[person], district_code=district,
            opened_at=opened, children_ages=kw.pop("children", []), **kw,
        )  # fmt: skip
        session.add(row)
        session.flush()
        return row

    # Old cases, before the period: P6's is 38 months old (not a repeat), P7's 10 months.
    case("P6", GRUNERLOKKA, at(1, 10, year=2023), status="closed",
         closed_at=at(3, 1, year=2023), outcome="paid")  # fmt: skip
    case("P7", GAMLE_OSLO, at(6, 1, year=2025), status="closed",
         closed_at=at(8, 1, year=2025), outcome="withdrawn")  # fmt: skip
    c1 = case("P1", GAMLE_OSLO, at(3, 2), status="closed", closed_at=at(3, 20), outcome="paid")
    c2 = case("P2", GAMLE_OSLO, at(4, 1, 9), children=[4])
    c3 = case("P3", GRUNERLOKKA, at(3, 16, 12), status="closed", closed_at=at(4, 15),
              outcome="evicted", children=[3, 7])  # fmt: skip
    c4 = case("P4", GRUNERLOKKA, at(4, 20, 8))
    # 00:30 Oslo on 1 April is 22:30 UTC on 31 March: April, as Oslo counts.
    c5 = case("P5", GAMLE_OSLO, at(4, 1, 0, 30))
    c6 = case("P6", GRUNERLOKKA, at(3, 10), status="closed", closed_at=at(4, 2),
              outcome="payment_plan", first_timer=False)  # fmt: skip
    c7 = case("P7", GAMLE_OSLO, at(4, 7), is_repeat=True, first_timer=False)
    # A doubtful match merged into C3: the same household counted twice, so never counted.
    c8 = case("P3", GRUNERLOKKA, at(3, 17), status="closed", closed_at=at(3, 18),
              outcome="merged", children=[1])  # fmt: skip
    # Before the spring period (only the quarter figures see it).
    c9 = case("P4", GRUNERLOKKA, at(2, 15), status="closed", closed_at=at(2, 28),
              outcome="moved")  # fmt: skip

    def notice(c: Case, kind: str, received: datetime, plaintiff: str | None, **kw: Any) -> Trigger:
        row = Trigger(case_id=c.id, kind=kind, received_at=received, source_type="bailiff",
                      plaintiff_type=plaintiff, **kw)  # fmt: skip
        session.add(row)
        session.flush()
        return row

    t1 = notice(c1, "unpaid_rent_warning", at(3, 2), "private_landlord")
    t2 = notice(c2, "eviction_petition", at(4, 1, 9), "housing_cooperative")
    t3 = notice(c3, "eviction_petition", at(3, 16, 12), "municipal_landlord",
                petition_outcome="evicted")  # fmt: skip
    notice(c3, "eviction_completed", at(4, 14, 9), "municipal_landlord")
    t4 = notice(c4, "forced_sale_notice", at(4, 20, 8), "bank")
    t5 = notice(c5, "unpaid_rent_warning", at(4, 1, 0, 30), "private_landlord")
    t6 = notice(c6, "eviction_petition", at(3, 10), None, petition_outcome="withdrawn")
    t7 = notice(c7, "eviction_scheduled", at(4, 7), "other")
    # Held for staff and dismissed: never a notice about this person.
    notice(c1, "unpaid_rent_warning", at(3, 5), "private_landlord", review="dismissed")
    notice(c9, "unpaid_rent_warning", at(2, 15), "private_landlord")

    def letter(c: Case, t: Trigger, posted: datetime | None) -> None:
        session.add(Step(case_id=c.id, trigger_id=t.id, rule="letter", key=f"letter:t{t.id}",
                         channel="letter", due_at=t.received_at,
                         status="done" if posted else "planned", finished_at=posted))  # fmt: skip

    letter(c1, t1, at(3, 5))  # Mon 2 Mar 10:00 + 3 wd = Thu 5 Mar 10:00: in time (at the limit)
    letter(c3, t3, at(3, 20, 9))  # Mon 16 Mar 12:00 -> Thu 19 Mar 12:00; Fri 20: late
    letter(c6, t6, at(3, 11))  # Tue 10 Mar -> Fri 13 Mar; Wed 11: in time
    letter(c2, t2, at(4, 9, 8))  # Wed 1 Apr 09:00 -> Thu 9 Apr 09:00 (Easter); 08:00: in time
    letter(c5, t5, at(4, 9, 8))  # Wed 1 Apr 00:30 -> Thu 9 Apr 00:30; 08:00: late
    letter(c7, t7, at(4, 10, 15))  # Tue 7 Apr 10:00 -> Fri 10 Apr 10:00; 15:00: late
    letter(c4, t4, None)  # not sent yet

    def event(c: Case, kind: str, when: datetime, channel: str | None = None, **data: Any) -> None:
        session.add(Event(case_id=c.id, kind=kind, at=when, channel=channel, data=data))
        session.flush()

    event(c1, "response_registered", at(3, 6), "phone")  # the tenant called: 4.0 days
    event(c6, "response_registered", at(3, 12, 22), "sms_reply")  # 2.5 days
    event(c2, "response_registered", at(4, 10, 9), "phone", task_id=1)  # NAV called: 9.0 days
    event(c5, "unreachable", at(4, 10))
    event(c5, "response_registered", at(4, 12, 0, 30), "booking")  # reached later: 11.0 days
    event(c7, "response_registered", at(4, 8), "visit")  # 1.0 day
    event(c7, "response_registered", at(4, 9), "sms_reply")  # not the first contact
    event(c3, "unreachable", at(3, 27))
    event(c4, "unreachable", at(4, 28))
    event(c8, "response_registered", at(3, 17, 12), "phone")  # merged: never counted

    session.add_all([
        Flag(case_id=c3.id, kind="child_welfare_assessment", raised_at=at(3, 27),
             due_at=at(3, 31), status="decided", decision="no_report", decided_at=at(3, 30)),
        Flag(case_id=c3.id, kind="special_followup", raised_at=at(3, 27), due_at=at(3, 31),
             status="decided", decision="special_followup_started", decided_at=at(4, 2)),
        Flag(case_id=c4.id, kind="special_followup", raised_at=at(4, 28), due_at=at(4, 30)),
    ])  # fmt: skip
    session.commit()


@pytest.fixture
def seeded(rt: Any) -> Any:
    with rt.session() as session:
        _seed(session)
    with rt.session() as session:
        yield session


def rows(table: Table) -> list[tuple[Any, ...]]:
    return list(table.rows)


def test_periods_are_oslo_months_and_quarters() -> None:
    assert [p.label for p in periods(SPRING)] == ["2026-03", "2026-04"]
    quarters = periods(ReportFilter(date(2026, 2, 15), date(2026, 7, 1), step="quarter"))
    assert [(p.label, p.start.date(), p.end.date()) for p in quarters] == [
        ("2026 K1", date(2026, 2, 15), date(2026, 4, 1)),  # clipped to the filter's start
        ("2026 K2", date(2026, 4, 1), date(2026, 7, 1)),
    ]


def test_nearest_rank_by_hand() -> None:
    assert nearest_rank([9, 1, 4, 2], 50) == 2  # ceil(0.5*4) = 2nd of 1, 2, 4, 9
    assert nearest_rank(list(range(1, 11)), 90) == 9  # ceil(0.9*10) = 9th
    assert nearest_rank([5.0], 90) == 5.0
    assert nearest_rank([], 50) is None


def test_notices(seeded: Any) -> None:
    # March: T1 warning; T3, T6 petitions (the dismissed warning does not count).
    # April: T5 warning; T2 petition; T4 forced sale; T7 scheduled; T3b completed.
    assert rows(notices.notices_by_kind(seeded, SPRING)) == [
        ("2026-03", 1, 2, 0, 0, 0, 0),
        ("2026-04", 1, 1, 1, 1, 1, 0),
    ]
    # Gamle Oslo (C1, C2, C5, C7): March T1; April T2, T5, T7.
    gamle = ReportFilter(SPRING.start, SPRING.end, district=GAMLE_OSLO)
    assert rows(notices.notices_by_kind(seeded, gamle)) == [
        ("2026-03", 1, 0, 0, 0, 0, 0),
        ("2026-04", 1, 1, 0, 1, 0, 0),
    ]
    # private, co-op, municipal, bank, other, unknown.
    # March: T1 private, T3 municipal, T6 unknown. April: T5 private, T2 co-op,
    # T3b municipal, T4 bank, T7 other.
    assert rows(notices.notices_by_plaintiff(seeded, SPRING)) == [
        ("2026-03", 1, 0, 1, 0, 0, 1),
        ("2026-04", 1, 1, 1, 1, 1, 0),
    ]
    # Petitions only: March T3 evicted, T6 withdrawn; April T2 not known.
    assert rows(notices.petition_outcomes(seeded, SPRING)) == [
        ("2026-03", 1, 0, 1, 0),
        ("2026-04", 0, 0, 0, 1),
    ]


def test_cases(seeded: Any) -> None:
    # Opened March: C1, C3, C6 (C8 merged: left out). April: C2, C5 (00:30 Oslo), C4, C7.
    # Closed March: C1 (C8 left out). April: C6 (2 Apr), C3 (15 Apr).
    assert rows(cases.cases_opened_closed(seeded, SPRING)) == [
        ("2026-03", 3, 1),
        ("2026-04", 4, 2),
    ]
    # Quarters from 1 January: K1 adds C9 (opened 15 Feb, closed 28 Feb).
    year = ReportFilter(date(2026, 1, 1), date(2026, 7, 1), step="quarter")
    assert rows(cases.cases_opened_closed(seeded, year)) == [("2026 K1", 4, 2), ("2026 K2", 4, 2)]
    # paid, payment plan, NAV covered, moved, evicted, withdrawn, other.
    # March: C1 paid. April: C6 payment plan, C3 evicted.
    assert rows(cases.case_outcomes(seeded, SPRING)) == [
        ("2026-03", 1, 0, 0, 0, 0, 0, 0),
        ("2026-04", 0, 1, 0, 0, 1, 0, 0),
    ]
    # March: C1, C3 first-timers; C6 neither (its earlier case is 38 months old).
    # April: C7 a repeat (10 months); C2, C4, C5 first-timers.
    assert rows(cases.repeats_and_first_timers(seeded, SPRING)) == [
        ("2026-03", 3, 0, 2),
        ("2026-04", 4, 1, 3),
    ]
    # Children: March C3; April C2. Elderly at the notice date: March C1 (75);
    # April C7 (67 on the day) – not C2 (66 until 10 April), not C5 (no birth date).
    assert rows(cases.households(seeded, SPRING)) == [
        ("2026-03", 3, 1, 1),
        ("2026-04", 4, 1, 1),
    ]


def test_letter_deadline_counts_working_days_across_easter(seeded: Any) -> None:
    # March: C1 in time (at the limit), C3 late, C6 in time: 3 posted, 2 in time = 66.7 %.
    # April: C2 in time across Easter, C5 and C7 late: 3 posted, 1 in time = 33.3 %;
    # C4's letter not sent.
    assert rows(compliance.letter_deadline(seeded, SPRING)) == [
        ("2026-03", 3, 2, 66.7, 0),
        ("2026-04", 3, 1, 33.3, 1),
    ]
    gamle = ReportFilter(SPRING.start, SPRING.end, district=GAMLE_OSLO)
    # Gamle Oslo: C1 (March); C2, C5, C7 (April).
    assert rows(compliance.letter_deadline(seeded, gamle)) == [
        ("2026-03", 1, 1, 100.0, 0),
        ("2026-04", 3, 1, 33.3, 0),
    ]


def test_time_to_letter_and_contact(seeded: Any) -> None:
    # March letters: C1 3.0, C3 3 d 21 h = 3.875 -> 3.9, C6 1.0 -> sorted 1.0, 3.0, 3.9:
    #   median = ceil(1.5) = 2nd = 3.0; p90 = ceil(2.7) = 3rd = 3.9.
    # March contacts: C1 4.0, C6 2.5 (C3 none): median = 1st of 2.5, 4.0 = 2.5; p90 = 4.0.
    # April letters: C2 7 d 23 h -> 8.0, C5 8 d 7.5 h -> 8.3, C7 3 d 5 h -> 3.2 (C4 none):
    #   sorted 3.2, 8.0, 8.3: median 8.0, p90 8.3.
    # April contacts: C2 9.0, C5 11.0, C7 1.0 (its first, the visit): sorted 1, 9, 11:
    #   median 9.0, p90 11.0.
    assert rows(compliance.time_to_letter_and_contact(seeded, SPRING)) == [
        ("2026-03", 3, 3.0, 3.9, 2, 2.5, 4.0),
        ("2026-04", 4, 8.0, 8.3, 3, 9.0, 11.0),
    ]


def test_flags_decided_late(seeded: Any) -> None:
    # March: two flags on C3, due 31 March: decided 30 March (in time), 2 April (late).
    # April: C4's flag undecided.
    assert rows(compliance.flags_decided_late(seeded, SPRING)) == [
        ("2026-03", 2, 1, 1, 0, 50.0),
        ("2026-04", 1, 0, 0, 1, None),
    ]


def test_reach(seeded: Any) -> None:
    # March: C1, C6 reached of C1, C3, C6 = 66.7 %. April: C2, C5, C7 of four = 75 %.
    assert rows(reach.reach_share(seeded, SPRING)) == [
        ("2026-03", 3, 2, 66.7),
        ("2026-04", 4, 3, 75.0),
    ]
    # tenant, SMS reply, NAV's call, home visit, booking. March: C1 called in, C6 SMS.
    # April: C2 NAV's call (a task), C7 the visit (its SMS later is not the first), C5 booking.
    assert rows(reach.contact_routes(seeded, SPRING)) == [
        ("2026-03", 1, 1, 0, 0, 0),
        ("2026-04", 0, 0, 1, 1, 1),
    ]
    # Unreachable: March C3 (two flags: no report; special follow-up started).
    # April: C4 (one undecided flag) and C5 (reached later by booking).
    assert rows(reach.unreachable_flags(seeded, SPRING)) == [
        ("2026-03", 1, 0, 1, 0, 0, 0, 1, 0, 0),
        ("2026-04", 2, 1, 0, 0, 0, 0, 0, 0, 1),
    ]


def test_compute_lists_every_figure_with_its_counts(seeded: Any) -> None:
    tables = figures.compute(seeded, SPRING)
    assert len({t.key for t in tables}) == len(tables) == len(figures.FIGURES)
    for table in tables:
        # Per period, or per district (per 1,000 inhabitants, the bailiff's reconciliation).
        assert table.title and table.columns[0] in ("Periode", "Bydel")
        assert all(len(row) == len(table.columns) for row in table.rows)
        assert table.counts and all(0 < c < len(table.columns) for c in table.counts)
        for row in table.rows:
            assert all(isinstance(row[c], int) for c in table.counts)


_day = st.integers(min_value=0, max_value=180)


@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.lists(
        st.tuples(
            st.sampled_from([GAMLE_OSLO, GRUNERLOKKA, "030103"]),
            _day,
            st.sampled_from(["unpaid_rent_warning", "eviction_petition", "forced_sale_notice"]),
            st.one_of(st.none(), st.integers(min_value=0, max_value=40)),
            st.sampled_from(["paid", "moved", "evicted", "other"]),
        ),
        max_size=25,
    )
)
def test_city_is_the_sum_of_districts_and_months_sum_to_the_quarter(
    rt: Any, data: list[tuple[str, int, str, int | None, str]]
) -> None:
    """Every count column of the city equals the sum over the districts, and the months'
    counts sum to their quarter's (a row falls in exactly one district and one period)."""
    from datetime import timedelta

    start = date(2026, 1, 1)
    with rt.session() as session:
        for n, (district, day, kind, closed_after, outcome) in enumerate(data):
            opened = at(1, 1) + timedelta(days=day, hours=n % 24)
            person = Person(name=f"H{n}", name_key=f"h{n}")
            case = Case(
                reference=f"H-{n}", person=person, district_code=district, opened_at=opened,
                children_ages=[n % 3] if n % 2 else [],
            )  # fmt: skip
            if closed_after is not None:
                case.status, case.outcome = "closed", outcome
                case.closed_at = opened + timedelta(days=closed_after)
            session.add(Trigger(case=case, kind=kind, received_at=opened, source_type="bailiff"))
        session.flush()
        keys = ("notices_by_kind", "cases_opened_closed", "case_outcomes", "households")
        chosen = [f for f in figures.FIGURES if f.__name__ in {k for k in keys}]

        def total(filt: ReportFilter) -> dict[str, list[list[Any]]]:
            return {f.__name__: [list(r[1:]) for r in f(session, filt).rows] for f in chosen}

        months = ReportFilter(start, date(2026, 7, 1))
        city = total(months)
        per_district = [
            total(ReportFilter(start, date(2026, 7, 1), district=d))
            for d in (GAMLE_OSLO, GRUNERLOKKA, "030103")
        ]
        for name, table in city.items():
            summed = [
                [sum(d[name][r][c] for d in per_district) for c in range(len(table[r]))]
                for r in range(len(table))
            ]
            assert table == summed, name
        quarters = total(ReportFilter(start, date(2026, 7, 1), step="quarter"))
        for name, table in quarters.items():
            for q, row in enumerate(table):
                assert row == [sum(m[c] for m in city[name][3 * q : 3 * q + 3]) for c in
                               range(len(row))], name  # fmt: skip
        session.rollback()
