"""The landlords' portal under ``/utleier``: send a § 9-11 warning, register reservations.

For landlords (and agents with their power of attorney, § 9-11: "Utleier kan
gi andre fullmakt til å sende slikt varsel") who opt in to warn NAV early.
Server-rendered, Norwegian first with English, no JavaScript needed, CSRF on
every POST. A landlord applies here and NAV approves it (``account_views``;
``outreach create-landlord`` for scripts); its own login and session keys: a
landlord session never opens a staff page, and the portal shows nothing but
what the landlord itself sent – never a case, a district, a caseworker or
whether the tenant is a NAV client (DESIGN.md principle 6).

May import the core (``outreach.*``), the web-wide modules (``web.context``,
``web.sessions``, ``web.i18n``, ``web.form_input``, ``web.login_limit``) and, for
now, the staff app's forms (``web.staff.forms``: login, language, choices);
never the JSON API, the booking page or another staff module.
"""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, Flask
from flask.blueprints import BlueprintSetupState

from outreach.web import i18n
from outreach.web.sessions import LoginSessions

bp = Blueprint("landlord", __name__, url_prefix="/utleier")

SESSION_MAX_AGE = timedelta(hours=8)
IDLE_TIMEOUT = timedelta(minutes=30)
LOGIN = LoginSessions(
    name="landlord",
    id_key="landlord_account",
    path_prefix="/utleier",
    home_endpoint="landlord.warnings",
    login_endpoint="landlord.login",
    max_age=SESSION_MAX_AGE,
    idle_timeout=IDLE_TIMEOUT,
)


@bp.record_once
def _setup(state: BlueprintSetupState) -> None:
    app: Flask = state.app  # type: ignore[assignment]
    i18n.init_app(app)


from outreach.web.landlord import account_views, auth, lists, views  # noqa: E402,F401
