"""``/api/v1/cases/{id}/reservations``: a tenant's § 9-11 reservation, registered by staff.

The tenant told NAV, not (only) the landlord, that it reserves against the
landlord's warnings to the social services. Staff register it against one
landlord (``landlords.reservations``): the case's warnings from that landlord
are refused at once and any later one is refused on arrival. A case outside
the caller's districts is a 404 (``common.case_for``).
"""

from __future__ import annotations

from typing import Any

from flask import g, jsonify, request
from marshmallow import Schema, fields, validate

from outreach.landlords import reservations
from outreach.landlords.warnings import LandlordError
from outreach.permissions import Action
from outreach.web.api import bp
from outreach.web.api.auth import require_token
from outreach.web.api.common import case_for, error, invalid, load
from outreach.web.context import MAX_ID, db_session, rt


class StaffReservationSchema(Schema):
    """Which landlord the tenant reserved against (``GET /api/v1/cases/{id}`` names none:
    a landlord of one of the case's warnings, or any landlord NAV knows)."""

    landlord_id = fields.Integer(
        required=True, strict=True, validate=validate.Range(min=1, max=MAX_ID)
    )


class StaffReservationResultSchema(Schema):
    id = fields.Integer(required=True)
    landlord_id = fields.Integer(required=True)
    landlord_name = fields.String(required=True)
    registered_at = fields.DateTime(required=True)
    registered_by = fields.String(required=True, validate=validate.OneOf(["staff", "landlord"]))


# One rule for both methods: with two, an id beyond ``MAX_ID`` (the converter
# refuses it) came back from Werkzeug's matcher as a 405 instead of a 404.
@bp.route("/cases/<int:case_id>/reservations", methods=["GET", "POST"])
@require_token(Action.REGISTER_RESERVATION)
def case_reservations(case_id: int) -> Any:
    case = case_for(case_id)
    if case is None:
        return error(404, "not_found", "No such case.")
    if request.method == "GET":
        return jsonify([r.as_json() for r in reservations.for_case(db_session(), case)])
    data, failure = load(StaffReservationSchema())
    if failure is not None:
        return failure
    assert data is not None
    user = g.principal.user
    if user is None:
        return error(403, "forbidden", "A staff token is required.")
    try:
        view = reservations.register_for_case(
            db_session(), rt(), case, data["landlord_id"], user_id=user.id, actor=g.principal.label
        )
    except LandlordError:
        db_session().rollback()
        return invalid({"landlord_id": ["No such landlord."]})
    return jsonify(view.as_json()), 201


@bp.delete("/cases/<int:case_id>/reservations/<int:reservation_id>")
@require_token(Action.REGISTER_RESERVATION)
def delete_reservation(case_id: int, reservation_id: int) -> Any:
    case = case_for(case_id)
    if case is None:
        return error(404, "not_found", "No such case.")
    try:
        view = reservations.withdraw_for_case(
            db_session(), rt(), case, reservation_id, actor=g.principal.label
        )
    except LandlordError:
        db_session().rollback()
        return error(404, "not_found", "No such reservation on this case.")
    return jsonify(view.as_json())
