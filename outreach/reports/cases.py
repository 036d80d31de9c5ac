"""The cases: opened and closed, how they ended, who they were about.

A case a match review merged into another (outcome ``merged``) is the same
household's notice counted twice, so it is left out of every case figure.
A case belongs to the period it was opened in, except in the closing figures,
which count by the day it closed.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Select, String, cast, select
from sqlalchemy.orm import Session

from outreach.models import Case, Person
from outreach.reports import words
from outreach.reports.periods import grouped, index_of, periods, series, within
from outreach.reports.tables import ReportFilter, Table

#: «Høy alder» (seeds/000) as the policy reads it (policy/default.toml ``elderly_age``).
ELDERLY_AGE = 67


def not_merged() -> ColumnElement[bool]:
    return Case.outcome.is_(None) | (Case.outcome != "merged")


def _cases(filt: ReportFilter, at: Any) -> Select[Any]:
    return within(select(Case.id).where(not_merged()), at, filt)


def cases_opened_closed(session: Session, filt: ReportFilter) -> Table:
    """Cases opened and cases closed in each period (each by its own date)."""
    cuts = periods(filt)
    opened = grouped(session, _cases(filt, Case.opened_at), cuts, Case.opened_at)
    closed = grouped(session, _cases(filt, Case.closed_at), cuts, Case.closed_at)
    return Table(
        key="cases_opened_closed",
        title="Saker åpnet og avsluttet",
        columns=(words.PERIOD, "Åpnet", "Avsluttet"),
        rows=tuple((p.label, opened.get((i,), 0), closed.get((i,), 0)) for i, p in enumerate(cuts)),
        counts=frozenset({1, 2}),
        description="Saker åpnet i perioden og saker avsluttet i perioden.",
    )


def case_outcomes(session: Session, filt: ReportFilter) -> Table:
    """Cases closed in each period, by how they ended (``cases.response.CLOSE_OUTCOMES``)."""
    cuts = periods(filt)
    counts = grouped(session, _cases(filt, Case.closed_at), cuts, Case.closed_at, Case.outcome)
    categories = tuple(words.CASE_OUTCOMES)
    return Table(
        key="case_outcomes",
        title="Avsluttede saker etter utfall",
        columns=(words.PERIOD, *words.CASE_OUTCOMES.values()),
        rows=series(counts, cuts, categories),
        counts=frozenset(range(1, len(categories) + 1)),
        description="Saker avsluttet i perioden etter hvordan saken endte.",
    )


def repeats_and_first_timers(session: Session, filt: ReportFilter) -> Table:
    """Of the cases opened: repeat cases (an earlier case within 24 months) and first-timers."""
    cuts = periods(filt)
    counts = grouped(
        session,
        _cases(filt, Case.opened_at),
        cuts,
        Case.opened_at,
        Case.is_repeat,
        Case.first_timer,
    )
    rows = []
    for i, p in enumerate(cuts):
        mine = {k[1:]: n for k, n in counts.items() if k[0] == i}
        opened = sum(mine.values())
        repeat = sum(n for (rep, _first), n in mine.items() if rep)
        first = sum(n for (_rep, first), n in mine.items() if first)
        rows.append((p.label, opened, repeat, first))
    return Table(
        key="repeats_first_timers",
        title="Gjengangere og debutanter",
        columns=(words.PERIOD, "Saker åpnet", "Gjengangere", "Debutanter"),
        rows=tuple(rows),
        counts=frozenset({1, 2, 3}),
        description=(
            "Gjenganger: personen hadde en annen sak de siste 24 månedene. "
            "Debutant: personen har ikke hatt sak før."
        ),
    )


def _age_on(birth: date, day: date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def households(session: Session, filt: ReportFilter) -> Table:
    """Of the cases opened: households with children, and tenants 67 or older at the notice.

    Children are a JSON list on the case; its text is ``[]`` when there are none on
    both databases. The age needs the Oslo date of the notice, so the few cases whose
    tenant could be that old (born 67 years before the period's end, an indexed
    test) are read and counted in Python.
    """
    cuts = periods(filt)
    children = cast(Case.children_ages, String)
    with_children = (
        _cases(filt, Case.opened_at)
        .where(Case.children_ages.is_not(None))
        .where(children.not_in(("[]", "null")))
    )
    opened = grouped(session, _cases(filt, Case.opened_at), cuts, Case.opened_at)
    kids = grouped(session, with_children, cuts, Case.opened_at)
    latest_birth = date(filt.end.year - ELDERLY_AGE + 1, 1, 1)  # a superset, checked below
    old_enough = within(
        select(Case.opened_at, Person.birth_date)
        .join(Person, Person.id == Case.person_id)
        .where(not_merged(), Person.birth_date < latest_birth),
        Case.opened_at,
        filt,
    )
    elderly = [0] * len(cuts)
    for opened_at, birth in session.execute(old_enough):
        index = index_of(opened_at, cuts)
        day = opened_at.astimezone(cuts[0].start.tzinfo).date()
        if index is not None and _age_on(birth, day) >= ELDERLY_AGE:
            elderly[index] += 1
    return Table(
        key="households",
        title="Barnefamilier og eldre",
        columns=(words.PERIOD, "Saker åpnet", "Med barn", "67 år eller eldre"),
        rows=tuple(
            (p.label, opened.get((i,), 0), kids.get((i,), 0), elderly[i])
            for i, p in enumerate(cuts)
        ),
        counts=frozenset({1, 2, 3}),
        description="Saker åpnet i perioden: husstander med barn, og leietakere som var 67 år "
        "eller eldre da varselet kom.",
    )
