"""Turn a kept arrears list's pending rows into warnings, a chunk per transaction.

Safe to run twice or after a crash (RQ is at-least-once): only ``pending``
rows are taken, and a chunk's warnings and its rows' outcomes commit together,
so a row is either done with its warning or still pending – never a warning
without its row marked, which a second run would make again. Within a chunk
every row has its own savepoint: intake's ``accept_trigger`` commits, and the
session here is joined to an outer transaction in ``create_savepoint`` mode
(SQLAlchemy's documented pattern), so that commit releases a savepoint and a
row that fails rolls back alone. The chunk commits once: thousands of rows
cost a few dozen commits, not thousands of HTTP requests.

A row is checked against the tenant's reservations when it is processed, not
only when it arrived; a reserved row keeps only its number and reference.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from outreach import timeline
from outreach.db import get_engine
from outreach.intake.accept import IdempotencyConflict, IntakeResult, accept_trigger
from outreach.intake.landlord_schema import load_warning
from outreach.landlords.accounts import may_send
from outreach.landlords.warnings import (  # the receipt's parts, as submit_warning makes them
    LandlordError,
    _receipt_number,
    _trigger_document,
    find_reservation,
)
from outreach.models import Case, Trigger
from outreach.models.landlord import Landlord, LandlordWarning, WarningReservation
from outreach.models.landlord_lists import LandlordList, LandlordListRow
from outreach.runtime import Runtime

log = logging.getLogger(__name__)

CHUNK = 250  # rows per transaction: few commits, and a crash repeats at most one chunk


def process_list(
    rt: Runtime, list_id: int, *, chunk: int = CHUNK, after_chunk: Callable[[], None] | None = None
) -> str:
    """Do the list's pending rows; returns a short summary for the job's result."""
    while True:
        with rt.session() as session:
            listing = session.get(LandlordList, list_id)
            if listing is None:
                return "missing"
            landlord = session.get(Landlord, listing.landlord_id)
            assert landlord is not None
            if not may_send(landlord):  # a suspended landlord's list stops
                return "landlord may not send"
            pending = list(
                session.scalars(
                    select(LandlordListRow.id)
                    .where(LandlordListRow.list_id == list_id, LandlordListRow.status == "pending")
                    .order_by(LandlordListRow.row_number)
                    .limit(chunk)
                )
            )
            if not pending:
                _finish(session, rt, listing)
                return f"done: {listing.rows_done} of {listing.total_rows} rows"
        _run_chunk(rt, list_id, pending)
        if after_chunk is not None:
            after_chunk()


def _finish(session: Session, rt: Runtime, listing: LandlordList) -> None:
    listing.rows_done = _done(session, listing.id)
    if listing.status != "done":
        listing.status = "done"
        listing.finished_at = rt.now()


def _done(session: Session, list_id: int) -> int:
    return int(
        session.scalar(
            select(func.count()).where(
                LandlordListRow.list_id == list_id, LandlordListRow.status != "pending"
            )
        )
        or 0
    )


def _run_chunk(rt: Runtime, list_id: int, row_ids: list[int]) -> None:
    with get_engine(rt.settings.database).connect() as connection:
        outer = connection.begin()
        session = Session(
            bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
        )
        try:
            listing = session.get(LandlordList, list_id)
            assert listing is not None
            landlord = session.get(Landlord, listing.landlord_id)
            assert landlord is not None
            rows = list(
                session.scalars(
                    select(LandlordListRow)
                    .where(LandlordListRow.id.in_(row_ids), LandlordListRow.status == "pending")
                    .order_by(LandlordListRow.row_number)
                )
            )
            # Preloaded once per chunk: the warnings these references already made,
            # and whether this landlord has any reservation at all (most have none).
            earlier = {
                w.reference: w
                for w in session.scalars(
                    select(LandlordWarning).where(
                        LandlordWarning.landlord_id == landlord.id,
                        LandlordWarning.reference.in_([r.reference for r in rows]),
                    )
                )
            }
            reservations = session.scalar(
                select(WarningReservation.id)
                .where(
                    WarningReservation.landlord_id == landlord.id,
                    WarningReservation.withdrawn_at.is_(None),
                )
                .limit(1)
            )
            outcomes = [
                _run_row(session, rt, landlord, listing, row, earlier, reservations is not None)
                for row in rows
            ]
            # One executemany for the chunk's outcomes, in the chunk's transaction.
            session.execute(update(LandlordListRow), outcomes)
            listing.status = "running"
            listing.rows_done = _done(session, list_id)
            session.commit()
            outer.commit()
        except BaseException:
            outer.rollback()
            raise
        finally:
            session.close()


def _run_row(
    session: Session,
    rt: Runtime,
    landlord: Landlord,
    listing: LandlordList,
    row: LandlordListRow,
    earlier: dict[str, LandlordWarning],
    reservations: bool,
) -> dict[str, Any]:
    """One row in its own savepoint; returns its outcome (the tenant's data is dropped)."""
    outcome: dict[str, Any] = {"id": row.id, "payload_enc": None, "faults": None}
    assert row.payload_enc is not None
    data = load_warning(json.loads(rt.protector.decrypt(row.payload_enc)))
    if reservations and find_reservation(session, rt, landlord, data["tenant"]) is not None:
        return outcome | {"status": "reserved", "warning_id": None}
    try:
        found = earlier.get(data["reference"])
        if found is None:
            found = _new_warning(session, rt, landlord, listing, data)
            status = "created"
        else:
            status = "updated" if _correct(session, rt, landlord, found, data) else "unchanged"
        session.commit()  # releases this row's savepoint
    except (LandlordError, IdempotencyConflict) as exc:
        session.rollback()  # this row's savepoint only
        return outcome | {
            "status": "refused",
            "warning_id": None,
            "faults": [{"field": "row", "message": str(exc)}],
        }
    return outcome | {"status": status, "warning_id": found.id}


def _new_warning(
    session: Session, rt: Runtime, landlord: Landlord, listing: LandlordList, data: dict[str, Any]
) -> LandlordWarning:
    """What ``submit_warning`` does, minus its per-row look-ups (preloaded per chunk)."""
    now = rt.now()
    made: list[LandlordWarning] = []

    def _receipt(result: IntakeResult) -> None:
        made.append(
            LandlordWarning(
                landlord_id=landlord.id, trigger_id=result.trigger_id,
                receipt=_receipt_number(), kind=data["kind"], reference=data["reference"],
                arrears_amount=data["arrears_amount"], submitted_at=now, via=listing.via,
                account_id=listing.account_id, token_id=listing.token_id,
            )
        )  # fmt: skip
        session.add(made[-1])

    result = accept_trigger(
        session, rt, _trigger_document(landlord, data, now), actor=f"landlord:{landlord.id}",
        before_commit=_receipt,
    )  # fmt: skip
    if made:
        return made[0]
    # The notice was there already (a row of a list that a crash cut short, run again).
    found = session.scalar(
        select(LandlordWarning).where(LandlordWarning.trigger_id == result.trigger_id)
    )
    if found is None:
        raise LandlordError("reference_taken", "This reference belongs to another notice.")
    return found


def _correct(
    session: Session, rt: Runtime, landlord: Landlord, found: LandlordWarning, data: dict[str, Any]
) -> bool:
    """Next month's row for the same reference: the same notice, corrected.

    Intake corrects the tenant's details (``accept_trigger`` with the same
    source reference); the amount owed and the months are the list's own news,
    written on the receipt and the notice with a timeline event (no values).
    """
    now = rt.now()
    result = accept_trigger(
        session, rt, _trigger_document(landlord, data, now), actor=f"landlord:{landlord.id}"
    )
    trigger = session.get(Trigger, found.trigger_id)
    case = session.get(Case, trigger.case_id) if trigger is not None else None
    amount: Decimal = data["arrears_amount"]
    changed = bool(result.corrected)
    if trigger is None or case is None or case.status == "closed":
        return changed
    if (
        trigger.arrears_amount != amount
        or found.arrears_amount != amount
        or (trigger.notes != data["notes"])
    ):
        found.arrears_amount = amount
        trigger.arrears_amount = amount
        trigger.notes = data["notes"]
        timeline.record(
            session, case.id, "arrears_updated", now, actor=f"landlord:{landlord.id}",
            trigger_id=trigger.id, fields=["arrears_amount"],
        )  # fmt: skip
        changed = True
    return changed
