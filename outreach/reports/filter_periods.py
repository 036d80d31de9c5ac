"""Months and quarters as the dashboard's filter names them ("2026-03", "2026-K1").

Pure date arithmetic, so the filter's edge cases (a quarter filter that starts
mid-quarter, December to January) are tested without a page.
"""

from __future__ import annotations

import re
from datetime import date

from outreach.reports.tables import ReportFilter, Step

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_QUARTER = re.compile(r"^(\d{4})-?[KQ]([1-4])$")


class PeriodError(ValueError):
    """A filter value that is not a month or quarter; ``field`` names the parameter."""

    def __init__(self, field: str) -> None:
        super().__init__(field)
        self.field = field


def parse_month(text: str, field: str) -> date:
    match = _MONTH.match(text.strip())
    if not match or not 1 <= int(match.group(2)) <= 12 or not 2000 <= int(match.group(1)) <= 2100:
        raise PeriodError(field)
    return date(int(match.group(1)), int(match.group(2)), 1)


def parse_quarter(text: str, field: str) -> date:
    """The first day of the quarter named "2026-K3" (or "2026Q3")."""
    match = _QUARTER.match(text.strip().upper())
    if not match or not 2000 <= int(match.group(1)) <= 2100:
        raise PeriodError(field)
    return date(int(match.group(1)), 3 * (int(match.group(2)) - 1) + 1, 1)


def add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def quarter_start(day: date) -> date:
    return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def month_label(day: date) -> str:
    return f"{day.year}-{day.month:02d}"


def quarter_label(day: date) -> str:
    return f"{day.year}-K{(day.month - 1) // 3 + 1}"


def make_filter(first: date, last: date, step: Step, district: str | None) -> ReportFilter:
    """From the first month to the last month inclusive; a quarter step widens to whole quarters."""
    if last < first:
        first, last = last, first
    if step == "quarter":
        first = quarter_start(first)
        last = add_months(quarter_start(last), 2)
    return ReportFilter(start=first, end=add_months(last, 1), district=district, step=step)


def quarter_filter(quarter: date, district: str | None) -> ReportFilter:
    """One quarter, cut by month (the printable report's three months)."""
    start = quarter_start(quarter)
    return ReportFilter(start=start, end=add_months(start, 3), district=district, step="month")


def recent_months(today: date, count: int) -> list[date]:
    """The first days of the last ``count`` months, newest first (the filter's choices)."""
    this_month = today.replace(day=1)
    return [add_months(this_month, -i) for i in range(count)]


def recent_quarters(today: date, count: int) -> list[date]:
    this_quarter = quarter_start(today)
    return [add_months(this_quarter, -3 * i) for i in range(count)]
