"""Letters of a case in print batches: a forward moves the waiting ones; staff open the stored PDF.

Issue 5: a forwarded case moves with its access, so a letter still waiting in
the old district's batch goes to the new district's (it is rendered with the
new office and contact); and the timeline's letter links to the PDF that was
actually printed (``PrintItem.pdf_path``), not a preview dated today.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from outreach import timeline
from outreach.models import Case, PrintBatch, PrintItem
from outreach.printing import open_batch


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
