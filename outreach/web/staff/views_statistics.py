"""Statistics from outside the service: the bailiff's quarterly overview and the population.

An administrator uploads the files the figures need (issue 15); the same
parsing and all-or-nothing import as ``outreach import-bailiff`` and
``outreach import-population``. A refused file lists every problem by line and
column in the reader's language, so the sender can be told exactly what to fix.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from outreach.permissions import Action
from outreach.reports import bailiff, population
from outreach.reports.csvfile import MAX_BYTES, ImportRefused, Problem
from outreach.web.context import db_session, rt
from outreach.web.staff import bp
from outreach.web.staff.auth import acting_user, allowed

_TEXTS: dict[str, Callable[[Problem], str]] = {
    "not_utf8": lambda p: _("Filen er ikke UTF-8-tekst. Lagre den som «CSV UTF-8»."),
    "too_large": lambda p: _("Filen er større enn 1 MB."),
    "empty_file": lambda p: _("Filen har ingen datarader."),
    "missing_columns": lambda p: _(
        "Mangler kolonne(r): %(columns)s. Skilletegnet må være komma, semikolon eller tabulator.",
        columns=p.detail,
    ),
    "field_count": lambda p: _(
        "Ventet %(expected)s felt, fant %(found)s (feil skilletegn?).",
        expected=p.detail,
        found=p.value,
    ),
    "empty": lambda p: _("Feltet er tomt."),
    "unknown_district": lambda p: _("Ukjent bydel «%(value)s».", value=p.value),
    "bad_quarter": lambda p: _("«%(value)s» er ikke et kvartal som 2026-Q1.", value=p.value),
    "bad_year": lambda p: _("«%(value)s» er ikke et år mellom 1990 og 2100.", value=p.value),
    "not_a_number": lambda p: _("«%(value)s» er ikke et helt tall.", value=p.value),
    "negative": lambda p: _("«%(value)s» er negativt.", value=p.value),
    "not_positive": lambda p: _("«%(value)s» må være større enn null.", value=p.value),
    "too_large_number": lambda p: _(
        "«%(value)s» er større enn %(limit)s.", value=p.value, limit=p.detail
    ),
    "unknown_plaintiff_type": lambda p: _("Ukjent saksøkertype «%(value)s».", value=p.value),
    "duplicate": lambda p: _("Samme rad som linje %(line)s.", line=p.detail),
    "too_long": lambda p: _("Lengre enn %(limit)s tegn.", limit=p.detail),
}


def problem_text(problem: Problem) -> str:
    return _TEXTS[problem.code](problem)


def _page(status: int = 200, **context: Any) -> Any:
    session = db_session()
    return (
        render_template(
            "staff/statistics_import.html",
            quarters=bailiff.imported_quarters(session),
            years=population.imported_years(session),
            problem_text=problem_text,
            **context,
        ),
        status,
    )


def _upload() -> tuple[str, bytes] | None:
    storage = request.files.get("file")
    if storage is None or not storage.filename:
        return None
    data = storage.stream.read(MAX_BYTES + 1)
    storage.close()
    return storage.filename, data


@bp.get("/statistikk/import")
@allowed(Action.IMPORT_STATISTICS)
def statistics_import() -> Any:
    return _page()


@bp.post("/statistikk/import/namsmannen")
@allowed(Action.IMPORT_STATISTICS)
def import_bailiff_file() -> Any:
    upload = _upload()
    if upload is None:
        return _page(400, bailiff_error=_("Velg en CSV-fil."))
    filename, data = upload
    try:
        rows = bailiff.parse_bailiff(data)
    except ImportRefused as exc:
        return _page(400, bailiff_problems=exc.problems, bailiff_file=filename)
    session = db_session()
    quarters = bailiff.import_bailiff(
        session, rows, source_name=filename, imported_by=acting_user().username, now=rt().now()
    )
    session.commit()
    flash(
        _(
            "%(rows)s rader fra namsmannen er importert; de erstatter %(quarters)s.",
            rows=len(rows),
            quarters=", ".join(quarters),
        ),
        "success",
    )
    return redirect(url_for("staff.statistics_import"))


@bp.post("/statistikk/import/befolkning")
@allowed(Action.IMPORT_STATISTICS)
def import_population_file() -> Any:
    upload = _upload()
    if upload is None:
        return _page(400, population_error=_("Velg en CSV-fil."))
    filename, data = upload
    try:
        rows = population.parse_population(data)
    except ImportRefused as exc:
        return _page(400, population_problems=exc.problems, population_file=filename)
    session = db_session()
    years = population.import_population(session, rows, rt().now())
    session.commit()
    flash(
        _(
            "%(rows)s befolkningstall er importert; de erstatter år %(years)s.",
            rows=len(rows),
            years=", ".join(map(str, years)),
        ),
        "success",
    )
    return redirect(url_for("staff.statistics_import"))
