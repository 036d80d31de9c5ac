"""The JSON API: ``/api/v1`` for staff and systems, ``/api/v1/landlord`` for landlords.

Owns the two API blueprints, the bearer-token check in front of them
(``auth``), their request schemas and the OpenAPI document built from those
schemas. May import the core (``outreach.*``, tokens from ``outreach.staff.tokens``)
and the web-wide modules (``outreach.web.context``); never the staff pages, the
landlord portal or the booking page, so each surface changes on its own.

Handlers validate with marshmallow and call actions; they change no rows
themselves. Importing the package registers every route, so ``web.app`` only
registers ``bp`` and ``landlord.bp``.
"""

from __future__ import annotations

from flask import Blueprint

from outreach.web.api.common import json_errors

bp = Blueprint("api", __name__, url_prefix="/api/v1")
json_errors(bp)

# The routes join ``bp`` (and ``landlord.bp``) as their modules load.
from outreach.web.api import (  # noqa: E402,F401
    cases,
    caseworker,
    landlord,
    landlord_copy,
    landlord_lists,
    match_reviews,
    openapi,
    print_batches,
    reservations,
    triggers,
)
