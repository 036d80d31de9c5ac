"""The arrears lists' part of the OpenAPI document (``openapi.py`` builds the rest).

Apart so ``openapi.py`` stays one idea of a readable size; it passes in its
helpers (``_op``, ``_json``, ``_list_of``) rather than being imported from here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from outreach.web.api import examples as ex

Op = Callable[..., dict[str, Any]]
Json = Callable[[str, Any, Any], dict[str, Any]]


def paths(op: Op, json_: Json, list_of: Callable[[str], Any], landlord: Any) -> dict[str, Any]:
    return {
        "/api/v1/landlord/lists": {
            "post": _upload(op, json_, landlord),
            "get": op(
                "Your arrears lists, newest first, with their progress",
                landlord,
                {"200": json_("Your lists", list_of("LandlordList"), [ex.LIST_STATUS])},
            ),
        },
        "/api/v1/landlord/lists/{list_id}": {
            "get": op(
                "An arrears list's progress: rows done of the total, rows per outcome",
                landlord,
                {"200": json_("The list", "LandlordList", ex.LIST_STATUS)},
            )
        },
        "/api/v1/landlord/lists/{list_id}/report": {
            "get": op(
                "The rows refused and why, naming the field (CSV, semicolons, UTF-8 with BOM); "
                "a reserved tenant's row says only its number, your reference and 'reserved'",
                landlord,
                {
                    "200": {
                        "description": "The report",
                        "content": {
                            "text/csv": {"schema": {"type": "string"}, "example": ex.LIST_REPORT}
                        },
                    }
                },
            )
        },
    }


def _upload(op: Op, json_: Json, landlord: Any) -> dict[str, Any]:
    """A list as a file (multipart, as a spreadsheet exports it) or as JSON rows."""
    refused = json_(
        "The file cannot be read as a list: 413 too large (field file), 415 not CSV or JSON "
        "(field file); 422 names the field (file, rows, a missing column, a declaration)",
        "Error",
        {"error": "wrong_type", "message": "Not a CSV or JSON file.",
         "errors": {"file": ["Not a CSV or JSON file."]}},
    )  # fmt: skip
    operation = op(
        "Upload a monthly arrears list (husleieloven § 9-11): kept at once, processed in "
        "the background; the same list again creates nothing new, and a row with a "
        "reference you sent before updates that warning",
        landlord,
        {
            "202": json_("Kept; follow its progress at Location", "LandlordList",
                         {**ex.LIST_STATUS, "status": "queued", "duplicate": False}),
            "200": json_("The same list again: the first one", "LandlordList",
                         {**ex.LIST_STATUS, "duplicate": True}),
            "415": refused,
        },
        body=("LandlordListUpload", ex.LIST_UPLOAD),
    )  # fmt: skip
    operation["requestBody"]["content"]["multipart/form-data"] = {
        "schema": {
            "type": "object",
            "required": ["file", "tenant_not_reserved", "tenant_informed"],
            "properties": {
                "file": {"type": "string", "format": "binary",
                         "description": "CSV (semicolons or commas) or JSON, at most 5 MB"},
                "tenant_not_reserved": {"type": "string", "enum": ["true"]},
                "tenant_informed": {"type": "string", "enum": ["true"]},
            },
        }
    }  # fmt: skip
    return operation
