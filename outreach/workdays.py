"""Norway's three calendars: office working days, time windows, legal deadlines.

The routine runs on three different clocks (DOMAIN.md, "Three calendars"):

- **office working days** – Monday to Friday, minus public holidays, minus local
  closures (24 and 31 December by default). The circular's "innen tre
  virkedager" for the first letter (000), tasks and visits count these;
- **time windows** – the SMS window 09:00–17:00 (NAV and Altinn send SMS only
  then) and working hours 08:00–15:30, on working days, Oslo wall-clock time;
- **legal deadlines** – calendar days, rolled forward past Saturdays, Sundays
  and public holidays (domstolloven § 149 first paragraph) but *not* past the
  office's own closures, which the law does not know.

Everything here is pure and timezone-aware: datetimes in, ``Europe/Oslo``
datetimes out; a naive datetime is refused rather than guessed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import Literal
from zoneinfo import ZoneInfo

import holidays

OSLO = ZoneInfo("Europe/Oslo")

# NAV and Altinn send SMS only between 09:00 and 17:00 Oslo time (DOMAIN.md).
SMS_WINDOW = (time(9, 0), time(17, 0))
# Office hours used for phone tasks and home visits (policy default).
WORKING_HOURS = (time(8, 0), time(15, 30))

# Christmas Eve and New Year's Eve are not public holidays, but Oslo's district
# offices close; the office calendar skips them, the legal calendar does not.
DEFAULT_ANNUAL_CLOSURES: frozenset[tuple[int, int]] = frozenset({(12, 24), (12, 31)})

# A search for the next working day or window never needs more than a few
# weeks; a year bounds it if a caller configures closures that cover everything.
_MAX_SEARCH_DAYS = 366


@lru_cache(maxsize=64)
def _public_holidays(year: int) -> frozenset[date]:
    """Norway's public holidays (helligdager plus 1 and 17 May) for ``year``.

    ``include_sundays=False`` is passed explicitly: older ``holidays`` releases
    counted every Sunday as a holiday (TECH-NOTES.md); weekends are handled
    separately here so the two rules cannot drift.
    """
    calendar = holidays.Norway(years=year, include_sundays=False)
    return frozenset(calendar.keys())


def is_public_holiday(d: date) -> bool:
    """True on a Norwegian public holiday (Sunday-holidays like Easter Day included)."""
    return d in _public_holidays(d.year)


def _oslo(at: datetime) -> datetime:
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError("a timezone-aware datetime is required")
    return at.astimezone(OSLO)


def _local(d: date, clock: time) -> datetime:
    """The instant at wall-clock ``clock`` on ``d`` in Oslo.

    A wall time that does not exist (the spring-forward gap) is normalised
    through UTC, i.e. moved an hour later, which is what a person would do.
    """
    naive_clock = clock.replace(tzinfo=None)
    return datetime.combine(d, naive_clock, tzinfo=OSLO).astimezone(OSLO)


@dataclass(frozen=True, init=False)
class WorkCalendar:
    """Office working days for a district, with its local closure days.

    ``extra_closures`` are one-off dates (a move, a staff day);
    ``annual_closures`` are (month, day) pairs closed every year. Immutable, so
    one instance is shared by the whole process.
    """

    extra_closures: frozenset[date] = field(default_factory=frozenset)
    annual_closures: frozenset[tuple[int, int]] = DEFAULT_ANNUAL_CLOSURES

    def __init__(
        self,
        extra_closures: Iterable[date] = (),
        annual_closures: Iterable[tuple[int, int]] = DEFAULT_ANNUAL_CLOSURES,
    ) -> None:
        closures = frozenset(extra_closures)
        for d in closures:
            if isinstance(d, datetime) or not isinstance(d, date):
                raise TypeError("extra closures must be dates")
        annual = frozenset((int(m), int(d)) for m, d in annual_closures)
        for month, day in annual:
            # 2000 is a leap year, so 29 February is accepted as an annual date.
            date(2000, month, day)
        object.__setattr__(self, "extra_closures", closures)
        object.__setattr__(self, "annual_closures", annual)

    # -- days ---------------------------------------------------------------

    def is_closure(self, d: date) -> bool:
        return d in self.extra_closures or (d.month, d.day) in self.annual_closures

    def is_working_day(self, d: date) -> bool:
        """Monday–Friday, not a public holiday, not a local closure."""
        if isinstance(d, datetime):
            d = _oslo(d).date()
        return d.weekday() < 5 and not is_public_holiday(d) and not self.is_closure(d)

    def next_working_day(self, d: date, *, include_today: bool = False) -> date:
        day = d if include_today else d + timedelta(days=1)
        for _ in range(_MAX_SEARCH_DAYS):
            if self.is_working_day(day):
                return day
            day += timedelta(days=1)
        raise ValueError("no working day within a year")

    def previous_working_day(self, d: date) -> date:
        day = d - timedelta(days=1)
        for _ in range(_MAX_SEARCH_DAYS):
            if self.is_working_day(day):
                return day
            day -= timedelta(days=1)
        raise ValueError("no working day within a year")

    def add_working_days(self, at: datetime, n: int) -> datetime:
        """The same Oslo clock time ``n`` working days later (or earlier, n < 0).

        This is the clock for the circular's first letter, «innen tre virkedager»
        from receipt (000). Semantics, chosen so a later receipt never gets an
        earlier deadline and the result always falls on a working day:

        - received on a working day: the same wall-clock time on the n-th
          working day after the receipt day (Friday 14:00 + 3 -> Wednesday
          14:00; the receipt day itself is never counted);
        - received on a Saturday, Sunday, holiday or closure: treated as received
          at 00:00 on the next working day, so Saturday + 3 -> Thursday 00:00,
          i.e. Monday, Tuesday and Wednesday are the three working days;
        - n = 0 returns ``at`` itself, moved to 00:00 of the next working day if
          ``at`` is not on one;
        - n < 0 steps back over working days before ``at``'s date, keeping the
          clock time, without the roll (used to find "3 working days before the
          eviction date").
        """
        local = _oslo(at)
        if n < 0:
            day = local.date()
            for _ in range(-n):
                day = self.previous_working_day(day)
            return _local(day, local.time())
        if not self.is_working_day(local.date()):
            local = _local(self.next_working_day(local.date()), time(0, 0))
        day = local.date()
        for _ in range(n):
            day = self.next_working_day(day)
        return _local(day, local.time()) if n else local

    def working_days_between(self, a: date, b: date) -> int:
        """Working days d with a < d <= b; negative if b is before a.

        With this count, ``working_days_between(t.date(), add_working_days(t, n)
        .date()) == n`` for a receipt ``t`` on a working day. Datetimes are taken
        as their Oslo date.
        """
        if isinstance(a, datetime):
            a = _oslo(a).date()
        if isinstance(b, datetime):
            b = _oslo(b).date()
        if b < a:
            return -self.working_days_between(b, a)
        count = 0
        day = a + timedelta(days=1)
        while day <= b:
            if self.is_working_day(day):
                count += 1
            day += timedelta(days=1)
        return count

    # -- windows ------------------------------------------------------------

    def next_time_in_window(self, at: datetime, start: time, end: time) -> datetime:
        """The first instant >= ``at`` on a working day with Oslo time in [start, end).

        Used for the SMS window (09:00–17:00) and working hours (08:00–15:30).
        Comparisons are made on instants, not wall-clock values, so the
        hour that repeats in October and the hour missing in March cannot fool
        it (Norway changes clocks on Sundays, which are never working days, but
        a caller may pass any instant).
        """
        if start >= end:
            raise ValueError("the window must start before it ends")
        local = _oslo(at)
        instant = local.astimezone(UTC)
        day = local.date()
        for _ in range(_MAX_SEARCH_DAYS):
            if self.is_working_day(day):
                opens = _local(day, start)
                if instant < opens.astimezone(UTC):
                    return opens
                if instant < _local(day, end).astimezone(UTC):
                    return local
            day += timedelta(days=1)
        raise ValueError("no working day within a year")

    # -- legal deadlines ----------------------------------------------------

    def roll_legal_deadline(self, d: date) -> date:
        """Move a deadline that ends on a Saturday, Sunday or holiday to the next weekday.

        Domstolloven § 149 first paragraph: «Ender en frist på en lørdag,
        helgedag eller dag som etter lovgivningen er likestilt med helgedag,
        forlenges fristen til den nærmest følgende virkedag». 1 and 17 May are
        «likestilt med helgedag»; 24 and 31 December are not, so the office's
        closures are deliberately ignored here.
        """
        day = d
        while day.weekday() >= 5 or is_public_holiday(day):
            day += timedelta(days=1)
        return day

    def legal_deadline(self, start: date, days: int) -> date:
        """``days`` calendar days after ``start`` (the start day not counted), rolled."""
        return self.roll_legal_deadline(start + timedelta(days=days))


# -- offsets -----------------------------------------------------------------

OffsetUnit = Literal["wd", "d", "w", "h", "none"]
_UNITS: dict[str, OffsetUnit] = {"wd": "wd", "d": "d", "w": "w", "h": "h"}
_OFFSET = re.compile(r"^\s*(?P<amount>\d{1,4})\s*(?P<unit>wd|d|w|h)?\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class Offset:
    """A distance in the ladder: working days, calendar days, weeks or hours.

    The policy file writes them as ``"3wd"``, ``"7d"``, ``"1w"``, ``"4h"`` or
    ``"0"`` (DESIGN.md principle 3). Calendar days and weeks keep the Oslo
    wall-clock time across a DST change (a letter at 10:00 -> a reminder at
    10:00 a week later); hours are elapsed time.
    """

    amount: int
    unit: OffsetUnit

    def __post_init__(self) -> None:
        if self.amount < 0:
            raise ValueError("an offset cannot be negative")
        if self.unit == "none" and self.amount != 0:
            raise ValueError("only a zero offset has no unit")

    def apply(self, at: datetime, calendar: WorkCalendar) -> datetime:
        local = _oslo(at)
        match self.unit:
            case "none":
                return local
            case "wd":
                return calendar.add_working_days(local, self.amount)
            case "d" | "w":
                days = self.amount * (7 if self.unit == "w" else 1)
                return _local(local.date() + timedelta(days=days), local.time())
            case "h":
                # Elapsed time: add in UTC, since aware arithmetic within one
                # zone is wall-clock arithmetic in Python and ignores DST.
                return (local.astimezone(UTC) + timedelta(hours=self.amount)).astimezone(OSLO)
        raise ValueError(f"unknown offset unit {self.unit!r}")

    def __str__(self) -> str:
        return "0" if self.unit == "none" else f"{self.amount}{self.unit}"


def parse_offset(text: str) -> Offset:
    """Parse ``"3wd"``, ``"7d"``, ``"1w"``, ``"2h"`` or ``"0"``; raise ValueError otherwise."""
    match = _OFFSET.match(text)
    if match is None:
        raise ValueError(
            f"offset {text!r} must be a whole number with a unit: wd, d, w or h (or just 0)"
        )
    amount = int(match["amount"])
    unit = _UNITS.get((match["unit"] or "").lower(), "none")
    if unit == "none" and amount != 0:
        raise ValueError(f"offset {text!r} needs a unit: wd, d, w or h")
    return Offset(amount, unit)
