"""The OpenAPI 3.1 document for ``/api/v1`` (served at ``/api/v1/openapi.json``).

Built with apispec's marshmallow plugin from the schemas the handlers load with
(``schemas``, ``outreach.intake``) and the schemas of their answers
(``responses``), so it cannot drift from them; tests/test_openapi_document.py
validates it, and tests/test_api_contract.py runs schemathesis over it against
the real app. Every operation names the token kinds it takes (``staff``,
``system``, ``landlord``: ``auth.require_token``) and every status it answers.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import jsonify
from marshmallow import Schema, fields

from outreach.intake.landlord_schema import LandlordWarningSchema, ReservationSchema
from outreach.intake.schema import TriggerSchema
from outreach.web.api import bp, examples, openapi_lists, openapi_reservations, responses, schemas
from outreach.web.api.reservations import StaffReservationResultSchema, StaffReservationSchema
from outreach.web.context import MAX_ID

Security = list[dict[str, list[str]]]

# Who may call: one of the token kinds (``components.securitySchemes``).
STAFF: Security = [{"staff": []}]
INTAKE: Security = [{"staff": []}, {"system": []}]
LANDLORD: Security = [{"landlord": []}]

_SECURITY_SCHEMES = {
    "staff": "A staff user's token (`outreach create-token --user NAME`): reads and acts on "
    "the cases of the user's districts.",
    "system": "A system integration's token (`outreach create-token`, no user), e.g. the "
    "bailiff's feed: submits triggers and reads nothing back.",
    "landlord": "A landlord's API key (made in the portal, /utleier/nokler, or by "
    "`outreach create-landlord --token`): good only under /api/v1/landlord, and only while "
    "NAV has approved the landlord.",
}

# Component schemas: request bodies first, then answers.
COMPONENTS: tuple[tuple[str, type[Schema]], ...] = (
    ("Trigger", TriggerSchema),
    ("Contact", schemas.ContactSchema),
    ("Close", schemas.CloseSchema),
    ("District", schemas.DistrictSchema),
    ("Caseworker", schemas.CaseworkerSchema),
    ("FlagDecision", schemas.FlagDecisionSchema),
    ("TaskOutcome", schemas.TaskOutcomeSchema),
    ("Posted", schemas.PostedSchema),
    ("MatchDecision", schemas.MatchDecisionSchema),
    ("LandlordWarning", LandlordWarningSchema),
    ("Reservation", ReservationSchema),
    ("Error", responses.ErrorSchema),
    ("Case", responses.CaseSchema),
    ("CaseWithSteps", responses.CaseWithStepsSchema),
    ("TimelineEvent", responses.TimelineEventSchema),
    ("TriggerResult", responses.TriggerResultSchema),
    ("TriggerReceipt", responses.TriggerReceiptSchema),
    ("ContactResult", responses.ContactResultSchema),
    ("CloseResult", responses.CloseResultSchema),
    ("DistrictResult", responses.DistrictResultSchema),
    ("CaseworkerResult", responses.CaseworkerResultSchema),
    ("LandlordCopyResult", responses.LandlordCopyResultSchema),
    ("FlagResult", responses.FlagResultSchema),
    ("TaskResult", responses.TaskResultSchema),
    ("PrintBatch", responses.PrintBatchSchema),
    ("RenderResult", responses.RenderResultSchema),
    ("MatchReview", responses.MatchReviewSchema),
    ("MatchReviewResult", responses.MatchReviewResultSchema),
    ("WarningReceipt", responses.WarningReceiptSchema),
    ("ReservationResult", responses.ReservationResultSchema),
    ("StaffReservation", StaffReservationSchema),
    ("StaffReservationResult", StaffReservationResultSchema),
    ("LandlordListUpload", schemas.LandlordListUploadSchema),
    ("LandlordList", responses.LandlordListSchema),
)

# Shared answers (``components/responses``), named by status.
_ERRORS: dict[str, tuple[str, str, dict[str, Any]]] = {
    "400": (
        "BadRequest",
        "The body is not a JSON object (or is nested too deep to read); nothing is written",
        {
            "error": "bad_request",
            "message": "Send a JSON object with Content-Type: application/json.",
        },
    ),
    "401": (
        "Unauthorized",
        "No bearer token, or one that is unknown or revoked",
        {"error": "unauthorized", "message": "The token is unknown or revoked."},
    ),
    "403": (
        "Forbidden",
        "The token is of a kind this operation does not take, or its user may not do this "
        "(a landlord's key: landlord_not_approved while NAV has not approved the landlord, "
        "or has suspended it)",
        {"error": "forbidden", "message": "A staff token is required."},
    ),
    "404": (
        "NotFound",
        "No such resource, or one outside the caller's districts (its existence is not revealed)",
        {"error": "not_found", "message": "No such case."},
    ),
    "413": (
        "TooLarge",
        "The body is over the service's limit (20 MiB)",
        {"error": "too_large", "message": "The request body is too large."},
    ),
    "429": (
        "TooManyRequests",
        "Over the rate limit (per landlord, all its keys together; "
        "`OUTREACH_LANDLORD_API_RATE_LIMIT`): wait the seconds in `Retry-After`; nothing is "
        "written",
        {
            "error": "rate_limited",
            "message": "Too many requests: wait the seconds in Retry-After and try again.",
        },
    ),
    "503": (
        "Unavailable",
        "The rate-limit store cannot be reached, so the request is refused rather than let "
        "through unlimited: try again after `Retry-After`; nothing is written",
        {
            "error": "unavailable",
            "message": "The service cannot take this request now: try again later.",
        },
    ),
    "422": (
        "Invalid",
        "Not valid or refused by the service's rules: messages per field; nothing is written",
        {
            "error": "validation_failed",
            "message": "Some fields are not valid.",
            "errors": {"tenant": {"address": {"postal_code": ["Must be four digits."]}}},
        },
    ),
}

_RETRY_AFTER = {
    "description": "Seconds to wait before trying again",
    "required": True,
    "schema": {"type": "integer", "minimum": 1},
    "example": 42,
}

PDF = {"type": "string", "format": "binary"}
# An id beyond the database's is a 404 like any unknown id (``web.app.DatabaseId``).
_ID = {"type": "integer", "format": "int32", "minimum": 1, "maximum": MAX_ID}


@bp.get("/openapi.json", endpoint="openapi")
def serve() -> Any:
    return jsonify(document())


def document() -> dict[str, Any]:
    plugin = MarshmallowPlugin()
    spec = APISpec(
        title="Outreach API",
        version="1",
        openapi_version="3.1.0",
        plugins=[plugin],
        info={
            "description": "Case triggers in; cases, timelines and staff actions out; "
            "landlords' warnings under /api/v1/landlord. Every error has the shape of "
            "`Error`. Send `Authorization: Bearer <token>`."
        },
    )
    assert plugin.converter is not None  # set by APISpec's init
    plugin.converter.add_attribute_function(_decimal_as_json)
    for name, description in _SECURITY_SCHEMES.items():
        spec.components.security_scheme(
            name, {"type": "http", "scheme": "bearer", "description": description}
        )
    for name, schema in COMPONENTS:
        spec.components.schema(name, schema=schema)
    for status, (name, description, example) in _ERRORS.items():
        response = _json(description, "Error", example)
        if status == "401":
            response["headers"] = {
                "WWW-Authenticate": {
                    "description": 'The challenge: `Bearer realm="outreach"`',
                    "required": True,
                    "schema": {"type": "string"},
                }
            }
        if status in {"429", "503"}:
            response["headers"] = {"Retry-After": _RETRY_AFTER}
        spec.components.response(name, response)
    for path, operations in _paths().items():
        ids = [_path_id(name) for name in re.findall(r"{(\w+)}", path)]
        # A path with an id may answer 404 for it, whatever the operation.
        for operation in operations.values():
            if ids:
                operation["responses"].setdefault("404", _ref("NotFound", "responses"))
        spec.path(path=path, operations=operations, parameters=ids or None)
    return spec.to_dict()


def _decimal_as_json(_converter: Any, field: fields.Field, ret: dict[str, Any]) -> dict[str, Any]:
    """An amount is a JSON number or a numeric string, with its bounds as numbers.

    The plugin writes a ``Decimal`` field's ``Range`` through the field itself,
    so the bounds came out as strings (``"maximum": "10000000.00"``), which no
    validator accepts; and marshmallow takes ``"38500.00"`` as well as 38500.
    """
    if not isinstance(field, fields.Decimal):
        return {}
    declared = ret.get("type", "number")
    others = [t for t in declared if t != "number"] if isinstance(declared, list) else []
    attributes: dict[str, Any] = {
        "type": ["number", "string", *others],
        "pattern": r"^\s*-?\d+(\.\d+)?\s*$",
    }
    for key in ("minimum", "maximum"):
        if key in ret:
            attributes[key] = _number(ret[key])
    return attributes


def _number(value: Any) -> int | float:
    amount = Decimal(str(value))
    return int(amount) if amount == amount.to_integral_value() else float(amount)


def _ref(name: str, kind: str = "schemas") -> dict[str, str]:
    return {"$ref": f"#/components/{kind}/{name}"}


def _json(description: str, schema: str | dict[str, Any], example: Any) -> dict[str, Any]:
    ref = _ref(schema) if isinstance(schema, str) else schema
    return {
        "description": description,
        "content": {"application/json": {"schema": ref, "example": example}},
    }


def _list_of(schema: str) -> dict[str, Any]:
    return {"type": "array", "items": _ref(schema)}


def _op(
    summary: str,
    security: Security,
    answers: dict[str, dict[str, Any]],
    *,
    body: tuple[str, Any] | None = None,
    errors: tuple[str, ...] = (),
    parameters: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """One operation: its answers, the shared errors it can give, and its body's example.

    401 and 403 hold for every operation (``auth.require_token``); a body brings
    400 (not JSON), 413 (too large) and 422 (invalid); the landlord API's rate
    limit brings 429 and 503 (``web.limits``).
    """
    shared = ["401", "403", *errors]
    if security is LANDLORD:  # ``web.limits``: the landlord API's rate, kept in Redis
        shared += ["429", "503"]
    if body is not None:
        shared += ["400", "413", "422"]
    responses_ = dict(answers)
    for status in sorted(set(shared)):
        responses_.setdefault(status, _ref(_ERRORS[status][0], "responses"))
    operation: dict[str, Any] = {"summary": summary, "security": security, "responses": responses_}
    if body is not None:
        name, example = body
        operation["requestBody"] = {
            "required": True,
            "content": {
                "application/json": {
                    "schema": _ref(name),
                    "example": example,
                }
            },
        }
    if parameters:
        operation["parameters"] = parameters
    return operation


def _path_id(name: str) -> dict[str, Any]:
    return {"in": "path", "name": name, "required": True, "schema": dict(_ID), "example": 1}


def _idempotency_key(max_length: int) -> dict[str, Any]:
    return {
        "in": "header",
        "name": "Idempotency-Key",
        "required": False,
        "description": "Your key for this request: a retry with the same key and body "
        "gets the first answer (200); the same key with another body is a 409",
        "schema": {"type": "string", "minLength": 1, "maxLength": max_length},
        "example": "nf-2026-0117-1",
    }


def _paths() -> dict[str, dict[str, dict[str, Any]]]:
    """Every path of ``/api/v1`` with its operations (``test_openapi_paths`` checks the list)."""
    ex = examples
    received = {"oneOf": [_ref("TriggerResult"), _ref("TriggerReceipt")]}
    receipt_taken = _json("Duplicate: the first receipt", "WarningReceipt", ex.RECEIPT)
    return {
        "/api/v1/triggers": {
            "post": _op(
                "Submit a case trigger: a staff token learns the case, a system token only "
                "that the notice was received",
                INTAKE,
                {
                    "201": _json("Received", received, ex.TRIGGER_RESULT),
                    "200": _json("Duplicate: the first result", received, ex.TRIGGER_RECEIPT),
                    "409": _json(
                        "idempotency_conflict: the Idempotency-Key was used with another "
                        "request body; nothing is written",
                        "Error",
                        ex.IDEMPOTENCY_CONFLICT,
                    ),
                },
                body=("Trigger", ex.TRIGGER),
                parameters=[_idempotency_key(200)],
            )
        },
        "/api/v1/cases/{case_id}": {
            "get": _op(
                "A case with its steps (the reading is access-logged)",
                STAFF,
                {"200": _json("The case", "CaseWithSteps", {**ex.CASE, "steps": [ex.STEP]})},
            )
        },
        "/api/v1/cases/{case_id}/timeline": {
            "get": _op(
                "The case's timeline, oldest first (the reading is access-logged)",
                STAFF,
                {"200": _json("The events", _list_of("TimelineEvent"), ex.TIMELINE)},
            )
        },
        "/api/v1/cases/{case_id}/contacts": {
            "post": _op(
                "Register a contact with the tenant (stops the ladder)",
                STAFF,
                {"201": _json("Registered", "ContactResult", ex.CONTACT_RESULT)},
                body=("Contact", ex.CONTACT),
            )
        },
        "/api/v1/cases/{case_id}/close": {
            "post": _op(
                "Close the case",
                STAFF,
                {"200": _json("Closed", "CloseResult", ex.CLOSE_RESULT)},
                body=("Close", ex.CLOSE),
            )
        },
        "/api/v1/cases/{case_id}/district": {
            "post": _op(
                "Staff override of the case's district",
                STAFF,
                {"200": _json("Moved", "DistrictResult", ex.DISTRICT_RESULT)},
                body=("District", ex.DISTRICT),
            )
        },
        "/api/v1/cases/{case_id}/caseworker": {
            "post": _op(
                "Name the case's caseworker: yourself without username; a district lead "
                "may name anyone of the case's district",
                STAFF,
                {"200": _json("Named", "CaseworkerResult", ex.CASEWORKER_RESULT)},
                body=("Caseworker", ex.CASEWORKER),
            )
        },
        "/api/v1/cases/{case_id}/landlord-copy": {
            "post": _op(
                "Send a copy of the tenant letter to the landlord (the caseworker's choice): "
                "planned now, printed with the district's next batch; 422 says why not",
                STAFF,
                {"201": _json("Planned", "LandlordCopyResult", ex.LANDLORD_COPY_RESULT)},
                errors=("422",),
            )
        },
        "/api/v1/flags/{flag_id}/decision": {
            "post": _op(
                "Decide a flag with a reason",
                STAFF,
                {"200": _json("Decided", "FlagResult", ex.FLAG_RESULT)},
                body=("FlagDecision", ex.FLAG_DECISION),
            )
        },
        "/api/v1/tasks/{task_id}/outcome": {
            "post": _op(
                "Record a call's or a visit's outcome",
                STAFF,
                {"200": _json("Recorded", "TaskResult", ex.TASK_RESULT)},
                body=("TaskOutcome", ex.TASK_OUTCOME),
            )
        },
        "/api/v1/print-batches": {
            "get": _op(
                "Print batches of your districts, newest first",
                STAFF,
                {"200": _json("The batches", _list_of("PrintBatch"), [ex.BATCH])},
            )
        },
        "/api/v1/print-batches/{batch_id}/render": {
            "post": _op(
                "Render the batch (a background job); 422 unless the batch is open",
                STAFF,
                {"202": _json("Rendering", "RenderResult", ex.RENDER_RESULT)},
                errors=("422",),
            )
        },
        "/api/v1/print-batches/{batch_id}/pdf": {
            "get": _op(
                "The rendered batch as one PDF; 404 until it is rendered",
                STAFF,
                {
                    "200": {
                        "description": "The PDF",
                        "content": {"application/pdf": {"schema": PDF}},
                    }
                },
            )
        },
        "/api/v1/print-batches/{batch_id}/posted": {
            "post": _op(
                "Mark the batch posted: every letter in it is sent",
                STAFF,
                {"200": _json("Posted", "PrintBatch", {**ex.BATCH, "status": "posted"})},
                body=("Posted", ex.POSTED),
            )
        },
        "/api/v1/match-reviews": {
            "get": _op(
                "Doubtful person matches waiting for staff",
                STAFF,
                {"200": _json("The open reviews", _list_of("MatchReview"), [])},
            )
        },
        "/api/v1/match-reviews/{review_id}": {
            "post": _op(
                "Same person (the cases merge) or different",
                STAFF,
                {"200": _json("Decided", "MatchReviewResult", ex.MATCH_REVIEW_RESULT)},
                body=("MatchDecision", ex.MATCH_DECISION),
            )
        },
        **openapi_reservations.paths(_op, _json, _list_of, STAFF),
        # Landlord tokens only; answers never depend on what NAV knows of the tenant.
        "/api/v1/landlord/warnings": {
            "post": _op(
                "A landlord's warning (husleieloven § 9-11)",
                LANDLORD,
                {
                    "201": _json("Received", "WarningReceipt", ex.RECEIPT),
                    "200": receipt_taken,
                    "409": _json(
                        "Refused and not kept: tenant_reserved (the tenant reserved with you "
                        "against warnings) or idempotency_conflict (the key was used for "
                        "another warning)",
                        "Error",
                        ex.TENANT_RESERVED,
                    ),
                },
                body=("LandlordWarning", ex.LANDLORD_WARNING),
                parameters=[_idempotency_key(120)],
            ),
            "get": _op(
                "Your receipts",
                LANDLORD,
                {
                    "200": _json(
                        "Your receipts, newest first: each received, or passed on to the "
                        "district office",
                        _list_of("WarningReceipt"),
                        [ex.RECEIPT, ex.RECEIPT_PASSED_ON],
                    )
                },
            ),
        },
        **openapi_lists.paths(_op, _json, _list_of, LANDLORD),
        **openapi_reservations.landlord_paths(_op, _json, _list_of, LANDLORD),
    }
