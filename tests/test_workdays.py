"""The three calendars: office working days, time windows, legal deadlines.

Expected holiday dates are written out by hand (from the Norwegian almanac), not
computed with the ``holidays`` package the code uses.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from outreach.workdays import (
    OSLO,
    SMS_WINDOW,
    WORKING_HOURS,
    Offset,
    WorkCalendar,
    is_public_holiday,
    parse_offset,
)

CAL = WorkCalendar()

# year: (Maundy Thursday, Good Friday, Easter Monday, Ascension, Whit Monday)
MOVABLE = {
    2025: ("2025-04-17", "2025-04-18", "2025-04-21", "2025-05-29", "2025-06-09"),
    2026: ("2026-04-02", "2026-04-03", "2026-04-06", "2026-05-14", "2026-05-25"),
    2027: ("2027-03-25", "2027-03-26", "2027-03-29", "2027-05-06", "2027-05-17"),
    2028: ("2028-04-13", "2028-04-14", "2028-04-17", "2028-05-25", "2028-06-05"),
}
FIXED = ("01-01", "05-01", "05-17", "12-25", "12-26")


def oslo(y: int, mo: int, d: int, h: int = 0, mi: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, tzinfo=OSLO)


@pytest.mark.parametrize("year", sorted(MOVABLE))
def test_public_holidays_are_known(year: int) -> None:
    expected = {date.fromisoformat(d) for d in MOVABLE[year]}
    expected |= {date.fromisoformat(f"{year}-{md}") for md in FIXED}
    for day in expected:
        assert is_public_holiday(day), day
        assert not CAL.is_working_day(day), day
    # No other Monday-Saturday holidays: the package must not invent any.
    days = [date(year, 1, 1) + timedelta(days=i) for i in range(366)]
    found = {d for d in days if d.year == year and d.weekday() < 6 and is_public_holiday(d)}
    assert found == {d for d in expected if d.weekday() < 6}


def test_sundays_are_not_holidays_but_are_not_working_days() -> None:
    ordinary_sunday = date(2025, 11, 16)
    assert not is_public_holiday(ordinary_sunday)
    assert not CAL.is_working_day(ordinary_sunday)
    assert not CAL.is_working_day(date(2025, 11, 15))  # Saturday
    assert CAL.is_working_day(date(2025, 11, 17))  # Monday


def test_office_closures_default_and_extra() -> None:
    assert not CAL.is_working_day(date(2025, 12, 24))  # Wednesday, Christmas Eve
    assert not CAL.is_working_day(date(2025, 12, 31))  # Wednesday, New Year's Eve
    assert CAL.is_working_day(date(2025, 12, 23))
    assert not is_public_holiday(date(2025, 12, 24))
    staff_day = date(2025, 10, 10)
    assert CAL.is_working_day(staff_day)
    assert not WorkCalendar(extra_closures=[staff_day]).is_working_day(staff_day)
    assert WorkCalendar(annual_closures=()).is_working_day(date(2025, 12, 24))


def test_calendar_is_immutable_and_hashable() -> None:
    with pytest.raises(AttributeError):
        CAL.extra_closures = frozenset()  # type: ignore[misc]
    assert WorkCalendar() == WorkCalendar()
    assert hash(WorkCalendar()) == hash(WorkCalendar())


# -- the three-working-day letter deadline -------------------------------------


def test_friday_afternoon_receipt_is_due_wednesday_same_time() -> None:
    assert CAL.add_working_days(oslo(2025, 11, 14, 14), 3) == oslo(2025, 11, 19, 14)


def test_saturday_receipt_counts_from_monday() -> None:
    # Treated as received Monday 00:00: Monday, Tuesday, Wednesday are the three days.
    due = CAL.add_working_days(oslo(2025, 11, 15, 10), 3)
    assert due == oslo(2025, 11, 20, 0)
    assert CAL.is_working_day(due.date())


def test_a_later_receipt_never_gets_an_earlier_deadline() -> None:
    friday = CAL.add_working_days(oslo(2025, 11, 14, 14), 3)
    saturday = CAL.add_working_days(oslo(2025, 11, 15, 10), 3)
    monday = CAL.add_working_days(oslo(2025, 11, 17, 9), 3)
    assert friday < saturday < monday


def test_deadline_crossing_easter() -> None:
    # Wednesday before Easter 2026: Thursday, Friday and Monday are holidays.
    assert CAL.add_working_days(oslo(2026, 4, 1, 10), 3) == oslo(2026, 4, 9, 10)
    assert CAL.working_days_between(date(2026, 4, 1), date(2026, 4, 9)) == 3


def test_deadline_crossing_christmas_closures() -> None:
    # Monday 22 Dec 2025: 23rd (1), 24th closed, 25th/26th holidays, 29th (2), 30th (3).
    assert CAL.add_working_days(oslo(2025, 12, 22, 11), 3) == oslo(2025, 12, 30, 11)


def test_deadline_keeps_wall_clock_across_dst() -> None:
    due = CAL.add_working_days(oslo(2026, 3, 27, 14), 1)  # Friday before the change
    assert due == oslo(2026, 3, 30, 14)
    assert due.utcoffset() == timedelta(hours=2)


def test_zero_and_negative_working_days() -> None:
    assert CAL.add_working_days(oslo(2025, 11, 14, 14), 0) == oslo(2025, 11, 14, 14)
    assert CAL.add_working_days(oslo(2025, 11, 15, 14), 0) == oslo(2025, 11, 17, 0)
    # Three working days before an eviction on Monday 00:00: the Wednesday before.
    assert CAL.add_working_days(oslo(2025, 11, 17), -3) == oslo(2025, 11, 12)


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        CAL.add_working_days(datetime(2025, 11, 14, 14), 3)


def test_working_days_between() -> None:
    assert CAL.working_days_between(date(2025, 11, 14), date(2025, 11, 19)) == 3
    assert CAL.working_days_between(date(2025, 11, 19), date(2025, 11, 14)) == -3
    assert CAL.working_days_between(date(2025, 11, 14), date(2025, 11, 14)) == 0
    # Whole of May 2026: 21 weekdays minus 1 May (Fri), Ascension (Thu 14), Whit Monday (25).
    assert CAL.working_days_between(date(2026, 4, 30), date(2026, 5, 31)) == 18


# -- time windows ----------------------------------------------------------------


def test_window_inside_returns_the_same_instant() -> None:
    at = oslo(2025, 11, 17, 10, 30)
    assert CAL.next_time_in_window(at, *SMS_WINDOW) == at


def test_window_before_opening_and_after_closing() -> None:
    assert CAL.next_time_in_window(oslo(2025, 11, 17, 7, 15), *SMS_WINDOW) == oslo(2025, 11, 17, 9)
    # 17:00 itself is outside [09:00, 17:00): next working day.
    assert CAL.next_time_in_window(oslo(2025, 11, 17, 17), *SMS_WINDOW) == oslo(2025, 11, 18, 9)
    # Friday evening -> Monday.
    assert CAL.next_time_in_window(oslo(2025, 11, 14, 18), *WORKING_HOURS) == oslo(2025, 11, 17, 8)


def test_window_skips_easter() -> None:
    assert CAL.next_time_in_window(oslo(2026, 4, 1, 16), *WORKING_HOURS) == oslo(2026, 4, 7, 8)


def test_window_across_spring_forward() -> None:
    # Clocks go forward on Sunday 29 March 2026 (02:00 -> 03:00).
    result = CAL.next_time_in_window(oslo(2026, 3, 27, 17, 30), *SMS_WINDOW)
    assert result == oslo(2026, 3, 30, 9)
    assert result.astimezone(UTC) == datetime(2026, 3, 30, 7, tzinfo=UTC)
    # A UTC instant on the Friday before: 07:30Z is 08:30 CET, before the window.
    friday = CAL.next_time_in_window(datetime(2026, 3, 27, 7, 30, tzinfo=UTC), *SMS_WINDOW)
    assert friday.astimezone(UTC) == datetime(2026, 3, 27, 8, tzinfo=UTC)
    # The same UTC clock on the Monday after is 09:30 CEST: inside the window.
    monday = datetime(2026, 3, 30, 7, 30, tzinfo=UTC)
    assert CAL.next_time_in_window(monday, *SMS_WINDOW) == monday


def test_window_across_fall_back() -> None:
    # Clocks go back on Sunday 25 October 2026 (03:00 -> 02:00).
    # 02:30 happens twice that night; either way the answer is Monday 09:00 CET.
    first = datetime(2026, 10, 25, 0, 30, tzinfo=UTC)  # 02:30 CEST
    second = datetime(2026, 10, 25, 1, 30, tzinfo=UTC)  # 02:30 CET
    for at in (first, second):
        result = CAL.next_time_in_window(at, *SMS_WINDOW)
        assert result.astimezone(UTC) == datetime(2026, 10, 26, 8, tzinfo=UTC)
    late_friday = CAL.next_time_in_window(oslo(2026, 10, 23, 16, 59), *SMS_WINDOW)
    assert late_friday == oslo(2026, 10, 23, 16, 59)
    assert late_friday.utcoffset() == timedelta(hours=2)


def test_window_must_be_well_formed() -> None:
    with pytest.raises(ValueError):
        CAL.next_time_in_window(oslo(2025, 11, 17, 10), time(17), time(9))


# -- legal deadlines -----------------------------------------------------------------


def test_legal_deadline_rolls_past_weekend_and_holidays() -> None:
    assert CAL.roll_legal_deadline(date(2025, 11, 15)) == date(2025, 11, 17)  # Saturday
    assert CAL.roll_legal_deadline(date(2026, 4, 2)) == date(2026, 4, 7)  # Maundy Thursday
    assert CAL.roll_legal_deadline(date(2028, 5, 17)) == date(2028, 5, 18)  # Constitution Day
    assert CAL.roll_legal_deadline(date(2025, 11, 18)) == date(2025, 11, 18)  # ordinary Tuesday


def test_legal_deadline_does_not_roll_past_office_closures() -> None:
    assert CAL.roll_legal_deadline(date(2025, 12, 24)) == date(2025, 12, 24)
    assert CAL.roll_legal_deadline(date(2025, 12, 31)) == date(2025, 12, 31)
    closed = WorkCalendar(extra_closures=[date(2025, 11, 18)])
    assert closed.roll_legal_deadline(date(2025, 11, 18)) == date(2025, 11, 18)


def test_fourteen_day_deadline() -> None:
    # Served Thursday 19 March 2026: day 14 is Thursday 2 April (Maundy Thursday) -> 7 April.
    assert CAL.legal_deadline(date(2026, 3, 19), 14) == date(2026, 4, 7)


# -- offsets ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("3wd", Offset(3, "wd")),
        ("7d", Offset(7, "d")),
        ("1w", Offset(1, "w")),
        ("2h", Offset(2, "h")),
        ("0", Offset(0, "none")),
        (" 3WD ", Offset(3, "wd")),
    ],
)
def test_parse_offset(text: str, expected: Offset) -> None:
    assert parse_offset(text) == expected


@pytest.mark.parametrize("text", ["", "3", "-1d", "3x", "wd", "1.5d", "3 wd d"])
def test_parse_offset_refuses(text: str) -> None:
    with pytest.raises(ValueError):
        parse_offset(text)


def test_offset_round_trips_as_text() -> None:
    for text in ("3wd", "7d", "1w", "2h", "0"):
        assert str(parse_offset(text)) == text


def test_offset_apply() -> None:
    friday = oslo(2025, 11, 14, 14)
    assert parse_offset("3wd").apply(friday, CAL) == oslo(2025, 11, 19, 14)
    assert parse_offset("7d").apply(friday, CAL) == oslo(2025, 11, 21, 14)
    assert parse_offset("1w").apply(friday, CAL) == oslo(2025, 11, 21, 14)
    assert parse_offset("2h").apply(friday, CAL) == oslo(2025, 11, 14, 16)
    assert parse_offset("0").apply(friday, CAL) == friday


def test_offset_days_keep_wall_clock_hours_do_not() -> None:
    saturday = oslo(2026, 3, 28, 12)  # the night before spring forward
    assert parse_offset("1d").apply(saturday, CAL) == oslo(2026, 3, 29, 12)
    # 24 elapsed hours over a 23-hour day end at 13:00 local time.
    assert parse_offset("24h").apply(saturday, CAL) == oslo(2026, 3, 29, 13)


# Computed by hand from a printed calendar (Easter Sunday 2025-04-20,
# 2026-04-05, 2027-03-28, 2028-04-16), not by the code under test.
# (start, working days to add, expected day)
ACROSS_HOLIDAYS = [
    ("2025-04-16", 1, "2025-04-22"),  # Wed -> Maundy Thu, Good Fri, weekend, Easter Mon
    ("2025-04-16", 3, "2025-04-24"),
    ("2025-05-28", 1, "2025-05-30"),  # over Ascension (Thu 29 May)
    ("2025-06-06", 1, "2025-06-10"),  # Fri -> weekend, Whit Monday 9 June
    ("2025-05-16", 1, "2025-05-19"),  # 17 May 2025 is a Saturday: no extra day
    ("2025-12-23", 1, "2025-12-29"),  # 24 (closed), 25, 26 Dec, weekend
    ("2025-12-30", 1, "2026-01-02"),  # 31 Dec closed, 1 Jan holiday
    ("2026-04-01", 1, "2026-04-07"),  # Easter 2026
    ("2026-05-13", 1, "2026-05-15"),  # Ascension 14 May 2026
    ("2026-05-22", 1, "2026-05-26"),  # Whit Monday 25 May 2026
    ("2027-03-24", 1, "2027-03-30"),  # Easter 2027
    ("2027-05-05", 1, "2027-05-07"),  # Ascension 6 May 2027
    ("2027-05-14", 1, "2027-05-18"),  # 17 May 2027 is Whit Monday: one day off, not two
    ("2027-05-14", 2, "2027-05-19"),
    ("2027-12-23", 1, "2027-12-27"),  # 24 Dec a Friday (closed), 25-26 a weekend
    ("2027-12-30", 1, "2028-01-03"),  # 31 Dec a Friday (closed), 1 Jan a Saturday
    ("2028-04-12", 1, "2028-04-18"),  # Easter 2028
    ("2028-05-16", 1, "2028-05-18"),  # 17 May 2028 is a Wednesday
    ("2028-05-24", 1, "2028-05-26"),  # Ascension 25 May 2028
    ("2028-06-02", 1, "2028-06-06"),  # Whit Monday 5 June 2028
    ("2028-12-22", 1, "2028-12-27"),  # 24 Dec a Sunday, 25-26 Mon-Tue
]


@pytest.mark.parametrize(("start", "n", "expected"), ACROSS_HOLIDAYS)
def test_add_working_days_across_holidays(start: str, n: int, expected: str) -> None:
    got = CAL.add_working_days(oslo(*map(int, start.split("-")), 10, 0), n)
    assert got.astimezone(OSLO).date() == date.fromisoformat(expected)
