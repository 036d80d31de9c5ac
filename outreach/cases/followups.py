"""The after-contact follow-up plan: which measures exist, and reminders when they fall due.

Two kinds of measure (issue 5): the national guide's *solution alternatives*
(seeds/001, «fase 2»: debt counselling, deferral, refinancing, a repayment
plan, deduction, cheaper housing, NAV covering the arrears) settle the
arrears and belong to an open case; the circular's *follow-up after help*
(seeds/000: «oppfølging etter at hjelp er gitt» – regular talks, rent-payment
checks, financial advice, housing follow-up, income management, an individual
plan) keeps new arrears from building up and comes *after* the case is
closed, so those may be planned on a closed case too.

Reminders are not ladder steps: steps are the contact ladder's rows, cancelled
by a response, a pause or a close (``ladder.cancel_pending``) and run through
the channel jobs – exactly when a follow-up measure is still needed. A
follow-up item is its own row with a date (``due_on``); the tick calls
``record_due`` to note once, with a ``followup_due`` timeline event, that an
item fell due. My work and the lead's overview read the same rows.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, select, update
from sqlalchemy.orm import Session

from outreach import timeline
from outreach.models import Case, User
from outreach.models.staff import FollowUpItem
from outreach.runtime import Runtime

log = logging.getLogger(__name__)

OSLO = ZoneInfo("Europe/Oslo")

SOLUTION_KINDS = (
    "debt_counselling",
    "payment_deferral",
    "refinancing",
    "repayment_plan",
    "deduction",
    "cheaper_housing",
    "nav_covers_arrears",
)
AFTER_HELP_KINDS = (
    "regular_talks",
    "rent_payment_check",
    "financial_advice",
    "housing_followup",
    "income_management",
    "individual_plan",
)
ALL_KINDS = SOLUTION_KINDS + AFTER_HELP_KINDS

BATCH = 500


def kinds_for(case: Case) -> tuple[str, ...]:
    """The measures that may be planned now: after closing, only follow-up after help."""
    return AFTER_HELP_KINDS if case.status == "closed" else ALL_KINDS


def settle_on_close(
    session: Session, case: Case, now: datetime, reason: str, actor: str | None
) -> list[int]:
    """A closing case settles the measures that belonged to it being open.

    The solution alternatives (seeds/001) settle the arrears of an open case:
    once it closes nobody works on them, and left open they would turn up as
    overdue in My work and on the lead's page for ever (issue 12, item 13).
    Follow-up after help (seeds/000) is meant to run after the close, so it
    stays. Called by ``cases.response.end_case``, the one way a case closes.
    """
    items = list(
        session.scalars(
            select(FollowUpItem)
            .where(
                FollowUpItem.case_id == case.id,
                FollowUpItem.status == "open",
                FollowUpItem.kind.in_(SOLUTION_KINDS),
            )
            .order_by(FollowUpItem.id)
        )
    )
    for item in items:
        item.status = "cancelled"
        item.done_at = now
        timeline.record(
            session,
            case.id,
            "followup_settled",
            now,
            actor=actor,
            followup_id=item.id,
            measure=item.kind,
            reason=reason,
        )
    return [item.id for item in items]


def due_state(item: FollowUpItem, today: date) -> str | None:
    """'due' on the day, 'overdue' after it, None before it or once done."""
    if item.status != "open" or item.due_on > today:
        return None
    return "due" if item.due_on == today else "overdue"


def record_due(rt: Runtime, now: datetime) -> int:
    """Note every open item whose date has come: one ``followup_due`` event each.

    Called by the tick. The conditional update (``due_noted_at IS NULL``)
    claims an item, so two ticks running at once record it once; the event
    is written in the same transaction as the claim.
    """
    today = now.astimezone(OSLO).date()
    noted = 0
    with rt.session() as session:
        candidates = list(
            session.scalars(
                select(FollowUpItem.id)
                .where(
                    FollowUpItem.status == "open",
                    FollowUpItem.due_noted_at.is_(None),
                    FollowUpItem.due_on <= today,
                )
                .order_by(FollowUpItem.due_on, FollowUpItem.id)
                .limit(BATCH)
            )
        )
        for item_id in candidates:
            claimed = session.execute(
                update(FollowUpItem)
                .where(FollowUpItem.id == item_id, FollowUpItem.due_noted_at.is_(None))
                .values(due_noted_at=now)
                .execution_options(synchronize_session=False)
            )
            if not getattr(claimed, "rowcount", 0):
                continue
            item = session.get(FollowUpItem, item_id)
            assert item is not None
            owner = session.get(User, item.owner_id) if item.owner_id else None
            timeline.record(
                session,
                item.case_id,
                "followup_due",
                now,
                followup_id=item.id,
                measure=item.kind,
                due_on=item.due_on.isoformat(),
                owner=owner.username if owner is not None else None,
            )
            noted += 1
    if noted:
        log.info("tick: %d follow-up measures fell due", noted)
    return noted


@dataclass
class DueItem:
    item: FollowUpItem
    state: str  # due | overdue


def due_items(
    session: Session, visible: ColumnElement[bool], today: date, *, owner_id: int | None = None
) -> list[DueItem]:
    """Open items due today or earlier on cases ``visible`` lets through, oldest first.

    Closed cases included: follow-up after help runs after the close.
    """
    query = (
        select(FollowUpItem)
        .join(Case, Case.id == FollowUpItem.case_id)
        .where(visible, FollowUpItem.status == "open", FollowUpItem.due_on <= today)
        .order_by(FollowUpItem.due_on, FollowUpItem.id)
    )
    if owner_id is not None:
        query = query.where(FollowUpItem.owner_id == owner_id)
    return [
        DueItem(item, "due" if item.due_on == today else "overdue")
        for item in session.scalars(query)
    ]
