"""Reach: how many cases got an answer, through which channel, and the unreachable ones.

The ladder exists for «konvoluttskrek» (people who never open letters; seeds/004:
«Ikke gi seg dersom klienten ikke svarer på skriftlige henvendelser»): a district
sees here whether SMS, calls and visits reach those letters do not. A case is
reached when a response is registered on it (``cases.response.register_response``,
the one writer); the first one says how the contact came.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session, aliased

from outreach.models import Case, Event, Flag
from outreach.reports import words
from outreach.reports.cases import not_merged
from outreach.reports.periods import grouped, index_of, periods, series, share, within
from outreach.reports.tables import Cell, ReportFilter, Table

RESPONSE = "response_registered"


def _responded() -> Any:
    return exists().where(Event.case_id == Case.id, Event.kind == RESPONSE)


def _unreachable() -> Any:
    return exists().where(Event.case_id == Case.id, Event.kind == "unreachable")


def reach_share(session: Session, filt: ReportFilter) -> Table:
    """Of the cases opened in each period, how many were reached (so far)."""
    cuts = periods(filt)
    cases = within(select(Case.id).where(not_merged()), Case.opened_at, filt)
    opened = grouped(session, cases, cuts, Case.opened_at)
    reached = grouped(session, cases.where(_responded()), cuts, Case.opened_at)
    rows = []
    for i, p in enumerate(cuts):
        total, hit = opened.get((i,), 0), reached.get((i,), 0)
        rows.append((p.label, total, hit, share(hit, total)))
    return Table(
        key="reach_share",
        title="Saker der leietaker er nådd",
        columns=(words.PERIOD, "Saker åpnet", "Nådd", "Andel nådd (%)"),
        rows=tuple(rows),
        counts=frozenset({1, 2}),
        description="Saker åpnet i perioden der NAV har fått kontakt med leietaker.",
    )


def route_of(channel: str | None, data: dict[str, Any] | None) -> str:
    """How a first contact came, in the issue's words (``words.CONTACT_ROUTES``).

    A call or visit registered through a phone or visit task is NAV reaching out
    (the task's id is on the event); a call without one is the tenant calling in.
    """
    if channel == "sms_reply":
        return "sms_reply"
    if channel == "booking":
        return "booking"
    if channel == "visit":
        return "home_visit"
    if channel == "phone" and (data or {}).get("task_id") is not None:
        return "phone_task"
    return "tenant"


def contact_routes(session: Session, filt: ReportFilter) -> Table:
    """The cases reached, by how the first contact came, per period of opening."""
    cuts = periods(filt)
    # The case's first response, correlated (ix_events_kind_case), so a district's
    # figure reads only its own cases' events.
    response = aliased(Event)
    first = (
        select(func.min(response.id))
        .where(response.kind == RESPONSE, response.case_id == Case.id)
        .correlate(Case)
        .scalar_subquery()
    )
    query = within(
        select(Case.opened_at, Event.channel, Event.data)
        .join(Event, Event.id == first)
        .where(not_merged()),
        Case.opened_at,
        filt,
    )
    counts: dict[tuple[int, str], int] = {}
    for opened_at, channel, data in session.execute(query):
        index = index_of(opened_at, cuts)
        if index is not None:
            key = (index, route_of(channel, data))
            counts[key] = counts.get(key, 0) + 1
    routes = tuple(words.CONTACT_ROUTES)
    return Table(
        key="contact_routes",
        title="Hvordan kontakten kom",
        columns=(words.PERIOD, *words.CONTACT_ROUTES.values()),
        rows=series(dict(counts), cuts, routes),
        counts=frozenset(range(1, len(routes) + 1)),
        description=(
            "Saker åpnet i perioden der leietaker er nådd, etter hvordan den første "
            "kontakten kom: leietakers egen henvendelse, svar på SMS, telefon fra NAV, "
            "hjemmebesøk eller timebestilling."
        ),
    )


def unreachable_flags(session: Session, filt: ReportFilter) -> Table:
    """Cases opened in each period that the ladder could not reach, and what was decided
    on the assessments (flags) raised for them."""
    cuts = periods(filt)
    cases = within(select(Case.id).where(not_merged(), _unreachable()), Case.opened_at, filt)
    unreachable = grouped(session, cases, cuts, Case.opened_at)
    reached_later = grouped(session, cases.where(_responded()), cuts, Case.opened_at)
    decision = func.coalesce(Flag.decision, "undecided").label("decision")
    flags = grouped(
        session,
        within(
            select(Flag.id).join(Case, Case.id == Flag.case_id).where(not_merged(), _unreachable()),
            Case.opened_at,
            filt,
        ),
        cuts,
        Case.opened_at,
        decision,
    )
    decisions = (*words.FLAG_DECISIONS, "undecided")
    rows: list[tuple[Cell, ...]] = []
    for i, p in enumerate(cuts):
        rows.append(
            (
                p.label,
                unreachable.get((i,), 0),
                reached_later.get((i,), 0),
                *(flags.get((i, d), 0) for d in decisions),
            )
        )
    return Table(
        key="unreachable_flags",
        title="Ikke nådd: vurderinger og beslutninger",
        columns=(
            words.PERIOD,
            "Ikke nådd",
            "Nådd senere",
            *words.FLAG_DECISIONS.values(),
            "Ikke besluttet",
        ),
        rows=tuple(rows),
        counts=frozenset(range(1, len(decisions) + 3)),
        description=(
            "Saker åpnet i perioden der kontaktstigen ikke nådde leietaker, hvor mange som "
            "ble nådd senere, og beslutningene på vurderingene som ble reist i sakene."
        ),
    )
