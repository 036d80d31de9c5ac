"""The RQ job that renders a print batch (slow: WeasyPrint), by id."""

from __future__ import annotations

from outreach import runtime
from outreach.reach.letter.batches import PrintError, render_batch


def render_print_batch(batch_id: int) -> str:
    rt = runtime.current()
    with rt.session() as session:
        try:
            batch = render_batch(session, rt, batch_id)
        except PrintError as exc:
            return f"skipped: {exc}"
        return f"rendered {batch.page_count or 0} pages"
