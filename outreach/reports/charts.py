"""A Table drawn as an SVG chart on the server (pygal), with a sentence that says what it shows.

The dashboard must work without internet access and without JavaScript, and
the printable report needs the same chart inside a PDF: so the chart is SVG
text rendered here and inlined in the page. pygal's default configuration
links its tooltip script from a CDN (``js``): it is switched off, and the
test checks the SVG names no remote address.

Generic over any :class:`~outreach.reports.tables.Table`: the chart draws the
table's headline – its shares if it has any (in per cent), else its counts,
else its other measures – one series per column; the table under the chart
shows everything. Rows that are periods ("2026-03", "2026 K1") become a line
(or bars for fewer than three periods); categories become horizontal bars,
which keep long Norwegian labels readable. Hidden cells (``"<5"``, ``":"``
from :mod:`outreach.reports.suppress`) are not drawn.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Literal

import pygal
from pygal.style import Style

from outreach.reports.tables import Cell, Table

# pygal 3 appends a ``sys.meta_path`` finder for its map plugins that has only the
# pre-3.4 ``find_module``: every later import of a missing module then warns
# (ImportWarning, an error under pytest's filterwarnings). We draw no maps, so the
# finder goes as soon as pygal is imported.
sys.meta_path[:] = [f for f in sys.meta_path if type(f).__name__ != "PluginImportFixer"]

Kind = Literal["line", "bar", "hbar"]
Measure = Literal["share", "count", "value"]

_PERIOD = re.compile(r"^\d{4}(-\d{2}| ?[KQ][1-4]|-[KQ][1-4])$")

#: NAV-like palette with contrast against white (WCAG 1.4.11 for graphics, >= 3:1).
_COLOURS = ("#0067c5", "#c30000", "#06893a", "#8a3bb6", "#a8590c", "#005b82")

STYLE = Style(
    background="white",
    plot_background="white",
    foreground="#262626",
    foreground_strong="#262626",
    foreground_subtle="#6a6a6a",
    opacity="1",
    opacity_hover="1",
    colors=_COLOURS,
    font_family='"Outreach Sans", "Noto Sans", "Source Sans Pro", Arial, sans-serif',
    label_font_size=13,
    major_label_font_size=13,
    value_font_size=12,
    legend_font_size=13,
    tooltip_font_size=13,
    stroke_width="2",
    guide_stroke_color="#c6c2bf",
    major_guide_stroke_color="#a09a95",
)


@dataclass(frozen=True)
class ChartPlan:
    """What will be drawn: which columns, as what, and how to say it in words."""

    kind: Kind
    measure: Measure
    columns: tuple[int, ...]


def _number(value: Cell) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def is_period(label: Cell) -> bool:
    return isinstance(label, str) and bool(_PERIOD.match(label))


def column_roles(table: Table) -> tuple[tuple[int, ...], tuple[int, ...], tuple[int, ...]]:
    """The numeric columns split into counts, shares (floats 0..1) and other measures."""
    numeric: list[int] = []
    for c in range(1, len(table.columns)):
        cells = [row[c] for row in table.rows if c < len(row)]
        if any(_number(v) is not None for v in cells):
            numeric.append(c)
    counts = tuple(c for c in numeric if c in table.counts)
    shares = tuple(
        c
        for c in numeric
        if c not in table.counts
        and all(
            isinstance(row[c], float) and 0.0 <= row[c] <= 1.0  # type: ignore[operator]
            for row in table.rows
            if c < len(row) and _number(row[c]) is not None
        )
    )
    others = tuple(c for c in numeric if c not in counts and c not in shares)
    return counts, shares, others


def plan(table: Table) -> ChartPlan | None:
    """The chart for this table's shape, or None when it has nothing to draw."""
    if not table.rows or len(table.columns) < 2:
        return None
    counts, shares, others = column_roles(table)
    if not (counts or shares or others):
        return None
    measure: Measure
    columns: tuple[int, ...]
    if shares:
        measure, columns = "share", shares
    elif counts:
        measure, columns = "count", counts
    else:
        measure, columns = "value", others
    periods = all(is_period(row[0]) for row in table.rows)
    kind: Kind = ("line" if len(table.rows) >= 3 else "bar") if periods else "hbar"
    return ChartPlan(kind=kind, measure=measure, columns=columns)


def count_ticks(highest: float) -> list[int]:
    """At most about seven whole-number ticks from 0 past ``highest`` (1, 2, 5 times 10^n)."""
    step = 1
    while highest / step > 6:
        for factor in (2, 5 / 2, 2):
            step = int(step * factor)
            if highest / step <= 6:
                break
    top = max(step, int(-(-highest // step)) * step)
    return list(range(0, top + 1, step))


def _value(value: Cell, measure: Measure) -> float | None:
    number = _number(value)
    if number is None:
        return None
    return round(number * 100, 1) if measure == "share" else number


def render_svg(
    table: Table,
    *,
    labelled_by: str = "",
    described_by: str = "",
    width: int = 760,
    embed_style: bool = False,
) -> str | None:
    """The chart as an ``<svg>`` element to inline in HTML (no XML prolog, no script).

    One image to assistive technology (``role="img"``), named by the figure's
    heading and described by its caption sentence: pygal's many text nodes
    (ticks, every value) would otherwise be read one by one.

    The pages' Content-Security-Policy allows no inline ``<style>``: on a page
    the chart's styles come from :func:`stylesheet`, served by the app; the PDF
    (``embed_style``) keeps them inside the SVG.
    """
    chart_plan = plan(table)
    if chart_plan is None:
        return None
    labels = [str(row[0]) if row[0] is not None else "–" for row in table.rows]
    rows_drawn = len(labels)
    if chart_plan.kind == "hbar":
        height = max(180, 60 + rows_drawn * 34 * max(1, len(chart_plan.columns) // 2 + 1))
    else:
        height = 320
    config = {
        "js": [],  # the default loads pygal-tooltips from a CDN: never
        "disable_xml_declaration": True,
        "explicit_size": True,
        "width": width,
        "height": height,
        "style": STYLE,
        "show_legend": len(chart_plan.columns) > 1,
        "legend_at_bottom": True,
        # The values stand in the table right under the chart; printed on the bars they
        # would be black on blue (too little contrast) or overlap on thin bars.
        "print_values": False,
        "print_zeroes": True,
        "truncate_label": -1,
        "truncate_legend": -1,
        "margin": 12,
        "include_x_axis": True,
        "min_scale": 1,
        "max_scale": 8,
        "value_formatter": _formatter(chart_plan.measure),
    }
    if chart_plan.measure == "share":
        config["range"] = (0, 100)
        config["y_labels"] = list(range(0, 101, 20))
    elif chart_plan.measure == "count":
        # Whole numbers on the value axis: pygal's own ticks would read "0 0 0 1 1 1".
        drawn = [
            v
            for c in chart_plan.columns
            for row in table.rows
            if (v := _number(row[c] if c < len(row) else None)) is not None
        ]
        config["y_labels"] = count_ticks(max(drawn, default=0.0))
    chart: pygal.graph.graph.Graph
    if chart_plan.kind == "line":
        # A hidden month is a gap in the line, not a straight stroke across it.
        chart = pygal.Line(
            x_label_rotation=-30 if rows_drawn > 8 else 0, allow_interruptions=True, **config
        )
    elif chart_plan.kind == "bar":
        chart = pygal.Bar(**config)
    else:
        chart = pygal.HorizontalBar(**config)
    # pygal stacks horizontal bars bottom-up: reversed, the chart reads top-down like the table.
    rows = list(reversed(table.rows)) if chart_plan.kind == "hbar" else list(table.rows)
    chart.x_labels = list(reversed(labels)) if chart_plan.kind == "hbar" else labels
    for c in chart_plan.columns:
        chart.add(
            table.columns[c],
            [_value(row[c] if c < len(row) else None, chart_plan.measure) for row in rows],
        )
    svg: str = chart.render(is_unicode=True)
    # pygal's comments name its home pages; its inline script only configures the
    # tooltips the CDN script would have drawn; its <title> says "Pygal".
    svg = re.sub(r"<!--.*?-->|<script.*?</script>", "", svg, flags=re.DOTALL)
    svg = re.sub(r"<title>Pygal</title>", "", svg)
    if not embed_style:
        svg = re.sub(r"<style.*?</style>", "", svg, flags=re.DOTALL)
    aria = ' role="img" focusable="false"'
    if labelled_by:
        aria += f' aria-labelledby="{labelled_by}"'
    if described_by:
        aria += f' aria-describedby="{described_by}"'
    return svg.replace("<svg ", f"<svg{aria} ", 1)


@cache
def stylesheet() -> str:
    """pygal's chart styles for every chart on a page, served as one stylesheet.

    pygal scopes its CSS to a chart's random id; drawn once with every colour
    of the palette and rescoped to ``svg.pygal-chart``, the same rules style
    every chart of :data:`STYLE` (the pages' CSP forbids the inline copy).
    """
    chart = pygal.Bar(js=[], disable_xml_declaration=True, style=STYLE)
    for i in range(len(_COLOURS)):
        chart.add(str(i), [1])
    svg: str = chart.render(is_unicode=True)
    match = re.search(r'id="(chart-[0-9a-f-]+)"', svg)
    styles = re.findall(r"<style[^>]*>(.*?)</style>", svg, flags=re.DOTALL)
    assert match is not None and styles
    css = "\n".join(styles).replace("&gt;", ">")
    return css.replace("#" + match.group(1), "svg.pygal-chart")


@dataclass(frozen=True)
class Summary:
    """What the text alternative says: the series, the highest and lowest, the first and last."""

    plan: ChartPlan
    series: tuple[str, ...]
    highest: tuple[str, str] | None
    lowest: tuple[str, str] | None
    first: str
    last: str
    not_drawn: int


def summarise(table: Table) -> Summary | None:
    """The facts a sentence needs to say what the chart shows (the words are the page's)."""
    chart_plan = plan(table)
    if chart_plan is None:
        return None
    fmt = _formatter(chart_plan.measure)
    points: list[tuple[float, str]] = []
    not_drawn = 0
    column = chart_plan.columns[0]
    for row in table.rows:
        value = _value(row[column] if column < len(row) else None, chart_plan.measure)
        if value is None:
            not_drawn += 1
        else:
            points.append((value, str(row[0])))
    highest = max(points, key=lambda p: p[0]) if points else None
    lowest = min(points, key=lambda p: p[0]) if points else None
    return Summary(
        plan=chart_plan,
        series=tuple(table.columns[c] for c in chart_plan.columns),
        highest=(highest[1], fmt(highest[0])) if highest else None,  # type: ignore[operator]
        lowest=(lowest[1], fmt(lowest[0])) if lowest else None,  # type: ignore[operator]
        first=str(table.rows[0][0]),
        last=str(table.rows[-1][0]),
        not_drawn=not_drawn,
    )


def _formatter(measure: Measure) -> Callable[[float], str]:
    if measure == "share":
        return lambda v: f"{v:.0f} %".replace(".", ",")
    if measure == "count":
        return lambda v: f"{v:.0f}"
    return lambda v: f"{v:.1f}".replace(".", ",")
