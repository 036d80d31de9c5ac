"""The OpenAPI document for ``/api/v1`` (served at ``/api/v1/openapi.json``).

Built from the marshmallow schemas the handlers load with, so it cannot drift from them.
"""

from __future__ import annotations

from typing import Any

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import jsonify

from outreach.intake.landlord_schema import LandlordWarningSchema, ReservationSchema
from outreach.intake.schema import TriggerSchema
from outreach.web.api import bp, schemas

_ERROR = {"description": "Error with a message; 422 lists messages per field"}


def _op(summary: str, body: str | None, ok: str, *, staff: bool = True) -> dict[str, Any]:
    operation: dict[str, Any] = {
        "summary": summary,
        "security": [{"bearer": []}],
        "responses": {
            ok: {"description": "OK"},
            "401": _ERROR,
            "404": _ERROR,
            "422": _ERROR,
        },
    }
    if not staff:
        operation["responses"].pop("404")
    if body:
        operation["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": body}},
        }
    return operation


@bp.get("/openapi.json", endpoint="openapi")
def serve() -> Any:
    return jsonify(document())


def document() -> dict[str, Any]:
    spec = APISpec(
        title="Outreach API",
        version="1",
        openapi_version="3.0.3",
        plugins=[MarshmallowPlugin()],
        info={"description": "Case triggers in; cases, timelines and staff actions out."},
    )
    spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
    for name, schema in (
        ("Trigger", TriggerSchema),
        ("Contact", schemas.ContactSchema),
        ("Close", schemas.CloseSchema),
        ("District", schemas.DistrictSchema),
        ("FlagDecision", schemas.FlagDecisionSchema),
        ("TaskOutcome", schemas.TaskOutcomeSchema),
    ):
        spec.components.schema(name, schema=schema)
    trigger_op = _op("Submit a case trigger", "Trigger", "201", staff=False)
    trigger_op["parameters"] = [
        {"in": "header", "name": "Idempotency-Key", "required": False, "schema": {"type": "string"}}
    ]
    trigger_op["responses"]["200"] = {"description": "Duplicate: the first result"}
    trigger_op["responses"]["409"] = {
        "description": "idempotency_conflict: the Idempotency-Key was used with another "
        "request body; nothing is written"
    }
    spec.path(path="/api/v1/triggers", operations={"post": trigger_op})
    case_id = [{"in": "path", "name": "case_id", "required": True, "schema": {"type": "integer"}}]
    spec.path(
        path="/api/v1/cases/{case_id}",
        operations={"get": _op("A case with its steps", None, "200")},
        parameters=case_id,
    )
    spec.path(
        path="/api/v1/cases/{case_id}/timeline",
        operations={"get": _op("The case timeline", None, "200")},
        parameters=case_id,
    )
    spec.path(
        path="/api/v1/cases/{case_id}/contacts",
        operations={"post": _op("Register a contact (stops the ladder)", "Contact", "201")},
        parameters=case_id,
    )
    spec.path(
        path="/api/v1/cases/{case_id}/close",
        operations={"post": _op("Close the case", "Close", "200")},
        parameters=case_id,
    )
    spec.path(
        path="/api/v1/cases/{case_id}/district",
        operations={"post": _op("Staff override of the district", "District", "200")},
        parameters=case_id,
    )
    spec.components.schema("Caseworker", schema=schemas.CaseworkerSchema)
    caseworker_op = _op(
        "Name the case's caseworker: yourself without username; a lead may name anyone "
        "of the case's district",
        "Caseworker",
        "200",
    )
    caseworker_op["responses"]["403"] = {
        "description": "Only a district lead or an administrator may assign someone else"
    }
    spec.path(
        path="/api/v1/cases/{case_id}/caseworker",
        operations={"post": caseworker_op},
        parameters=case_id,
    )
    spec.path(
        path="/api/v1/cases/{case_id}/landlord-copy",
        operations={
            "post": _op(
                "Send a copy of the tenant letter to the landlord (the caseworker's choice): "
                "planned now, printed with the district's next batch; 422 says why not",
                None,
                "201",
            )
        },
        parameters=case_id,
    )
    flag_id = [{"in": "path", "name": "flag_id", "required": True, "schema": {"type": "integer"}}]
    spec.path(
        path="/api/v1/flags/{flag_id}/decision",
        operations={"post": _op("Decide a flag with a reason", "FlagDecision", "200")},
        parameters=flag_id,
    )
    task_id = [{"in": "path", "name": "task_id", "required": True, "schema": {"type": "integer"}}]
    spec.path(
        path="/api/v1/tasks/{task_id}/outcome",
        operations={"post": _op("Record a call or visit outcome", "TaskOutcome", "200")},
        parameters=task_id,
    )
    batch_id = [{"in": "path", "name": "batch_id", "required": True, "schema": {"type": "integer"}}]
    spec.components.schema("Posted", schema=schemas.PostedSchema)
    spec.path(
        path="/api/v1/print-batches",
        operations={"get": _op("Print batches of your districts", None, "200")},
    )
    spec.path(
        path="/api/v1/print-batches/{batch_id}/render",
        operations={"post": _op("Render the batch (a background job)", None, "202")},
        parameters=batch_id,
    )
    spec.path(
        path="/api/v1/print-batches/{batch_id}/pdf",
        operations={"get": _op("The rendered batch PDF", None, "200")},
        parameters=batch_id,
    )
    spec.path(
        path="/api/v1/print-batches/{batch_id}/posted",
        operations={"post": _op("Mark posted: every letter in it is sent", "Posted", "200")},
        parameters=batch_id,
    )
    spec.components.schema("MatchDecision", schema=schemas.MatchDecisionSchema)
    spec.path(
        path="/api/v1/match-reviews",
        operations={"get": _op("Doubtful person matches waiting for staff", None, "200")},
    )
    review_id = [
        {"in": "path", "name": "review_id", "required": True, "schema": {"type": "integer"}}
    ]
    spec.path(
        path="/api/v1/match-reviews/{review_id}",
        operations={"post": _op("Same person (merge) or different", "MatchDecision", "200")},
        parameters=review_id,
    )
    _landlord_paths(spec)
    return spec.to_dict()


def _landlord_paths(spec: APISpec) -> None:
    """Landlord tokens only; answers never depend on what NAV knows of the tenant."""
    spec.components.schema("LandlordWarning", schema=LandlordWarningSchema)
    spec.components.schema("Reservation", schema=ReservationSchema)
    warning_op = _op("A landlord's warning (husleieloven § 9-11)", "LandlordWarning", "201")
    warning_op["parameters"] = [
        {"in": "header", "name": "Idempotency-Key", "required": False, "schema": {"type": "string"}}
    ]
    warning_op["responses"].pop("404")
    warning_op["responses"]["200"] = {"description": "Duplicate: the first receipt"}
    warning_op["responses"]["409"] = {
        "description": "Refused and not kept: the tenant reserved with you against warnings"
    }
    spec.path(
        path="/api/v1/landlord/warnings",
        operations={"post": warning_op, "get": _op("Your receipts", None, "200", staff=False)},
    )
    spec.path(
        path="/api/v1/landlord/reservations",
        operations={
            "post": _op("Register a tenant's reservation", "Reservation", "201", staff=False),
            "get": _op("Your tenants' reservations in force", None, "200", staff=False),
        },
    )
    spec.path(
        path="/api/v1/landlord/reservations/{reservation_id}",
        operations={"delete": _op("Withdraw a reservation", None, "200")},
        parameters=[
            {
                "in": "path",
                "name": "reservation_id",
                "required": True,
                "schema": {"type": "integer"},
            }
        ],
    )
