"""``/api/v1/print-batches``: a district's letters to print, render and mark posted.

A batch belongs to a district; only that district's staff (central intake
for the unrouted batch, an administrator for all) see it. Rendering is a
background job, so ``render`` answers 202 with the job id.
"""

from __future__ import annotations

from typing import Any

from flask import g, jsonify, send_file
from sqlalchemy import select

from outreach.models import PrintBatch, PrintItem
from outreach.permissions import Action
from outreach.reach.letter.batches import PrintError, post_batch
from outreach.staff.tokens import Principal
from outreach.web.api import bp
from outreach.web.api.auth import require_token
from outreach.web.api.common import error, invalid, iso, load
from outreach.web.api.schemas import PostedSchema
from outreach.web.context import db_session, rt


def _batch_json(batch: PrintBatch, items: list[PrintItem]) -> dict[str, Any]:
    return {
        "id": batch.id,
        "district": batch.district_code,
        "status": batch.status,
        "created_at": iso(batch.created_at),
        "rendered_at": iso(batch.rendered_at),
        "posted_at": iso(batch.posted_at),
        "pages": batch.page_count,
        "pdf_sha256": batch.pdf_sha256,
        "letters": {
            status: sum(1 for i in items if i.status == status)
            for status in sorted({i.status for i in items})
        },
    }


def _batch_for(batch_id: int) -> PrintBatch | None:
    batch = db_session().get(PrintBatch, batch_id)
    principal: Principal = g.principal
    if batch is None or principal.user is None:
        return None
    roles = principal.user.role_set
    if "admin" in roles or batch.district_code in principal.user.district_set:
        return batch
    if batch.district_code is None and "central_intake" in roles:
        return batch
    return None


@bp.get("/print-batches")
@require_token(Action.PRINT_LETTERS)
def list_print_batches() -> Any:
    session = db_session()
    result = []
    for batch in session.scalars(select(PrintBatch).order_by(PrintBatch.id.desc()).limit(200)):
        if _batch_for(batch.id) is None:
            continue
        items = list(session.scalars(select(PrintItem).where(PrintItem.batch_id == batch.id)))
        result.append(_batch_json(batch, items))
    return jsonify(result)


@bp.post("/print-batches/<int:batch_id>/render")
@require_token(Action.PRINT_LETTERS)
def render_print_batch(batch_id: int) -> Any:
    batch = _batch_for(batch_id)
    if batch is None:
        return error(404, "not_found", "No such print batch.")
    if batch.status != "open":
        return invalid({"status": ["Only an open batch can be rendered."]})
    from outreach.jobs.queue import enqueue_render

    job_id = enqueue_render(rt(), batch.id)
    response = jsonify({"batch_id": batch.id, "job_id": job_id, "status": "rendering"})
    response.status_code = 202
    return response


@bp.get("/print-batches/<int:batch_id>/pdf")
@require_token(Action.PRINT_LETTERS)
def print_batch_pdf(batch_id: int) -> Any:
    batch = _batch_for(batch_id)
    if batch is None or not batch.pdf_path:
        return error(404, "not_found", "No rendered PDF for this batch.")
    return send_file(
        batch.pdf_path, mimetype="application/pdf", download_name=f"batch-{batch.id}.pdf"
    )


@bp.post("/print-batches/<int:batch_id>/posted")
@require_token(Action.PRINT_LETTERS)
def post_print_batch(batch_id: int) -> Any:
    batch = _batch_for(batch_id)
    if batch is None:
        return error(404, "not_found", "No such print batch.")
    data, failure = load(PostedSchema())
    if failure is not None:
        return failure
    assert data is not None
    if data["posted_at"] is not None and data["posted_at"] > rt().now():
        return invalid({"posted_at": ["Lies in the future."]})
    session = db_session()
    try:
        post_batch(session, rt(), batch.id, posted_at=data["posted_at"], actor=g.principal.label)
    except PrintError as exc:
        session.rollback()
        return invalid({"status": [str(exc)]})
    session.commit()
    items = list(session.scalars(select(PrintItem).where(PrintItem.batch_id == batch.id)))
    return jsonify(_batch_json(batch, items))
