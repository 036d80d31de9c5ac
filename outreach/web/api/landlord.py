"""The landlords' JSON API under ``/api/v1/landlord`` (DESIGN.md contract).

Only a landlord's key (made in the portal, or ``outreach create-landlord
--token``) is good here, and it is good nowhere else; and only while NAV has
approved the landlord (``landlords.accounts.may_send``): a pending, refused or
suspended landlord's keys answer 403 ``landlord_not_approved``.
A landlord sends warnings and reads back its own receipts (received, or passed
on to the district office); it registers and withdraws its tenants' reservations. No answer
depends on whether the tenant is known to NAV (principle 6).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import Blueprint, g, jsonify, request
from marshmallow import ValidationError

from outreach.intake.landlord_schema import load_reservation, load_warning
from outreach.landlords import reservations
from outreach.landlords import warnings as landlords
from outreach.landlords.accounts import may_send
from outreach.models.landlord import Landlord, WarningReservation
from outreach.staff.tokens import Principal
from outreach.web.api.auth import require_token
from outreach.web.api.common import error, invalid, json_body, json_errors, no_json
from outreach.web.context import db_session, rt
from outreach.web.limits import landlord_api

bp = Blueprint("landlord_api", __name__, url_prefix="/api/v1/landlord")
json_errors(bp)


NOT_APPROVED = {
    "pending": "NAV has not yet approved your application; the key works once it has.",
    "refused": "NAV refused your application; the key does not work.",
    "suspended": "NAV has suspended your access; the key does not work until it is reopened.",
}


def _as_landlord(view: Callable[..., Any]) -> Callable[..., Any]:
    """A landlord's key, and a landlord NAV has approved; passes it in."""

    @wraps(view)
    @require_token(landlord=True)
    @landlord_api  # after the token: counted per landlord, whichever key it used
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        principal: Principal = g.principal
        landlord = db_session().get(Landlord, principal.landlord_id)
        if landlord is None or not may_send(landlord):
            status = landlord.status if landlord is not None else "refused"
            return error(
                403, "landlord_not_approved", NOT_APPROVED.get(status, NOT_APPROVED["refused"])
            )
        return view(landlord, *args, **kwargs)

    return wrapper


@bp.post("/warnings")
@_as_landlord
def post_warning(landlord: Landlord) -> Any:
    body = json_body()
    if body is None:
        return no_json()
    try:
        data = load_warning(body)
    except ValidationError as exc:
        return invalid(exc.messages)
    key = request.headers.get("Idempotency-Key")
    if key is not None and not (1 <= len(key) <= 120):
        return invalid({"Idempotency-Key": ["Must be 1 to 120 characters."]})
    principal: Principal = g.principal
    try:
        receipt = landlords.submit_warning(
            db_session(),
            rt(),
            landlord,
            data,
            via="api",
            token_id=principal.token_id,
            idempotency_key=key,
        )
    except landlords.LandlordError as exc:
        return error(409, exc.code, str(exc))
    response = jsonify(receipt.as_json())
    response.status_code = 200 if receipt.duplicate else 201
    return response


@bp.get("/warnings")
@_as_landlord
def get_warnings(landlord: Landlord) -> Any:
    return jsonify([r.as_json() for r in landlords.list_warnings(db_session(), landlord)])


def _reservation_json(row: WarningReservation) -> dict[str, Any]:
    return {
        "id": row.id,
        "label": row.label,
        "registered_at": row.registered_at.isoformat(),
        "withdrawn_at": row.withdrawn_at.isoformat() if row.withdrawn_at else None,
    }


@bp.post("/reservations")
@_as_landlord
def post_reservation(landlord: Landlord) -> Any:
    body = json_body()
    if body is None:
        return no_json()
    try:
        data = load_reservation(body)
    except ValidationError as exc:
        return invalid(exc.messages)
    principal: Principal = g.principal
    row = reservations.register_by_landlord(
        db_session(), rt(), landlord, data, key_id=principal.token_id
    )
    response = jsonify(_reservation_json(row))
    response.status_code = 201
    return response


@bp.get("/reservations")
@_as_landlord
def get_reservations(landlord: Landlord) -> Any:
    return jsonify(
        [_reservation_json(r) for r in landlords.list_reservations(db_session(), landlord)]
    )


@bp.delete("/reservations/<int:reservation_id>")
@_as_landlord
def delete_reservation(landlord: Landlord, reservation_id: int) -> Any:
    try:
        principal: Principal = g.principal
        row = landlords.withdraw_reservation(
            db_session(), rt(), landlord, reservation_id, key_id=principal.token_id
        )
    except landlords.LandlordError:
        return error(404, "not_found", "No such reservation.")
    return jsonify(_reservation_json(row))
