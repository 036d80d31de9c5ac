"""The mapping's dashboard (issue 15): figures with charts, CSV export and a printable quarter.

A district lead reads their own districts; an administrator and an analyst
read the city and any district. The figures come from
:func:`outreach.reports.figures.compute` as :class:`Table` s; this module only
chooses the filter, decides whether the figures leave the district
(:func:`outreach.reports.suppress.must_suppress`) and hands them to the
chart, the CSV writer or the PDF. No figure names a person, so nothing here is
written to the access log.

Filters are GET parameters (a bookmarkable view): ``fra`` and ``til`` months
("2026-01"), ``inndeling`` month or quarter, ``bydel`` a district code (empty:
the city); the PDF takes ``kvartal`` ("2026-K3"). A malformed value answers
400 naming the field; a district outside the user's answers 403.
"""

from __future__ import annotations

from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from flask import Response, abort, render_template, request
from flask_babel import gettext as _

from outreach.districts import DISTRICT_NAMES
from outreach.models import User
from outreach.permissions import Action, Role
from outreach.reports import charts, export, figures, printable, suppress
from outreach.reports import filter_periods as periods
from outreach.reports.tables import ReportFilter, Step, Table
from outreach.web.context import db_session, rt
from outreach.web.staff import bp
from outreach.web.staff.auth import acting_user, allowed

OSLO = ZoneInfo("Europe/Oslo")
#: How far back the period choices reach.
MONTH_CHOICES = 36
QUARTER_CHOICES = 12


def district_choices(user: User) -> list[str]:
    """Codes this user may read; "" is the city (administrator and analyst only)."""
    roles = user.role_set
    if roles & {Role.ADMIN, Role.ANALYST}:
        return ["", *DISTRICT_NAMES]
    return [code for code in DISTRICT_NAMES if code in user.district_set]


def _today() -> date:
    return rt().now().astimezone(OSLO).date()


def _bad(field: str) -> Any:
    return (
        render_template(
            "staff/error.html",
            title=_("Ugyldig filter"),
            message=_("Verdien i feltet «%(field)s» er ikke gyldig.", field=field),
        ),
        400,
    )


def _district(user: User) -> str | None:
    choices = district_choices(user)
    if not choices:
        abort(403)
    raw = request.args.get("bydel")
    code = choices[0] if raw is None else raw.strip()
    if code not in choices:
        abort(403)
    return code or None


def _filter(user: User) -> ReportFilter:
    today = _today()
    args = request.args
    step_raw = args.get("inndeling") or "month"
    if step_raw not in ("month", "quarter"):
        raise periods.PeriodError("inndeling")
    step: Step = "quarter" if step_raw == "quarter" else "month"
    last = periods.parse_month(args["til"], "til") if args.get("til") else today.replace(day=1)
    first = (
        periods.parse_month(args["fra"], "fra")
        if args.get("fra")
        else periods.add_months(last, -11)
    )
    return periods.make_filter(first, last, step, _district(user))


def _tables(filt: ReportFilter, user: User, *, on_screen: bool) -> tuple[list[Table], bool]:
    tables = figures.compute(db_session(), filt)
    hide = suppress.must_suppress(
        roles=user.role_set,
        districts=user.district_set,
        district=filt.district,
        on_screen=on_screen,
    )
    return (suppress.suppress_all(tables) if hide else tables), hide


def _place(filt: ReportFilter) -> str:
    return DISTRICT_NAMES.get(filt.district, filt.district) if filt.district else _("Oslo")


def _figures(tables: list[Table], *, embed_style: bool = False) -> list[dict[str, Any]]:
    """Each table with its chart and the facts of its text alternative."""
    shown = []
    for table in tables:
        shown.append(
            {
                "table": table,
                "svg": charts.render_svg(
                    table,
                    labelled_by=f"fig-{table.key}",
                    described_by=f"desc-{table.key}",
                    embed_style=embed_style,
                ),
                "summary": charts.summarise(table),
                "shares": charts.column_roles(table)[1],
            }
        )
    return shown


def _query(filt: ReportFilter) -> dict[str, str]:
    return {
        "fra": periods.month_label(filt.start),
        "til": periods.month_label(periods.add_months(filt.end, -1)),
        "inndeling": filt.step,
        "bydel": filt.district or "",
    }


@bp.get("/rapporter")
@allowed(Action.READ_REPORTS)
def reports() -> Any:
    user = acting_user()
    try:
        filt = _filter(user)
    except periods.PeriodError as exc:
        return _bad(exc.field)
    tables, hidden = _tables(filt, user, on_screen=True)
    today = _today()
    return render_template(
        "staff/reports.html",
        filt=filt,
        query=_query(filt),
        place=_place(filt),
        shown=_figures(tables),
        suppressed=hidden,
        district_choices=district_choices(user),
        district_names=DISTRICT_NAMES,
        months=periods.recent_months(today, MONTH_CHOICES),
        quarters=periods.recent_quarters(today, QUARTER_CHOICES),
        month_label=periods.month_label,
        quarter_label=periods.quarter_label,
        last_month=periods.add_months(filt.end, -1),
        small=suppress.SMALL,
        hidden_sign=suppress.HIDDEN,
    )


@bp.get("/rapporter/diagram.css")
@allowed(Action.READ_REPORTS)
def report_chart_css() -> Any:
    """The charts' styles from the app itself: no inline style (CSP), no CDN."""
    return Response(
        charts.stylesheet(),
        mimetype="text/css",
        headers={"Cache-Control": "private, max-age=3600"},
    )


@bp.get("/rapporter/<key>.csv")
@allowed(Action.READ_REPORTS)
def report_csv(key: str) -> Any:
    user = acting_user()
    try:
        filt = _filter(user)
    except periods.PeriodError as exc:
        return _bad(exc.field)
    tables, _hidden = _tables(filt, user, on_screen=False)
    table = next((t for t in tables if t.key == key), None)
    if table is None:
        abort(404)
    query = _query(filt)
    name = export.file_name(table, district=filt.district, start=query["fra"], end=query["til"])
    return Response(
        export.to_csv(table),
        mimetype="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Content-Type": "text/csv; charset=utf-8",
            "Cache-Control": "no-store",
        },
    )


@bp.get("/rapporter/kvartalsrapport.pdf")
@allowed(Action.READ_REPORTS)
def report_pdf() -> Any:
    user = acting_user()
    try:
        quarter = periods.parse_quarter(request.args.get("kvartal") or "", "kvartal")
    except periods.PeriodError as exc:
        return _bad(exc.field)
    filt = periods.quarter_filter(quarter, _district(user))
    tables, _hidden = _tables(filt, user, on_screen=False)
    html = render_template(
        "staff/reports_print.html",
        filt=filt,
        place=_place(filt),
        quarter=periods.quarter_label(quarter),
        shown=_figures(tables, embed_style=True),
        made_on=_today(),
        small=suppress.SMALL,
        hidden_sign=suppress.HIDDEN,
    )
    pdf = printable.render_pdf(html)
    name = f"kvartalsrapport-{filt.district or 'oslo'}-{periods.quarter_label(quarter)}.pdf"
    return Response(
        pdf,
        mimetype="application/pdf",
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "no-store",
        },
    )
