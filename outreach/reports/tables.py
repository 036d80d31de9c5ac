"""The one shape a figure takes between the database and every way it is shown.

The dashboard, the SVG charts, the CSV export and the printable report all
read a :class:`Table`; none of them runs a query. Keeping the figures apart
from their form lets small-number suppression happen in one place, on the
way out of a district.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Literal

Cell = str | int | float | None
Step = Literal["month", "quarter"]


@dataclass(frozen=True)
class ReportFilter:
    """The period ``[start, end)`` in Oslo dates, cut by ``step``; ``district`` None is the city."""

    start: date
    end: date
    district: str | None = None
    step: Step = "month"


@dataclass(frozen=True)
class Table:
    """One figure: ``rows`` under ``columns``; the first column names the row.

    ``key`` is stable (anchors, CSV file names, tests); ``title`` and the
    column names are shown as they are (bokmål from the caller's catalogue);
    ``counts`` says which columns are counts of people or cases, the ones
    small-number suppression applies to (shares and medians are not counts).
    """

    key: str
    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]
    counts: frozenset[int] = field(default_factory=frozenset)
    description: str = ""
