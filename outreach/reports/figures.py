"""The figures, computed in the database with aggregate queries (issue 15).

Every figure is a GROUP BY over indexed columns, the same SQL on SQLite and
PostgreSQL; Python only shapes the rows into :class:`~outreach.reports.tables.Table`.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from outreach.models import Case, Trigger
from outreach.reports.tables import ReportFilter, Table
from outreach.vocabulary import TRIGGER_KINDS

OSLO = ZoneInfo("Europe/Oslo")


def _bound(day: date) -> datetime:
    return datetime.combine(day, time(), OSLO)


def notices_by_kind(session: Session, filt: ReportFilter) -> Table:
    """Notices received in the period, one row per kind."""
    query = (
        select(Trigger.kind, func.count())
        .join(Case, Case.id == Trigger.case_id)
        .where(Trigger.received_at >= _bound(filt.start), Trigger.received_at < _bound(filt.end))
        .group_by(Trigger.kind)
    )
    if filt.district is not None:
        query = query.where(Case.district_code == filt.district)
    counts: dict[str, int] = defaultdict(int, {kind: n for kind, n in session.execute(query)})
    return Table(
        key="notices_by_kind",
        title="Varsler etter type",
        columns=("Type", "Antall"),
        rows=tuple((kind, counts[kind]) for kind in TRIGGER_KINDS),
        counts=frozenset({1}),
    )


def compute(session: Session, filt: ReportFilter) -> list[Table]:
    """Every figure of the dashboard for ``filt``, in the order they are shown."""
    from outreach.reports import bailiff, population

    return [
        notices_by_kind(session, filt),
        population.per_1000(session, filt),
        bailiff.reconciliation(session, filt),
        bailiff.reconciliation_by_plaintiff(session, filt),
    ]
