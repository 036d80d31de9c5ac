"""The figures, computed in the database with aggregate queries (issue 15).

Every figure is a GROUP BY over indexed columns, the same SQL on SQLite and
PostgreSQL; Python only shapes the rows into :class:`~outreach.reports.tables.Table`
(and applies the working-day calendar and percentiles, which need it). The
figures live by subject in ``notices``, ``cases``, ``compliance`` and ``reach``;
this module lists them in the order the dashboard shows them.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session

from outreach.reports import bailiff, cases, compliance, notices, population, reach
from outreach.reports.tables import ReportFilter, Table

Figure = Callable[[Session, ReportFilter], Table]

#: In display order: what came in, what became of it, how fast, and whom it reached.
FIGURES: tuple[Figure, ...] = (
    notices.notices_by_kind,
    notices.notices_by_plaintiff,
    cases.cases_opened_closed,
    cases.case_outcomes,
    cases.repeats_and_first_timers,
    cases.households,
    compliance.letter_deadline,
    compliance.time_to_letter_and_contact,
    compliance.flags_decided_late,
    reach.reach_share,
    reach.contact_routes,
    reach.unreachable_flags,
    notices.petition_outcomes,
    population.per_1000,
    bailiff.reconciliation,
    bailiff.reconciliation_by_plaintiff,
)

# Kept for callers of the first sample figure.
notices_by_kind = notices.notices_by_kind


def compute(session: Session, filt: ReportFilter) -> list[Table]:
    """Every figure of the dashboard for ``filt``, in the order they are shown."""
    return [figure(session, filt) for figure in FIGURES]
