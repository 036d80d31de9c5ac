"""The JSON API under ``/api/v1`` (contract in DESIGN.md).

Handlers validate with marshmallow and call actions; they change no rows
themselves. Bad input gets 422 with messages per field and nothing written.
A case outside the caller's districts is a 404, not a 403, so its existence
is not revealed.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any

from flask import Blueprint, g, jsonify, request, send_file
from marshmallow import Schema, ValidationError, fields, validate
from sqlalchemy import select
from sqlalchemy.orm import Session

from outreach import cases as case_actions
from outreach import timeline
from outreach.flags import FlagDecisionError, decide_flag
from outreach.intake.accept import IdempotencyConflict, accept_trigger
from outreach.intake.schema import load_trigger
from outreach.models import Case, Event, Flag, MatchReview, PrintBatch, PrintItem, Step, Task
from outreach.printing import PrintError, post_batch
from outreach.tasks import record_outcome
from outreach.tokens import Principal
from outreach.web.auth import require_token
from outreach.web.context import db_session, rt

bp = Blueprint("api", __name__, url_prefix="/api/v1")


def _error(status: int, error: str, message: str, errors: Any = None) -> Any:
    body: dict[str, Any] = {"error": error, "message": message}
    if errors is not None:
        body["errors"] = errors
    response = jsonify(body)
    response.status_code = status
    return response


def _json_body() -> Any:
    if not request.is_json:
        return None
    return request.get_json(silent=True)


def _invalid(errors: Any) -> Any:
    return _error(422, "validation_failed", "Some fields are not valid.", errors)


@bp.errorhandler(404)
def _not_found(_exc: Exception) -> Any:
    return _error(404, "not_found", "No such resource.")


@bp.errorhandler(405)
def _method(_exc: Exception) -> Any:
    return _error(405, "method_not_allowed", "Method not allowed.")


@bp.post("/triggers")
@require_token()
def post_trigger() -> Any:
    body = _json_body()
    if body is None:
        return _error(400, "bad_request", "Send a JSON object with Content-Type: application/json.")
    try:
        data = load_trigger(body, now=rt().now())
    except ValidationError as exc:
        return _invalid(exc.messages)
    key = request.headers.get("Idempotency-Key")
    if key is not None and not (1 <= len(key) <= 200):
        return _invalid({"Idempotency-Key": ["Must be 1 to 200 characters."]})
    principal: Principal = g.principal
    try:
        result = accept_trigger(
            db_session(),
            rt(),
            data,
            # Keys are the caller's own: another token's "abc-1" is another request.
            idempotency_key=_caller_key(principal, key) if key is not None else None,
            received_by=principal.home_district,
            actor=principal.label,
            request_hash=_body_hash(body),
        )
    except IdempotencyConflict:
        return _error(
            409,
            "idempotency_conflict",
            "This Idempotency-Key was already used with a different request body. "
            "Send a new key for a new trigger, or the same body to repeat the first one.",
            {"Idempotency-Key": ["Already used with a different request body."]},
        )
    payload = result.as_json()
    if not principal.is_staff:
        # A landlord or bailiff feed learns only that the notice was received.
        payload = {
            "trigger_id": result.trigger_id,
            "duplicate": result.duplicate,
            "status": "received",
        }
    response = jsonify(payload)
    response.status_code = 200 if result.duplicate else 201
    return response


def _caller_key(principal: Principal, key: str) -> str:
    """Scope an Idempotency-Key to who sent it: the staff user, else the token."""
    if principal.user is not None:
        return f"user:{principal.user.id}:{key}"
    return f"token:{principal.token_id}:{key}"


def _body_hash(body: Any) -> str:
    """The request as sent (key order and spacing ignored), to tell a retry from a new request."""
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _case_for(case_id: int) -> Case | None:
    case = db_session().get(Case, case_id)
    principal: Principal = g.principal
    if case is None or not principal.can_see(case):
        return None
    return case


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def case_json(case: Case) -> dict[str, Any]:
    person = case.person
    return {
        "id": case.id,
        "reference": case.reference,
        "status": case.status,
        "district": case.district_code,
        "opened_at": _iso(case.opened_at),
        "closed_at": _iso(case.closed_at),
        "outcome": case.outcome,
        "repeat_case": case.is_repeat,
        "crisis": case.crisis,
        "eviction_date": case.eviction_date.isoformat() if case.eviction_date else None,
        "ladder": {
            "round": case.ladder_round,
            "state": case.ladder_state,
            "letter_sent_at": _iso(case.letter_sent_at),
            "contact_started_at": _iso(case.contact_started_at),
        },
        "household": {"children": case.children_ages, "adults": case.adults},
        "client": {"status": case.client_status, "district": case.client_district},
        "tenant": {
            "name": person.name,
            "birth_date": person.birth_date.isoformat() if person.birth_date else None,
            "language": person.language,
            "has_phone": bool(person.phone),
            "sms_opted_out": person.sms_opted_out_at is not None,
        },
        "needs_match_review": case.needs_match_review,
    }


@bp.get("/cases/<int:case_id>")
@require_token(staff=True)
def get_case(case_id: int) -> Any:
    case = _case_for(case_id)
    if case is None:
        return _error(404, "not_found", "No such case.")
    steps = db_session().scalars(select(Step).where(Step.case_id == case.id).order_by(Step.due_at))
    body = case_json(case)
    body["steps"] = [
        {
            "id": s.id,
            "rule": s.rule,
            "channel": s.channel,
            "status": s.status,
            "due_at": _iso(s.due_at),
            "deadline_at": _iso(s.deadline_at),
            "detail": s.detail,
        }
        for s in steps
    ]
    return jsonify(body)


@bp.get("/cases/<int:case_id>/timeline")
@require_token(staff=True)
def get_timeline(case_id: int) -> Any:
    case = _case_for(case_id)
    if case is None:
        return _error(404, "not_found", "No such case.")
    events = db_session().scalars(
        select(Event).where(Event.case_id == case.id).order_by(Event.at, Event.id)
    )
    return jsonify([timeline.as_json(e) for e in events])


class ContactSchema(Schema):
    channel = fields.String(required=True, validate=validate.OneOf(case_actions.CONTACT_CHANNELS))
    at = fields.AwareDateTime(load_default=None, allow_none=True)
    note = fields.String(load_default="", validate=validate.Length(max=4000))


class CloseSchema(Schema):
    outcome = fields.String(required=True, validate=validate.OneOf(case_actions.CLOSE_OUTCOMES))
    note = fields.String(load_default="", validate=validate.Length(max=4000))


class DistrictSchema(Schema):
    district = fields.String(required=True)
    reason = fields.String(required=True, validate=validate.Length(min=3, max=1000))


class FlagDecisionSchema(Schema):
    decision = fields.String(required=True)
    reason = fields.String(required=True, validate=validate.Length(max=4000))


class TaskOutcomeSchema(Schema):
    outcome = fields.String(required=True)
    note = fields.String(load_default="", validate=validate.Length(max=4000))
    at = fields.AwareDateTime(load_default=None, allow_none=True)


def _load(schema: Schema) -> tuple[dict[str, Any] | None, Any]:
    body = _json_body()
    if body is None:
        return None, _error(
            400, "bad_request", "Send a JSON object with Content-Type: application/json."
        )
    try:
        return schema.load(body), None
    except ValidationError as exc:
        return None, _invalid(exc.messages)


def _act(action: Any) -> Any:
    session = db_session()
    try:
        result = action(session)
    except (case_actions.CaseActionError, FlagDecisionError) as exc:
        session.rollback()
        return _invalid({exc.field: [str(exc)]})
    session.commit()
    return result


@bp.post("/cases/<int:case_id>/contacts")
@require_token(staff=True)
def post_contact(case_id: int) -> Any:
    case = _case_for(case_id)
    if case is None:
        return _error(404, "not_found", "No such case.")
    data, error = _load(ContactSchema())
    if error is not None:
        return error
    assert data is not None

    def action(session: Session) -> Any:
        cancelled = case_actions.register_response(
            session,
            rt(),
            case,
            channel=data["channel"],
            at=data["at"],
            note=data["note"],
            actor=g.principal.label,
        )
        return jsonify(
            {"case_id": case.id, "ladder": case.ladder_state, "cancelled_steps": cancelled}
        ), 201

    return _act(action)


@bp.post("/cases/<int:case_id>/close")
@require_token(staff=True)
def post_close(case_id: int) -> Any:
    case = _case_for(case_id)
    if case is None:
        return _error(404, "not_found", "No such case.")
    data, error = _load(CloseSchema())
    if error is not None:
        return error
    assert data is not None

    def action(session: Session) -> Any:
        cancelled = case_actions.close_case(
            session, rt(), case, outcome=data["outcome"], note=data["note"], actor=g.principal.label
        )
        return jsonify({"case_id": case.id, "status": case.status, "cancelled_steps": cancelled})

    return _act(action)


@bp.post("/cases/<int:case_id>/district")
@require_token(staff=True)
def post_district(case_id: int) -> Any:
    case = _case_for(case_id)
    if case is None:
        return _error(404, "not_found", "No such case.")
    data, error = _load(DistrictSchema())
    if error is not None:
        return error
    assert data is not None

    def action(session: Session) -> Any:
        case_actions.assign_district(
            session,
            rt(),
            case,
            district=data["district"],
            reason=data["reason"],
            actor=g.principal.label,
        )
        return jsonify({"case_id": case.id, "district": case.district_code})

    return _act(action)


@bp.post("/flags/<int:flag_id>/decision")
@require_token(staff=True)
def post_flag_decision(flag_id: int) -> Any:
    flag = db_session().get(Flag, flag_id)
    if flag is None or _case_for(flag.case_id) is None:
        return _error(404, "not_found", "No such flag.")
    data, error = _load(FlagDecisionSchema())
    if error is not None:
        return error
    assert data is not None

    def action(session: Session) -> Any:
        decide_flag(
            session,
            rt(),
            flag,
            decision=data["decision"],
            reason=data["reason"],
            user=g.principal.user,
        )
        return jsonify({"flag_id": flag.id, "status": flag.status, "decision": flag.decision})

    return _act(action)


@bp.post("/tasks/<int:task_id>/outcome")
@require_token(staff=True)
def post_task_outcome(task_id: int) -> Any:
    task = db_session().get(Task, task_id)
    if task is None or _case_for(task.case_id) is None:
        return _error(404, "not_found", "No such task.")
    data, error = _load(TaskOutcomeSchema())
    if error is not None:
        return error
    assert data is not None

    def action(session: Session) -> Any:
        record_outcome(
            session,
            rt(),
            task,
            outcome=data["outcome"],
            note=data["note"],
            at=data["at"],
            actor=g.principal.label,
        )
        return jsonify({"task_id": task.id, "status": task.status, "outcome": task.outcome})

    return _act(action)


def _batch_json(batch: PrintBatch, items: list[PrintItem]) -> dict[str, Any]:
    return {
        "id": batch.id,
        "district": batch.district_code,
        "status": batch.status,
        "created_at": _iso(batch.created_at),
        "rendered_at": _iso(batch.rendered_at),
        "posted_at": _iso(batch.posted_at),
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
@require_token(staff=True)
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
@require_token(staff=True)
def render_print_batch(batch_id: int) -> Any:
    batch = _batch_for(batch_id)
    if batch is None:
        return _error(404, "not_found", "No such print batch.")
    if batch.status != "open":
        return _invalid({"status": ["Only an open batch can be rendered."]})
    from outreach.jobs.queue import enqueue_render

    job_id = enqueue_render(rt(), batch.id)
    response = jsonify({"batch_id": batch.id, "job_id": job_id, "status": "rendering"})
    response.status_code = 202
    return response


@bp.get("/print-batches/<int:batch_id>/pdf")
@require_token(staff=True)
def print_batch_pdf(batch_id: int) -> Any:
    batch = _batch_for(batch_id)
    if batch is None or not batch.pdf_path:
        return _error(404, "not_found", "No rendered PDF for this batch.")
    return send_file(
        batch.pdf_path, mimetype="application/pdf", download_name=f"batch-{batch.id}.pdf"
    )


class PostedSchema(Schema):
    posted_at = fields.AwareDateTime(load_default=None, allow_none=True)


@bp.post("/print-batches/<int:batch_id>/posted")
@require_token(staff=True)
def post_print_batch(batch_id: int) -> Any:
    batch = _batch_for(batch_id)
    if batch is None:
        return _error(404, "not_found", "No such print batch.")
    data, error = _load(PostedSchema())
    if error is not None:
        return error
    assert data is not None
    if data["posted_at"] is not None and data["posted_at"] > rt().now():
        return _invalid({"posted_at": ["Lies in the future."]})
    session = db_session()
    try:
        post_batch(session, rt(), batch.id, posted_at=data["posted_at"], actor=g.principal.label)
    except PrintError as exc:
        session.rollback()
        return _invalid({"status": [str(exc)]})
    session.commit()
    items = list(session.scalars(select(PrintItem).where(PrintItem.batch_id == batch.id)))
    return jsonify(_batch_json(batch, items))


class MatchDecisionSchema(Schema):
    decision = fields.String(required=True, validate=validate.OneOf(case_actions.MATCH_DECISIONS))


@bp.get("/match-reviews")
@require_token(staff=True)
def list_match_reviews() -> Any:
    session = db_session()
    reviews = session.scalars(
        select(MatchReview).where(MatchReview.status == "open").order_by(MatchReview.id)
    )
    user = g.principal.user
    result = []
    for review in reviews:
        # Central intake sees every review: a cross-district pair is nobody else's.
        case, candidate = (
            session.get(Case, review.case_id),
            session.get(Case, review.candidate_case_id),
        )
        if case is None or candidate is None:
            continue
        if not case_actions.may_review_match(user, case, candidate):
            continue
        result.append(
            {
                "id": review.id,
                "case": case_json(case),
                "candidate": case_json(candidate),
                "confidence": review.confidence,
                "reasons": review.reasons,
            }
        )
    return jsonify(result)


@bp.post("/match-reviews/<int:review_id>")
@require_token(staff=True)
def decide_match_review(review_id: int) -> Any:
    session = db_session()
    review = session.get(MatchReview, review_id)
    case = session.get(Case, review.case_id) if review is not None else None
    candidate = session.get(Case, review.candidate_case_id) if review is not None else None
    # The same rule as the list: central intake settles cross-district pairs.
    if (
        review is None
        or case is None
        or candidate is None
        or not case_actions.may_review_match(g.principal.user, case, candidate)
    ):
        return _error(404, "not_found", "No such review.")
    data, error = _load(MatchDecisionSchema())
    if error is not None:
        return error
    assert data is not None

    def action(session: Session) -> Any:
        case = case_actions.resolve_match_review(
            session, rt(), review, decision=data["decision"], actor=g.principal.label
        )
        return jsonify({"review_id": review.id, "status": review.status, "case_id": case.id})

    return _act(action)


@bp.get("/openapi.json")
def openapi() -> Any:
    from outreach.web.openapi import document

    return jsonify(document())
