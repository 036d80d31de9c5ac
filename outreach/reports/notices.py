"""The notices that came in: by kind, by plaintiff type, and what became of the petitions.

Only notices that count (``vocabulary.COUNTING``: as they came, or confirmed by
staff) are figures; one held for staff and dismissed was never a notice about
this person. A notice belongs to its case's district.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.orm import Session

from outreach.models import Case, Trigger
from outreach.reports import words
from outreach.reports.periods import grouped, periods, series, within
from outreach.reports.tables import ReportFilter, Table
from outreach.vocabulary import PETITION_OUTCOMES, PLAINTIFF_TYPES, TRIGGER_KINDS


def _counting() -> ColumnElement[bool]:
    return Trigger.review.is_(None) | (Trigger.review == "confirmed")


def _notices(filt: ReportFilter) -> Select[Any]:
    query = select(Trigger.id).join(Case, Case.id == Trigger.case_id).where(_counting())
    return within(query, Trigger.received_at, filt)


def notices_by_kind(session: Session, filt: ReportFilter) -> Table:
    """Notices received, per period, one column per kind."""
    cuts = periods(filt)
    counts = grouped(session, _notices(filt), cuts, Trigger.received_at, Trigger.kind)
    return Table(
        key="notices_by_kind",
        title="Varsler etter type",
        columns=(words.PERIOD, *(words.TRIGGER_KINDS[k] for k in TRIGGER_KINDS)),
        rows=series(counts, cuts, TRIGGER_KINDS),
        counts=frozenset(range(1, len(TRIGGER_KINDS) + 1)),
        description="Mottatte varsler i perioden etter type varsel.",
    )


def notices_by_plaintiff(session: Session, filt: ReportFilter) -> Table:
    """Notices received, per period, one column per plaintiff type (and unknown)."""
    cuts = periods(filt)
    kind = func.coalesce(Trigger.plaintiff_type, "unknown").label("plaintiff")
    counts = grouped(session, _notices(filt), cuts, Trigger.received_at, kind)
    categories = (*PLAINTIFF_TYPES, "unknown")
    return Table(
        key="notices_by_plaintiff",
        title="Varsler etter saksøker",
        columns=(
            words.PERIOD,
            *(words.PLAINTIFF_TYPES[k] for k in PLAINTIFF_TYPES),
            words.UNKNOWN,
        ),
        rows=series(counts, cuts, categories),
        counts=frozenset(range(1, len(categories) + 1)),
        description="Mottatte varsler i perioden etter hvem som krever utkastelse.",
    )


def petition_outcomes(session: Session, filt: ReportFilter) -> Table:
    """Petitions received in the period, by what became of them as far as known."""
    cuts = periods(filt)
    outcome = func.coalesce(Trigger.petition_outcome, "unknown").label("outcome")
    query = _notices(filt).where(Trigger.kind == "eviction_petition")
    counts = grouped(session, query, cuts, Trigger.received_at, outcome)
    categories = (*PETITION_OUTCOMES, "unknown")
    return Table(
        key="petition_outcomes",
        title="Begjæringer om utkastelse etter utfall",
        columns=(
            words.PERIOD,
            *(words.PETITION_OUTCOMES[k] for k in PETITION_OUTCOMES),
            "Ikke kjent",
        ),
        rows=series(counts, cuts, categories),
        counts=frozenset(range(1, len(categories) + 1)),
        description=(
            "Begjæringer mottatt i perioden, etter hva som ble utfallet – fra senere varsler "
            "eller registrert av ansatte."
        ),
    )
