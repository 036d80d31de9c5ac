"""Periods in Oslo time: a filter's dates as instants, and the bailiff's quarters.

The bailiff counts by calendar quarter in Oslo; a petition received at
23:30 on 31 March belongs to Q1 there, whatever the UTC clock says.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

OSLO = ZoneInfo("Europe/Oslo")
QUARTER = re.compile(r"(\d{4})-Q([1-4])")


def bound(day: date) -> datetime:
    """Midnight starting ``day`` in Oslo."""
    return datetime.combine(day, time(), OSLO)


def parse_quarter(text: str) -> str | None:
    """``"2026-Q1"`` (also ``2026-q1``, ``2026Q1``, ``2026 Q1``) as ``"2026-Q1"``, else None."""
    compact = text.strip().upper().replace(" ", "").replace("-", "")
    match = re.fullmatch(r"(\d{4})Q([1-4])", compact)
    if match is None or not 1990 <= int(match.group(1)) <= 2100:
        return None
    return f"{match.group(1)}-Q{match.group(2)}"


def quarter_start(quarter: str) -> date:
    match = QUARTER.fullmatch(quarter)
    if match is None:
        raise ValueError(f"{quarter!r} is not a quarter like 2026-Q1")
    return date(int(match.group(1)), 3 * int(match.group(2)) - 2, 1)


def next_quarter_start(quarter: str) -> date:
    start = quarter_start(quarter)
    return date(start.year + 1, 1, 1) if start.month == 10 else date(start.year, start.month + 3, 1)


def quarter_of(day: date) -> str:
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def quarters_between(start: date, end: date) -> list[str]:
    """The quarters that overlap ``[start, end)``, in order (whole quarters: the bailiff's unit)."""
    if end <= start:
        return []
    quarters = [quarter_of(start)]
    while next_quarter_start(quarters[-1]) < end:
        quarters.append(quarter_of(next_quarter_start(quarters[-1])))
    return quarters
