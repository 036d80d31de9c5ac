"""Monthly arrears lists in the landlords' API: ``/api/v1/landlord/lists``.

A list comes as ``multipart/form-data`` (a ``file``: CSV or JSON, as a
spreadsheet exports it, with the two § 9-11 declarations as form fields) or
as ``application/json`` (``rows`` and ``declarations``). It is kept before the
answer (202, or 200 for the same list again) and processed in the background;
``GET .../lists/{id}`` shows the progress, ``.../report`` the rows refused.
Every refusal of the upload itself names the field (``file``, ``rows``,
``declarations``), never a 500.
"""

from __future__ import annotations

import json
from typing import Any

from flask import Response, g, jsonify, request, url_for
from marshmallow import ValidationError

from outreach.jobs.landlord_lists import submit_list
from outreach.landlords import lists
from outreach.landlords.lists_parse import (
    MAX_BYTES,
    ListFileError,
    ParsedList,
    parse_list,
    parse_records,
)
from outreach.landlords.warnings import LandlordError
from outreach.models.landlord import Landlord
from outreach.staff.tokens import Principal
from outreach.web.api.common import error, invalid, json_body, no_json
from outreach.web.api.landlord import NOT_APPROVED, _as_landlord, bp
from outreach.web.api.schemas import LandlordListUploadSchema
from outreach.web.context import db_session, rt

DECLARATIONS = ("tenant_not_reserved", "tenant_informed")
MUST_CONFIRM = "Must be confirmed (true): every tenant on the list is told, and none reserved."


def _declared(values: dict[str, Any]) -> dict[str, list[str]]:
    def true(value: Any) -> bool:
        return value is True or (isinstance(value, str) and value.strip().lower() == "true")

    return {key: [MUST_CONFIRM] for key in DECLARATIONS if not true(values.get(key))}


def _from_json() -> tuple[ParsedList, bytes, str] | Any:
    body = json_body()
    if body is None:
        return no_json()
    try:
        loaded = LandlordListUploadSchema().load(body if isinstance(body, dict) else {"": body})
    except ValidationError as exc:
        return invalid(exc.messages)
    faults = _declared(loaded["declarations"])
    if faults:
        return invalid({"declarations": faults})
    parsed = parse_records(loaded["rows"])
    content = json.dumps(loaded["rows"], sort_keys=True, ensure_ascii=False).encode()
    return parsed, content, loaded.get("filename") or ""


def _from_form() -> tuple[ParsedList, bytes, str] | Any:
    upload = request.files.get("file")
    if upload is None:
        return invalid({"file": ["Attach the list as the form field 'file' (CSV or JSON)."]})
    faults = _declared(dict(request.form))
    if faults:
        return invalid(faults)
    content = upload.read(MAX_BYTES + 1)
    parsed = parse_list(content, content_type=upload.mimetype)
    return parsed, content, upload.filename or ""


@bp.post("/lists")
@_as_landlord
def post_list(landlord: Landlord) -> Any:
    try:
        if request.mimetype == "multipart/form-data":
            got = _from_form()
        elif request.is_json:
            got = _from_json()
        else:
            return error(
                415, "unsupported_media_type",
                "Send multipart/form-data with a 'file', or application/json with 'rows'.",
                {"file": ["Send CSV or JSON."]},
            )  # fmt: skip
        if not isinstance(got, tuple):
            return got
        parsed, content, filename = got
    except ListFileError as exc:
        status = 413 if exc.code == "too_large" else 415 if exc.code == "wrong_type" else 422
        return error(status, exc.code, str(exc), {exc.field: [str(exc)]})
    principal: Principal = g.principal
    try:
        received = submit_list(
            db_session(), rt(), landlord, parsed, content,
            filename=filename, via="api", token_id=principal.token_id,
        )  # fmt: skip
    except LandlordError:  # suspended between the key check and the upload
        return error(403, "landlord_not_approved", NOT_APPROVED["suspended"])
    body = {**lists.status_json(db_session(), received.list), "duplicate": received.duplicate}
    response = jsonify(body)
    response.status_code = 200 if received.duplicate else 202
    response.headers["Location"] = url_for("landlord_api.get_list", list_id=received.list.id)
    return response


@bp.get("/lists")
@_as_landlord
def get_lists(landlord: Landlord) -> Any:
    session = db_session()
    return jsonify([lists.status_json(session, x) for x in lists.recent_lists(session, landlord)])


@bp.get("/lists/<int:list_id>")
@_as_landlord
def get_list(landlord: Landlord, list_id: int) -> Any:
    found = lists.find_list(db_session(), landlord, list_id)
    if found is None:
        return error(404, "not_found", "No such list.")
    return jsonify(lists.status_json(db_session(), found))


@bp.get("/lists/<int:list_id>/report")
@_as_landlord
def get_list_report(landlord: Landlord, list_id: int) -> Any:
    found = lists.find_list(db_session(), landlord, list_id)
    if found is None:
        return error(404, "not_found", "No such list.")
    return Response(
        lists.refused_report(db_session(), found),
        mimetype="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="restanseliste-{found.id}-avvist.csv"'
        },
    )
