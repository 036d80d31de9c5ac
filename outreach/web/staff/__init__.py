"""The caseworkers' web app (issue 5): server-rendered, Norwegian first, no JavaScript needed.

One blueprint under ``/staff``. Registering it also sets up what the pages
need on the app (Flask-Babel with the ``staff`` domain, session cookie
settings); CSRF is checked for every POST of this blueprint only, so the
token-authenticated JSON API and the signed webhooks are not affected.

May import the core (``outreach.*``) and the web-wide modules (``web.context``,
``web.sessions``, ``web.i18n``, ``web.form_input``, ``web.login_limit``); never
the JSON API, the landlord portal or the booking page.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import Blueprint, Flask, redirect, url_for
from flask.blueprints import BlueprintSetupState

from outreach.permissions import Audience, open_to
from outreach.web import i18n
from outreach.web.sessions import LoginSessions

bp = Blueprint(
    "staff",
    __name__,
    url_prefix="/staff",
    static_folder="static",
    static_url_path="/static",
)

# A working day; idle sessions end sooner.
SESSION_MAX_AGE = timedelta(hours=10)
IDLE_TIMEOUT = timedelta(minutes=30)
# Here rather than in ``auth`` so ``oidc`` can start a session without importing ``auth``.
LOGIN = LoginSessions(
    name="staff",
    id_key="staff_uid",
    path_prefix="/staff",
    home_endpoint="staff.queue",
    login_endpoint="staff.login",
    max_age=SESSION_MAX_AGE,
    idle_timeout=IDLE_TIMEOUT,
)


@bp.record_once
def _setup(state: BlueprintSetupState) -> None:
    app: Flask = state.app  # type: ignore[assignment]
    i18n.init_app(app)
    app.config.setdefault("WTF_CSRF_TIME_LIMIT", int(SESSION_MAX_AGE.total_seconds()))
    if not any(rule.rule == "/" for rule in app.url_map.iter_rules()):

        def _root() -> Any:
            return redirect(url_for("staff.queue"))

        app.add_url_rule("/", "staff_root", open_to(Audience.ANYONE)(_root))


# The pages: importing them registers their routes on ``bp``.
from outreach.web.staff import (  # noqa: E402,F401
    auth,
    favicon,
    landlord_copy_views,
    landlords,
    views_inbound,
    views_intake,
    views_queue,
    views_reports,
    views_review,
    views_statistics,
    views_work,
    visits,
)
from outreach.web.staff.case import (  # noqa: E402,F401
    assign,
    contact,
    details,
    documents,
    mapping,
    reservations,
    work,
)
from outreach.web.staff.case import page as case_page  # noqa: E402,F401
from outreach.web.staff.printing import page as print_page  # noqa: E402,F401
from outreach.web.staff.printing import (  # noqa: E402,F401
    post,
    resend,
    translation_review,
)
