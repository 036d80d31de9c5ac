"""Small-number suppression, CSV safety and chart shape (issue 15): pure, so mostly properties."""

from __future__ import annotations

import csv
import io
from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from outreach.permissions import Role
from outreach.reports import charts, export, suppress
from outreach.reports import filter_periods as periods
from outreach.reports.tables import Cell, Table

SMALL = {1, 2, 3, 4}


@st.composite
def tables(draw: st.DrawFn) -> Table:
    """Any table the figures could give: labels, 1-4 count columns, shares, medians, None."""
    n_counts = draw(st.integers(1, 4))
    n_shares = draw(st.integers(0, 2))
    n_rows = draw(st.integers(0, 14))
    count = st.one_of(st.integers(0, 12), st.integers(0, 400), st.none())
    share = st.one_of(st.floats(0, 1, allow_nan=False), st.none())
    rows: list[tuple[Cell, ...]] = []
    for r in range(n_rows):
        rows.append(
            (
                f"rad {r}",
                *[draw(count) for _ in range(n_counts)],
                *[draw(share) for _ in range(n_shares)],
            )
        )
    if n_rows and draw(st.booleans()):
        # A total row, as a figure may add one.
        rows.append(
            (
                "Totalt",
                *[sum(row[c] or 0 for row in rows) for c in range(1, n_counts + 1)],  # type: ignore[misc]
                *[None] * n_shares,
            )
        )
    columns = (
        "Hva",
        *[f"Antall {i}" for i in range(n_counts)],
        *[f"Andel {i}" for i in range(n_shares)],
    )
    return Table(
        key="t",
        title="T",
        columns=columns,
        rows=tuple(rows),
        counts=frozenset(range(1, n_counts + 1)),
    )


@given(tables())
def test_no_count_from_1_to_4_survives_and_no_hidden_cell_stands_alone(table: Table) -> None:
    out = suppress.suppress(table)
    assert len(out.rows) == len(table.rows)
    for before, after in zip(table.rows, out.rows, strict=True):
        assert after[0] == before[0]
        for c in table.counts:
            assert after[c] not in SMALL
            if after[c] == suppress.SMALL:
                assert before[c] in SMALL
            elif after[c] != suppress.HIDDEN:
                assert after[c] == before[c]
        if any(after[c] in (suppress.SMALL, suppress.HIDDEN) for c in table.counts):
            # A share of a hidden count would give it back.
            assert all(
                not isinstance(after[c], float)
                for c in range(1, len(after))
                if c not in table.counts
            )
    # Subtraction from any total: no column, and no row of several counts, has exactly one
    # hidden cell beside visible numbers (a line of one number is its own total).
    hidden = (suppress.SMALL, suppress.HIDDEN)

    def alone(line: list[Cell]) -> bool:
        shown = [v for v in line if isinstance(v, int)]
        return sum(1 for v in line if v in hidden) == 1 and bool(shown)

    for c in table.counts:
        assert not alone([row[c] for row in out.rows])
    if len(table.counts) > 1:
        for row in out.rows:
            assert not alone([row[c] for c in table.counts])


@given(tables())
def test_an_exported_table_shows_no_count_from_1_to_4(table: Table) -> None:
    body = export.to_csv(suppress.suppress(table)).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body), delimiter=";"))
    for row in rows[1:]:
        for c in table.counts:
            assert row[c] not in {"1", "2", "3", "4"}


def test_a_worked_example() -> None:
    table = Table(
        key="k",
        title="T",
        columns=("Type", "Antall", "Andel i tide"),
        rows=(("a", 3, 0.67), ("b", 12, 0.75), ("c", 7, 1.0), ("d", 0, None), ("Totalt", 22, 0.8)),
        counts=frozenset({1}),
    )
    out = suppress.suppress(table)
    # 3 is small; the smallest other non-zero (7) goes too, so 22 - 12 - 0 leaves 10 = a + c.
    assert [row[1] for row in out.rows] == ["<5", 12, ":", 0, 22]
    assert [row[2] for row in out.rows] == [":", 0.75, ":", None, 0.8]


def test_only_a_leads_own_district_on_screen_is_shown_unsuppressed() -> None:
    lead = {Role.DISTRICT_LEAD, Role.CASEWORKER}
    assert not suppress.must_suppress(
        roles=lead, districts={"030101"}, district="030101", on_screen=True
    )
    assert suppress.must_suppress(
        roles=lead, districts={"030101"}, district="030101", on_screen=False
    )
    assert suppress.must_suppress(
        roles=lead, districts={"030101"}, district="030102", on_screen=True
    )
    assert suppress.must_suppress(roles=lead, districts={"030101"}, district=None, on_screen=True)
    for role in (Role.ANALYST, Role.ADMIN):
        assert suppress.must_suppress(
            roles={role}, districts=set(), district="030101", on_screen=True
        )


@given(st.text())
def test_no_csv_cell_is_a_formula_and_the_text_survives(text: str) -> None:
    table = Table(
        key="k", title="T", columns=(text, "Antall"), rows=((text, 7),), counts=frozenset({1})
    )
    body = export.to_csv(table)
    assert body.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"), newline=""), delimiter=";"))
    assert len(rows) == 2
    for cell in (rows[0][0], rows[1][0]):
        assert not cell.startswith(("=", "+", "-", "@", "\t", "\r"))
        assert cell == text or cell == "'" + text


def test_csv_is_what_a_norwegian_excel_expects() -> None:
    table = Table(
        key="reach",
        title="T",
        columns=("Bydel", "Saker", "Andel nådd"),
        rows=(
            ('=HYPERLINK("http://x")', 12, 0.8333),
            ("Grünerløkka; øst", 7, None),
            ("@SUM(A1)", 5, 1.0),
        ),
        counts=frozenset({1}),
    )
    body = export.to_csv(table)
    expected = (
        "\ufeffBydel;Saker;Andel nådd\r\n"
        '"\'=HYPERLINK(""http://x"")";12;0,8333\r\n'
        '"Grünerløkka; øst";7;\r\n'
        "'@SUM(A1);5;1\r\n"
    )
    assert body.decode("utf-8") == expected
    assert export.file_name(table, district=None, start="2026-01", end="2026-03") == (
        "reach-oslo-2026-01-2026-03.csv"
    )


def test_the_chart_follows_the_shape_of_the_table() -> None:
    categories = Table("k", "T", ("Type", "Antall"), (("a", 3), ("b", 9)), frozenset({1}))
    months = Table(
        "m",
        "T",
        ("Måned", "Brev", "Andel i tide", "Median dager"),
        tuple((f"2026-{m:02d}", 10 + m, 0.8, 2.5) for m in range(1, 7)),
        frozenset({1}),
    )
    quarters = Table(
        "q", "T", ("Kvartal", "Saker"), (("2026-K1", 4), ("2026-K2", 8)), frozenset({1})
    )
    medians = Table("d", "T", ("Bydel", "Median"), (("x", 2.5), ("y", None)))
    words = Table("w", "T", ("Bydel", "Kilde"), (("x", "SSB"),))
    assert charts.plan(categories) == charts.ChartPlan("hbar", "count", (1,))
    assert charts.plan(months) == charts.ChartPlan("line", "share", (2,))
    assert charts.plan(quarters) == charts.ChartPlan("bar", "count", (1,))
    assert charts.plan(medians) == charts.ChartPlan("hbar", "value", (1,))
    assert charts.plan(words) is None and charts.render_svg(words) is None
    svg = charts.render_svg(months, labelled_by="h", described_by="d")
    assert svg is not None and svg.startswith(
        '<svg role="img" focusable="false" aria-labelledby="h"'
    )
    assert "<script" not in svg and "<style" not in svg and "kozea" not in svg.lower()
    embedded = charts.render_svg(months, embed_style=True)
    assert embedded is not None and "<style" in embedded and "<script" not in embedded
    summary = charts.summarise(months)
    assert summary is not None
    assert (summary.first, summary.last, summary.highest, summary.not_drawn) == (
        "2026-01",
        "2026-06",
        ("2026-01", "80 %"),
        0,
    )


def test_periods() -> None:
    assert periods.parse_quarter("2026-K3", "kvartal") == date(2026, 7, 1)
    assert periods.parse_quarter("2026q1", "kvartal") == date(2026, 1, 1)
    filt = periods.make_filter(date(2026, 2, 1), date(2026, 11, 1), "quarter", None)
    assert (filt.start, filt.end) == (date(2026, 1, 1), date(2027, 1, 1))
    filt = periods.make_filter(date(2026, 12, 1), date(2026, 3, 1), "month", "030101")
    assert (filt.start, filt.end, filt.district) == (date(2026, 3, 1), date(2027, 1, 1), "030101")
    assert periods.quarter_filter(date(2026, 11, 5), None).end == date(2027, 1, 1)
    assert periods.recent_months(date(2026, 1, 20), 3) == [
        date(2026, 1, 1),
        date(2025, 12, 1),
        date(2025, 11, 1),
    ]
