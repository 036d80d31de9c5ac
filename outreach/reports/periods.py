"""Periods, filters and the small arithmetic every figure shares.

A period is a month or a quarter of Oslo dates, cut by ``ReportFilter.step``
and clipped to the filter's ``[start, end)``. In SQL a row's period is a
``CASE`` over the periods' bounds (instants, so the same on SQLite and
PostgreSQL, and right across the change to summer time), rather than each
database's own date truncation (``date_trunc`` on PostgreSQL, ``strftime`` on
SQLite), which would also cut at UTC midnight instead of Oslo's.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, case, func, literal, select
from sqlalchemy.orm import InstrumentedAttribute

from outreach.models import Case
from outreach.reports.tables import Cell, ReportFilter

OSLO = ZoneInfo("Europe/Oslo")


@dataclass(frozen=True)
class Period:
    label: str
    start: datetime
    end: datetime


def bound(day: date) -> datetime:
    """00:00 Oslo time on ``day``: where a period begins."""
    return datetime.combine(day, time(), OSLO)


def _next_cut(day: date, step: str) -> date:
    months = 1 if step == "month" else 3
    first = (day.month - 1) // months * months + 1  # the period's first month
    index = day.year * 12 + first - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _label(day: date, step: str) -> str:
    if step == "month":
        return f"{day.year}-{day.month:02d}"
    return f"{day.year} K{(day.month - 1) // 3 + 1}"


def periods(filt: ReportFilter) -> list[Period]:
    """The filter's months or quarters in order; the first and last may be part ones."""
    found: list[Period] = []
    day = filt.start
    while day < filt.end:
        cut = min(_next_cut(day, filt.step), filt.end)
        found.append(Period(_label(day, filt.step), bound(day), bound(cut)))
        day = cut
    return found


def period_of(column: Any, cuts: Sequence[Period]) -> ColumnElement[int]:
    """The index of the period ``column`` falls in (the caller filters to the whole range)."""
    if len(cuts) <= 1:  # one period: a CASE with no WHEN is not SQL
        return literal(0)
    return case(*((column < p.end, i) for i, p in enumerate(cuts[:-1])), else_=len(cuts) - 1)


def within(query: Any, column: InstrumentedAttribute[Any], filt: ReportFilter) -> Any:
    """Rows whose ``column`` lies in the filter's range, in its district (a join to Case is
    the caller's); the range test uses the column's index."""
    query = query.where(column >= bound(filt.start), column < bound(filt.end))
    return in_district(query, filt)


def in_district(query: Any, filt: ReportFilter) -> Any:
    if filt.district is not None:
        query = query.where(Case.district_code == filt.district)
    return query


def index_of(at: datetime, cuts: Sequence[Period]) -> int | None:
    """The period ``at`` falls in, in Python (for figures whose value needs Python)."""
    for i, p in enumerate(cuts):
        if p.start <= at < p.end:
            return i
    return None


def nearest_rank(values: Sequence[float], percent: float) -> float | None:
    """The nearest-rank percentile: the smallest value with ``percent`` % at or below it.

    Always one of the values (no interpolation), so a figure can be checked by
    hand: the median of 1, 2, 4, 9 is 2, the 90th percentile of ten values the ninth.
    """
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(percent / 100 * len(ordered)))
    return ordered[rank - 1]


def share(part: int, whole: int) -> float | None:
    """A percentage with one decimal; None (shown empty) when there is nothing to share."""
    return round(100 * part / whole, 1) if whole else None


def days(seconds: float) -> float:
    """A duration in days with one decimal, as the compliance figures show it."""
    return round(seconds / 86400, 1)


def grouped(
    session: Any, inner: Any, cuts: Sequence[Period], at: Any, *keys: Any
) -> dict[tuple[Any, ...], int]:
    """``count(*)`` by (period, *keys) of the rows ``inner`` selects, in the database.

    The period goes into a subquery first: PostgreSQL refuses a ``GROUP BY``
    on a ``CASE`` with bound parameters that it cannot see equal to the select's.
    """
    sub = inner.add_columns(period_of(at, cuts).label("period"), *keys).subquery()
    columns = [sub.c.period, *(sub.c[k.key] for k in keys)]
    query = select(*columns, func.count()).group_by(*columns)
    return {tuple(row[:-1]): int(row[-1]) for row in session.execute(query)}


def series(
    counts: dict[tuple[Any, ...], int], cuts: Sequence[Period], categories: Sequence[Any]
) -> tuple[tuple[Cell, ...], ...]:
    """One row per period: its label, then a count per category."""
    return tuple(
        (p.label, *(counts.get((i, c), 0) for c in categories)) for i, p in enumerate(cuts)
    )
