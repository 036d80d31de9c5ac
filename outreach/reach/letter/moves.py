"""Letters of a case in print batches: a forward moves the waiting ones; staff open the stored PDF.

Issue 5: a forwarded case moves with its access, so a letter still waiting in
the old district's batch goes to the new district's (it is rendered with the
new office and contact); and the timeline's letter links to the PDF that was
actually printed (``PrintItem.pdf_path``), not a preview dated today.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from outreach import timeline
from outreach.models import Case, PrintBatch, PrintItem
from outreach.reach.letter.batches import open_batch
from outreach.runtime import Runtime


def move_case_letters(
    session: Session, case: Case, now: datetime, *, actor: str | None = None
) -> list[PrintItem]:
    """A forwarded case's letters still waiting for printing join its new district's batch.

    Only letters not yet rendered move: they are rendered with the new
    district's office and contact. A rendered letter is on paper already.
    """
    waiting = list(
        session.scalars(
            select(PrintItem)
            .join(PrintBatch, PrintBatch.id == PrintItem.batch_id)
            .where(
                PrintItem.case_id == case.id,
                PrintItem.status == "queued",
                PrintBatch.status == "open",
            )
            .order_by(PrintItem.id)
        )
    )
    moved = []
    for item in waiting:
        old = session.get(PrintBatch, item.batch_id)
        if old is not None and old.district_code == case.district_code:
            continue
        target = open_batch(session, case.district_code)
        item.batch_id = target.id
        moved.append(item)
        timeline.record(
            session,
            case.id,
            "letter_moved",
            now,
            channel="letter",
            actor=actor,
            step_id=item.step_id,
            from_batch=old.id if old is not None else None,
            batch_id=target.id,
            audience=item.audience,
        )
    return moved


def stored_letter_path(rt: Runtime, item: PrintItem) -> Path | None:
    """The letter's own PDF as it was printed, if it is still there (under ``var/letters``)."""
    if not item.pdf_path:
        return None
    root = (rt.settings.var_dir / "letters").resolve()
    path = Path(item.pdf_path).resolve()
    if not path.is_relative_to(root) or not path.is_file():
        return None
    return path


def items_by_attempt(session: Session, case_id: int) -> dict[int, PrintItem]:
    """The case's print items keyed by attempt: the timeline links a letter to its PDF."""
    return {
        item.attempt_id: item
        for item in session.scalars(select(PrintItem).where(PrintItem.case_id == case_id))
    }
