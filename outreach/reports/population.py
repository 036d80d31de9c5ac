"""Inhabitants per district, and notices and cases per 1,000 of them (issue 15).

A district with twice the inhabitants gets about twice the notices; only a rate
lets districts be compared (the peer review's appendix: "Begjæringer om
utkastelse per 1000 innb", Oslo 11,9 in 2004). The population is data with its
source and year: ``outreach/data/oslo_population.csv`` ships published SSB
figures, and an import (``outreach import-population FILE`` or the staff page)
replaces the years a file contains. A period is divided by the latest year not
after it, since populations are counted on 1 January.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from sqlalchemy import delete, func, or_, select
from sqlalchemy.orm import Session

from outreach.districts import AREA_NAMES, DATA_DIR, DISTRICT_NAMES
from outreach.models import Case, Trigger
from outreach.models.statistics import Population
from outreach.reports.csvfile import (
    MAX_PROBLEMS,
    ImportRefused,
    Problem,
    count,
    district_code,
    read_rows,
)
from outreach.reports.quarters import bound
from outreach.reports.tables import ReportFilter, Table

POPULATION_FILE = DATA_DIR / "oslo_population.csv"
COLUMNS = {
    "district_code": ("district_code", "district", "bydel", "bydelsnummer", "region"),
    "year": ("year", "år", "aar"),
    "population": ("population", "inhabitants", "folkemengde", "befolkning", "innbyggere"),
    "source": ("source", "kilde"),
}
MAX_POPULATION = 2_000_000  # more than Oslo's whole population: a typo, not a district


@dataclass(frozen=True)
class PopulationRow:
    district_code: str
    year: int
    population: int
    source: str


def parse_population(data: bytes) -> list[PopulationRow]:
    """Every row of a population file, or :class:`ImportRefused` naming each bad line."""
    rows, problems = read_rows(data, COLUMNS, comments=True)
    parsed: list[PopulationRow] = []
    seen: dict[tuple[str, int], int] = {}
    for line, row in rows:
        before = len(problems)
        code = district_code(row["district_code"])
        if code is None:
            problems.append(
                Problem(line, "district_code", "unknown_district", row["district_code"])
            )
        year_text = row["year"]
        year = int(year_text) if year_text.isascii() and year_text.isdigit() else None
        if year is None or not 1990 <= year <= 2100:
            problems.append(Problem(line, "year", "bad_year", year_text))
            year = None
        population = count(problems, line, "population", row["population"], limit=MAX_POPULATION)
        if population == 0:
            problems.append(Problem(line, "population", "not_positive", row["population"]))
        source = row["source"]
        if not source:
            problems.append(Problem(line, "source", "empty"))
        elif len(source) > 300:
            problems.append(Problem(line, "source", "too_long", detail="300"))
        if len(problems) > before or code is None or year is None or not population:
            continue
        if (code, year) in seen:
            problems.append(
                Problem(line, "district_code", "duplicate", code, str(seen[code, year]))
            )
            continue
        seen[code, year] = line
        parsed.append(PopulationRow(code, year, population, source))
    if problems:
        raise ImportRefused(sorted(problems, key=lambda p: p.line)[:MAX_PROBLEMS])
    return parsed


def import_population(session: Session, rows: list[PopulationRow], now: datetime) -> list[int]:
    """Replace the years the rows cover (all or nothing: the caller commits); the years."""
    years = sorted({row.year for row in rows})
    session.execute(delete(Population).where(Population.year.in_(years)))
    session.add_all(
        Population(
            district_code=row.district_code,
            year=row.year,
            population=row.population,
            source=row.source,
            imported_at=now,
        )
        for row in rows
    )
    session.flush()
    return years


def seed_population(session: Session, now: datetime, path: Path = POPULATION_FILE) -> int:
    """Add the shipped years the database has no figure for; never touch an imported year.

    By year, as an import replaces by year: a year someone imported (even with
    fewer districts) is theirs, and the shipped file does not fill it up.
    """
    known = set(session.scalars(select(Population.year).distinct()))
    rows = [r for r in parse_population(path.read_bytes()) if r.year not in known]
    session.add_all(
        Population(
            district_code=r.district_code,
            year=r.year,
            population=r.population,
            source=r.source,
            imported_at=now,
        )
        for r in rows
    )
    session.flush()
    return len(rows)


def _rate(events: int, population: int | None) -> float | None:
    """Per 1,000 inhabitants, one decimal, halves up (0.25 -> 0.3) as statistics tables round."""
    if not population:
        return None
    rate = (Decimal(events) * 1000 / Decimal(population)).quantize(
        Decimal("0.1"), rounding=ROUND_HALF_UP
    )
    return float(rate)


def populations(session: Session, year: int) -> dict[str, tuple[int, int, str]]:
    """Per area, (population, year, source) of the latest year not after ``year``."""
    latest = (
        select(Population.district_code, func.max(Population.year).label("year"))
        .where(Population.year <= year)
        .group_by(Population.district_code)
        .subquery()
    )
    query = select(
        Population.district_code, Population.population, Population.year, Population.source
    ).join(
        latest,
        (latest.c.district_code == Population.district_code) & (latest.c.year == Population.year),
    )
    return {code: (people, year, source) for code, people, year, source in session.execute(query)}


def per_1000(session: Session, filt: ReportFilter) -> Table:
    """Notices received and cases opened in the period, per district, per 1,000 inhabitants.

    Notices are counted as ``notices_by_kind`` does, less those staff dismissed as
    not the case's (issue 13: a notice from someone not party to it). The city row
    divides every notice (also a case no district has yet) by every area's
    inhabitants, Sentrum and Marka included.
    """
    start, end = bound(filt.start), bound(filt.end)
    counting = or_(Trigger.review.is_(None), Trigger.review != "dismissed")
    notices_query = (
        select(Case.district_code, func.count(Trigger.id))
        .join(Case, Case.id == Trigger.case_id)
        .where(Trigger.received_at >= start, Trigger.received_at < end, counting)
        .group_by(Case.district_code)
    )
    cases_query = (
        select(Case.district_code, func.count(Case.id))
        .where(Case.opened_at >= start, Case.opened_at < end)
        .group_by(Case.district_code)
    )
    if filt.district is not None:
        notices_query = notices_query.where(Case.district_code == filt.district)
        cases_query = cases_query.where(Case.district_code == filt.district)
    notices: dict[str | None, int] = {code: n for code, n in session.execute(notices_query)}
    cases: dict[str | None, int] = {code: n for code, n in session.execute(cases_query)}
    last_day = filt.end - timedelta(days=1)
    people = populations(session, last_day.year)
    codes = [filt.district] if filt.district is not None else list(DISTRICT_NAMES)
    rows: list[tuple[str | int | float | None, ...]] = []
    for code in codes:
        population, year, _source = people.get(code, (None, None, ""))
        n, c = notices.get(code, 0), cases.get(code, 0)
        name = AREA_NAMES.get(code, code)
        rows.append((name, population, year, n, _rate(n, population), c, _rate(c, population)))
    if filt.district is None:
        total = sum(p for p, _y, _s in people.values()) or None
        years = {y for _p, y, _s in people.values()}
        n, c = sum(notices.values()), sum(cases.values())
        year_cell = years.pop() if len(years) == 1 else None
        rows.append(("Oslo i alt", total, year_cell, n, _rate(n, total), c, _rate(c, total)))
    sources = sorted({s for _p, _y, s in people.values()})
    return Table(
        key="per_1000",
        title="Varsler og saker per 1000 innbyggere",
        columns=(
            "Bydel",
            "Innbyggere",
            "Befolkningsår",
            "Varsler",
            "Varsler per 1000",
            "Nye saker",
            "Nye saker per 1000",
        ),
        rows=tuple(rows),
        counts=frozenset({3, 5}),
        description=(
            "Folkemengde 1. januar i siste år før eller i perioden. Kilde: "
            + ("; ".join(sources) if sources else "ingen befolkningstall importert")
            + ". Ratene er for hele perioden, avrundet til én desimal."
        ),
    )


def imported_years(session: Session) -> list[tuple[int, int, int, str, datetime]]:
    """Per year: areas, inhabitants, source(s) and when imported (newest year first)."""
    query = (
        select(
            Population.year,
            func.count(Population.id),
            func.sum(Population.population),
            func.min(Population.source),
            func.max(Population.source),
            func.max(Population.imported_at),
        )
        .group_by(Population.year)
        .order_by(Population.year.desc())
    )
    return [
        (year, areas, int(people), first if first == last else f"{first}; {last}", at)
        for year, areas, people, first, last, at in session.execute(query)
    ]
