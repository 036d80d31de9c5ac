"""``/favicon.ico``: a tiny static icon, so browsers stop asking and logging 404s.

Served at the site root (where browsers look without a ``<link rel=icon>``) for
the staff app and the landlord portal alike, with a year's cache: it never
changes meaningfully, and a new one can take a new name.
"""

from __future__ import annotations

from pathlib import Path

from flask import Flask, Response
from flask.blueprints import BlueprintSetupState

from outreach.permissions import Audience, open_to
from outreach.web.staff import bp

ICON = Path(__file__).parent / "static" / "favicon.ico"
ONE_YEAR = 365 * 24 * 3600


def favicon() -> Response:
    response = Response(ICON.read_bytes(), mimetype="image/vnd.microsoft.icon")
    response.cache_control.max_age = ONE_YEAR
    response.cache_control.public = True
    response.cache_control.immutable = True
    return response


@bp.record_once
def _register(state: BlueprintSetupState) -> None:
    app: Flask = state.app  # type: ignore[assignment]
    if not any(rule.rule == "/favicon.ico" for rule in app.url_map.iter_rules()):
        app.add_url_rule("/favicon.ico", "favicon", open_to(Audience.ANYONE)(favicon))
