"""Deadline compliance: letters within three working days, time to letter and to contact,
flags decided late.

The circular's one hard deadline (seeds/000: «skal sosialtjenesten i NAV
tilskrive leietakeren innen tre virkedager») counts working days, which only
``outreach.workdays`` knows (Easter, 17 May, the office's closures): the rows
are selected and narrowed in the database and the deadline is applied in Python,
as are the percentiles, which neither database computes the same way.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time
from functools import lru_cache
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from outreach.models import Case, Event, Flag, Step, Trigger
from outreach.reports import words
from outreach.reports.cases import not_merged
from outreach.reports.periods import (
    days,
    grouped,
    index_of,
    nearest_rank,
    periods,
    share,
    within,
)
from outreach.reports.tables import ReportFilter, Table
from outreach.vocabulary import STEP_OPEN
from outreach.workdays import OSLO, WorkCalendar

#: «innen tre virkedager» (seeds/000), counted as the ladder counts it (policy ``3wd``).
LETTER_WORKING_DAYS = 3
#: The tenant's first letter: the plan's ``letter`` rule (copies are rules of their own).
LETTER_RULE = "letter"


def letter_deadline_of(calendar: WorkCalendar) -> Callable[[datetime], datetime]:
    """``calendar.add_working_days(received, 3)``, with the day's walk done once per date.

    The ladder's own rule (received on a working day: the same clock time on the
    third working day after; else 00:00 after the roll), but a year's letters
    fall on a few hundred dates, so the walk over holidays is cached by date.
    """

    @lru_cache(maxsize=1024)
    def third_day(day: date) -> tuple[date, bool]:
        rolled = calendar.add_working_days(datetime.combine(day, time(), OSLO), 0)
        start = rolled.date()
        return (
            calendar.add_working_days(rolled, LETTER_WORKING_DAYS).date(),
            start == day,
        )

    def deadline(received: datetime) -> datetime:
        local = received.astimezone(OSLO)
        day, working = third_day(local.date())
        return datetime.combine(day, local.time() if working else time(), OSLO)

    return deadline


def _letters(filt: ReportFilter) -> Any:
    return within(
        select(Trigger.received_at, Step.finished_at)
        .join(Trigger, Trigger.id == Step.trigger_id)
        .join(Case, Case.id == Step.case_id)
        .where(
            Step.rule == LETTER_RULE,
            Step.status == "done",
            Step.finished_at.is_not(None),
            Trigger.review.is_(None) | (Trigger.review == "confirmed"),
        ),
        Trigger.received_at,
        filt,
    )


def letter_deadline(
    session: Session, filt: ReportFilter, calendar: WorkCalendar | None = None
) -> Table:
    """Letters to the tenant by the period of the notice they answer: how many were posted
    within three working days of the notice, and how many are not sent (yet)."""
    deadline = letter_deadline_of(calendar or WorkCalendar())
    cuts = periods(filt)
    posted = [0] * len(cuts)
    in_time = [0] * len(cuts)
    for received_at, finished_at in session.execute(_letters(filt)):
        index = index_of(received_at, cuts)
        if index is None:
            continue
        posted[index] += 1
        if finished_at <= deadline(received_at):
            in_time[index] += 1
    unsent_query = within(
        select(Step.id)
        .join(Trigger, Trigger.id == Step.trigger_id)
        .join(Case, Case.id == Step.case_id)
        .where(
            Step.rule == LETTER_RULE,
            Step.status.in_((*STEP_OPEN, "failed")),
            Trigger.review.is_(None) | (Trigger.review == "confirmed"),
        ),
        Trigger.received_at,
        filt,
    )
    unsent = grouped(session, unsent_query, cuts, Trigger.received_at)
    return Table(
        key="letter_deadline",
        title="Brev sendt innen tre virkedager",
        columns=(
            words.PERIOD,
            "Brev sendt",
            "Innen tre virkedager",
            "Andel innen fristen (%)",
            "Ikke sendt",
        ),
        rows=tuple(
            (p.label, posted[i], in_time[i], share(in_time[i], posted[i]), unsent.get((i,), 0))
            for i, p in enumerate(cuts)
        ),
        counts=frozenset({1, 2, 4}),
        description=(
            "Brev til leietaker etter når varselet kom: sendt innen tre virkedager etter at "
            "NAV mottok varselet (helligdager og kontorets stengte dager regnes ikke)."
        ),
    )


def time_to_letter_and_contact(session: Session, filt: ReportFilter) -> Table:
    """Days from the first notice (the case opening) to the first letter and to the first
    contact with the tenant: median and 90th percentile (nearest rank) per period."""
    cuts = periods(filt)
    # Each first time grouped over the filter's own cases only (the same range and
    # district), so a district's figure reads only its cases' steps and events.
    first_letter = (
        within(
            select(Step.case_id, func.min(Step.finished_at).label("at"))
            .join(Case, Case.id == Step.case_id)
            .where(Step.rule == LETTER_RULE, Step.status == "done"),
            Case.opened_at,
            filt,
        )
        .group_by(Step.case_id)
        .subquery()
    )
    first_contact = (
        within(
            select(Event.case_id, func.min(Event.at).label("at"))
            .join(Case, Case.id == Event.case_id)
            .where(Event.kind == "response_registered"),
            Case.opened_at,
            filt,
        )
        .group_by(Event.case_id)
        .subquery()
    )
    query = within(
        select(Case.opened_at, first_letter.c.at, first_contact.c.at)
        .outerjoin(first_letter, first_letter.c.case_id == Case.id)
        .outerjoin(first_contact, first_contact.c.case_id == Case.id)
        .where(not_merged()),
        Case.opened_at,
        filt,
    )
    opened = [0] * len(cuts)
    to_letter: list[list[float]] = [[] for _ in cuts]
    to_contact: list[list[float]] = [[] for _ in cuts]
    for opened_at, letter_at, contact_at in session.execute(query):
        index = index_of(opened_at, cuts)
        if index is None:
            continue
        opened[index] += 1
        for at, into in ((letter_at, to_letter), (contact_at, to_contact)):
            if at is not None:
                into[index].append(days(_seconds(opened_at, at)))
    return Table(
        key="time_to_letter_and_contact",
        title="Tid fra varsel til brev og til kontakt (dager)",
        columns=(
            words.PERIOD,
            "Saker åpnet",
            "Brev: median",
            "Brev: 90-persentil",
            "Kontakt oppnådd",
            "Kontakt: median",
            "Kontakt: 90-persentil",
        ),
        rows=tuple(
            (
                p.label,
                opened[i],
                nearest_rank(to_letter[i], 50),
                nearest_rank(to_letter[i], 90),
                len(to_contact[i]),
                nearest_rank(to_contact[i], 50),
                nearest_rank(to_contact[i], 90),
            )
            for i, p in enumerate(cuts)
        ),
        counts=frozenset({1, 4}),
        description=(
            "Kalenderdager fra første varsel i saken til første brev til leietaker og til "
            "første kontakt med leietaker; median og 90-persentil (nærmeste rang)."
        ),
    )


def _seconds(start: datetime, end: datetime) -> float:
    return max(0.0, (end - start).total_seconds())


def flags_decided_late(session: Session, filt: ReportFilter) -> Table:
    """Assessments (flags) raised in each period: decided in time, decided late, undecided."""
    cuts = periods(filt)
    query = within(
        select(Flag.id).join(Case, Case.id == Flag.case_id),
        Flag.raised_at,
        filt,
    )
    decided = grouped(
        session, query.where(Flag.decided_at.is_not(None), Flag.decided_at <= Flag.due_at),
        cuts, Flag.raised_at,
    )  # fmt: skip
    late = grouped(
        session, query.where(Flag.decided_at.is_not(None), Flag.decided_at > Flag.due_at),
        cuts, Flag.raised_at,
    )  # fmt: skip
    open_ = grouped(session, query.where(Flag.decided_at.is_(None)), cuts, Flag.raised_at)
    rows = []
    for i, p in enumerate(cuts):
        in_time, overdue, undecided = (c.get((i,), 0) for c in (decided, late, open_))
        rows.append(
            (p.label, in_time + overdue + undecided, in_time, overdue, undecided,
             share(overdue, in_time + overdue))
        )  # fmt: skip
    return Table(
        key="flags_decided_late",
        title="Vurderinger besluttet for sent",
        columns=(
            words.PERIOD,
            "Vurderinger",
            "Besluttet i tide",
            "Besluttet for sent",
            "Ikke besluttet",
            "Andel for sent (%)",
        ),
        rows=tuple(rows),
        counts=frozenset({1, 2, 3, 4}),
        description=(
            "Vurderinger (barnevern, særskilt oppfølging) reist i perioden; for sent er etter "
            "fristen på to virkedager."
        ),
    )
