"""What every JSON API handler shares: error replies, the JSON body, one commit per action.

Both API blueprints answer in the same ``{"error", "message", "errors"}``
shape, so a client parses one format. Bad input gets 422 with messages per
field and nothing written. A case outside the caller's districts is a 404, not
a 403, so its existence is not revealed.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from flask import Blueprint, abort, g, jsonify, request
from marshmallow import Schema, ValidationError
from sqlalchemy.orm import Session
from werkzeug.exceptions import HTTPException, default_exceptions

from outreach.cases import errors as cases_errors
from outreach.cases.flags import FlagDecisionError
from outreach.models import Case
from outreach.staff.tokens import Principal
from outreach.web.context import db_session


def error(status: int, error: str, message: str, errors: Any = None) -> Any:
    body: dict[str, Any] = {"error": error, "message": message}
    if errors is not None:
        body["errors"] = errors
    response = jsonify(body)
    response.status_code = status
    return response


def invalid(errors: Any) -> Any:
    return error(422, "validation_failed", "Some fields are not valid.", errors)


def no_json() -> Any:
    return error(400, "bad_request", "Send a JSON object with Content-Type: application/json.")


def json_body() -> Any:
    """The parsed body, or None when it is not JSON (the caller answers ``no_json``).

    Never a 500 for what a client sent (issue 13, item 14): JSON nested too deep
    for the parser is "not JSON" (400); a lone surrogate (``"\\ud800"``), which no
    database can store, is a 422 naming the field.
    """
    if not request.is_json:
        return None
    try:
        body = request.get_json(silent=True)
        path = _lone_surrogate(body)
    except RecursionError:
        return None
    if path is not None:
        abort(invalid({path or "_schema": ["Not valid text: it holds a lone surrogate."]}))
    return body


def _lone_surrogate(value: Any, path: str = "") -> str | None:
    """The dotted path of the first string (or key) with a lone surrogate, or None."""
    if isinstance(value, str):
        return path if any("\ud800" <= ch <= "\udfff" for ch in value) else None
    if isinstance(value, dict):
        for key, item in value.items():
            inner = f"{path}.{key}" if path else str(key)
            found = _lone_surrogate(key, inner) or _lone_surrogate(item, inner)
            if found is not None:
                return found
    if isinstance(value, list):
        for index, item in enumerate(value):
            found = _lone_surrogate(item, f"{path}.{index}" if path else str(index))
            if found is not None:
                return found
    return None


def json_errors(bp: Blueprint) -> None:
    """Answer every HTTP error under ``bp`` in the one JSON shape, never Flask's HTML page.

    A blueprint's error handlers only see errors raised in its views: an unknown
    path or a wrong method fails in routing, before any blueprint is chosen, and
    got Werkzeug's HTML page (the OpenAPI document promises JSON). So the routing
    failure is answered from an app-wide ``before_request`` for paths under the
    blueprint's prefix; a 405 keeps its ``Allow`` header (RFC 9110 § 15.5.6). A
    crash is a JSON 500 too (Flask logs it first).
    """
    prefix = (bp.url_prefix or "").rstrip("/") + "/"

    @bp.before_app_request
    def _routing_failed() -> Any:
        failure = request.routing_exception
        if isinstance(failure, HTTPException) and request.path.startswith(prefix):
            return http_error(failure)
        return None

    # By code, not only by class: Flask prefers an app-wide handler for the code
    # (the staff pages' 413 page) to a blueprint's handler for ``HTTPException``.
    for code in default_exceptions:
        bp.register_error_handler(code, http_error)


_HTTP_ERRORS = {
    400: ("bad_request", "Send a JSON object with Content-Type: application/json."),
    404: ("not_found", "No such resource."),
    405: ("method_not_allowed", "Method not allowed."),
    413: ("too_large", "The request body is too large."),
    429: ("rate_limited", "Too many requests: wait the seconds in Retry-After and try again."),
    503: ("unavailable", "The service cannot take this request now: try again later."),
}


def http_error(exc: HTTPException) -> Any:
    """The JSON reply for a Werkzeug HTTP error (an ``abort(response)`` keeps its response)."""
    if exc.response is not None:
        return exc.response
    code = exc.code or 500
    name, message = _HTTP_ERRORS.get(code, (exc.name.lower().replace(" ", "_"), exc.name))
    response = error(code, name, message)
    for header, value in exc.get_headers():
        if header.lower() != "content-type":
            response.headers[header] = value
    return response


def load(schema: Schema) -> tuple[dict[str, Any] | None, Any]:
    """The body loaded by ``schema``, or the error reply (400 not JSON, 422 invalid)."""
    body = json_body()
    if body is None:
        return None, no_json()
    try:
        return schema.load(body), None
    except ValidationError as exc:
        return None, invalid(exc.messages)


def act(action: Callable[[Session], Any]) -> Any:
    """Run an action and commit; a refused action rolls back and becomes a 422."""
    session = db_session()
    try:
        result = action(session)
    except (cases_errors.CaseActionError, FlagDecisionError) as exc:
        session.rollback()
        return invalid({exc.field: [str(exc)]})
    session.commit()
    return result


def case_for(case_id: int) -> Case | None:
    """The case if the caller may see it; None either way keeps its existence hidden."""
    case = db_session().get(Case, case_id)
    principal: Principal = g.principal
    reading = request.method in {"GET", "HEAD"}
    if case is None or not (principal.can_see if reading else principal.can_act)(case):
        return None
    return case


def iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None
