"""Small-number suppression: no figure that leaves a district may let anyone recognise a person.

A district lead reads their own district's figures on screen as they are (they
carry those cases anyway). Everything else – the CSV export, the printable
report, the city view and everything an analyst sees – goes through
:func:`suppress` first (:func:`must_suppress` decides). The rules, kept simple
so they can be explained to a reader of the report:

1. **Primary**: a count (a column in ``Table.counts``) from 1 to 4 is shown as
   ``"<5"``. Zero stays 0: "nobody" identifies nobody, and hiding zeros too
   would blank most of a district's month.
2. **Secondary**: a hidden cell must not be recoverable by subtracting the
   visible cells from a total – a total row in the table, a total column, or a
   total published elsewhere (the city's, last quarter's report). So every
   count column and every row with several counts that has exactly one hidden
   cell hides one more: the smallest other non-zero count (a zero if there is
   none), shown as ``":"`` (Statistics Norway's sign for "not shown for
   confidentiality"), since it is not under 5. Repeated until nothing changes.
3. **Derived**: a row with a hidden count also hides its shares, medians and
   other measures (``":"``): a share of a small count gives the count back
   (2 of 3 letters on time is 0.67). Which count a share is computed from is
   not in the :class:`~outreach.reports.tables.Table` contract, so every
   derived cell of such a row goes.

Known limit (documented in docs/reports.md): differencing *across* tables –
the city's figure minus fourteen districts' figures read one by one – is not
guarded here; it needs a table of all districts side by side, which carries
its own secondary suppression by rule 2.

Pure: no tables, no Flask; a Hypothesis test guards that no count 1..4
survives and no column or row has exactly one hidden cell.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import replace

from outreach.permissions import Role
from outreach.reports.tables import Cell, Table

#: Counts under this are hidden.
THRESHOLD = 5
#: A count from 1 to THRESHOLD-1.
SMALL = "<5"
#: A cell hidden to protect another (secondary or derived): not itself small.
HIDDEN = ":"


def must_suppress(
    *, roles: Collection[str], districts: Collection[str], district: str | None, on_screen: bool
) -> bool:
    """Whether these figures leave their district: all but a lead's own district on screen."""
    if not on_screen or district is None:
        return True
    return not (Role.DISTRICT_LEAD in roles and district in districts)


def _is_count(value: Cell) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _hidden_cells(table: Table) -> set[tuple[int, int]]:
    """(row, column) of every count cell to hide, primary and secondary."""
    count_columns = sorted(c for c in table.counts if 0 < c < len(table.columns))
    values: dict[tuple[int, int], int] = {
        (r, c): row[c]  # type: ignore[misc]
        for r, row in enumerate(table.rows)
        for c in count_columns
        if c < len(row) and _is_count(row[c])
    }
    hidden = {cell for cell, value in values.items() if 0 < value < THRESHOLD}
    lines = [[cell for cell in values if cell[1] == c] for c in count_columns]
    if len(count_columns) > 1:
        lines += [[cell for cell in values if cell[0] == r] for r in range(len(table.rows))]
    changed = True
    while changed:
        changed = False
        for line in lines:
            if sum(1 for cell in line if cell in hidden) != 1:
                continue
            others = [cell for cell in line if cell not in hidden]
            if not others:
                continue
            # Smallest non-zero first (the least information lost), then a zero.
            pick = min(others, key=lambda cell: (values[cell] == 0, values[cell], cell))
            hidden.add(pick)
            changed = True
    return hidden


def suppress(table: Table) -> Table:
    """The table as it may leave the district (see the module's three rules)."""
    hidden = _hidden_cells(table)
    if not hidden:
        return table
    hidden_rows = {r for r, _c in hidden}
    rows: list[tuple[Cell, ...]] = []
    for r, row in enumerate(table.rows):
        cells: list[Cell] = []
        for c, value in enumerate(row):
            if (r, c) in hidden:
                cells.append(SMALL if 0 < value < THRESHOLD else HIDDEN)  # type: ignore[operator]
            elif r in hidden_rows and c > 0 and c not in table.counts and _is_number(value):
                cells.append(HIDDEN)
            else:
                cells.append(value)
        rows.append(tuple(cells))
    return replace(table, rows=tuple(rows))


def _is_number(value: Cell) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def suppress_all(tables: list[Table]) -> list[Table]:
    return [suppress(t) for t in tables]
