"""``POST /api/v1/triggers``: a bailiff's, court's or landlord's notice comes in.

Any valid token may send one; only a staff token reads the case back, so a
bailiff feed or a landlord learns nothing but that the notice was received.
An ``Idempotency-Key`` makes a retry return the first result.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from flask import g, jsonify, request
from marshmallow import ValidationError

from outreach.intake.accept import IdempotencyConflict, accept_trigger
from outreach.intake.schema import load_trigger
from outreach.models import Case
from outreach.permissions import Action
from outreach.staff.tokens import Principal
from outreach.web.api import bp
from outreach.web.api.auth import require_token
from outreach.web.api.common import error, invalid, json_body, no_json
from outreach.web.context import db_session, rt


@bp.post("/triggers")
@require_token(Action.REGISTER_TRIGGER, system=True)
def post_trigger() -> Any:
    body = json_body()
    if body is None:
        return no_json()
    try:
        data = load_trigger(body, now=rt().now())
    except ValidationError as exc:
        return invalid(exc.messages)
    key = request.headers.get("Idempotency-Key")
    if key is not None and not (1 <= len(key) <= 200):
        return invalid({"Idempotency-Key": ["Must be 1 to 200 characters."]})
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
            sees=principal.can_see if principal.is_staff else None,
        )
    except IdempotencyConflict:
        return error(
            409,
            "idempotency_conflict",
            "This Idempotency-Key was already used with a different request body. "
            "Send a new key for a new trigger, or the same body to repeat the first one.",
            {"Idempotency-Key": ["Already used with a different request body."]},
        )
    payload = result.as_json()
    case = db_session().get(Case, result.case_id)
    visible = result.case_created or (case is not None and principal.can_see(case))
    if not principal.is_staff or result.held or not visible:
        # A bailiff feed learns only that the notice was received; a caseworker
        # whose notice went to a case they may not see, that it was passed on
        # (issue 13, item 2): never that case's id, reference or district.
        payload = {
            "trigger_id": result.trigger_id,
            "duplicate": result.duplicate,
            "status": "received" if not principal.is_staff else "passed_on",
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
