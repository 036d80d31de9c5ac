"""Build the Flask app from the settings; register the surfaces."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from flask import Flask, Response, g, request
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter, Map

from outreach import runtime as runtime_module
from outreach.config import REPO_ROOT, load_settings
from outreach.db import session_factory
from outreach.logs import configure_logging
from outreach.permissions import rule_of
from outreach.web.context import MAX_ID
from outreach.wiring import build_runtime

# The intake form uploads the bailiff's PDF; a scanned petition stays well
# under this. Larger bodies get a 413 before any view reads them.
MAX_CONTENT_LENGTH = 20 * 1024 * 1024

# Pages for people (staff, landlords): they show personal data, so nothing is
# cached, framed, sniffed or leaked through the Referer. The booking page
# (``outreach.web.booking``) sets its own, stricter policy.
_PAGE_PREFIXES = ("/staff", "/utleier")
_PAGE_CSP = "default-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
PAGE_HEADERS = {
    "Cache-Control": "no-store",
    "Content-Security-Policy": _PAGE_CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


class DatabaseId(IntegerConverter):
    """An id in a URL is a database id: a larger number than the column holds is a 404.

    Werkzeug's ``int`` takes any length, and the database then fails on the
    query: a 500 for a URL anyone can type (issue 13, item 14). The bound is the
    column's, 32 bits in PostgreSQL (``web.context.MAX_ID``), not SQLite's 63.
    """

    def __init__(self, url_map: Map, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", MAX_ID)
        super().__init__(url_map, *args, **kwargs)


# The longest any login lasts (staff: 10 hours, idle 30 minutes; ``web.sessions``).
SESSION_LIFETIME = timedelta(hours=10)
HSTS = "max-age=31536000; includeSubDomains"


def _session_cookie(app: Flask, production: bool) -> None:
    """Set, not ``setdefault``: Flask defines these keys already, so a default never lands.

    Issue 13, item 5: production had no ``Secure``, no ``SameSite`` and a
    31-day lifetime. The embedded default is plain http on 127.0.0.1, so
    ``Secure`` only in production, where HSTS is sent too.
    """
    app.config["SESSION_COOKIE_HTTPONLY"] = True
    app.config["SESSION_COOKIE_SAMESITE"] = "Lax"
    app.config["SESSION_COOKIE_SECURE"] = production
    app.config["PERMANENT_SESSION_LIFETIME"] = SESSION_LIFETIME
    if production:

        @app.after_request
        def _hsts(response: Response) -> Response:
            response.headers.setdefault("Strict-Transport-Security", HSTS)
            return response


# Files and data about people, wherever they are served: a letter or petition
# PDF, the API's JSON, a visit's calendar invitation. ``send_file`` sets
# ``no-cache`` (store, but revalidate), which the pages' ``setdefault`` kept;
# ``no-store`` keeps them out of browser, proxy and disk caches (issue 13, item 10).
NO_STORE_TYPES = frozenset({"application/pdf", "application/json", "text/calendar"})


def _page_headers(response: Response) -> Response:
    """Set ``PAGE_HEADERS`` on staff and landlord pages (errors included), and
    ``no-store`` on every PDF, JSON and calendar answer – the one place for both."""
    path = request.path
    if response.mimetype in NO_STORE_TYPES or path.startswith("/api/"):
        response.headers["Cache-Control"] = "no-store"
    if any(path == p or path.startswith(p + "/") for p in _PAGE_PREFIXES):
        for name, value in PAGE_HEADERS.items():
            if name == "Cache-Control" and request.endpoint == "staff.static":
                continue  # the stylesheet holds no personal data; let it be cached
            response.headers.setdefault(name, value)
    return response


# Flask's own file routes: stylesheets and images, nothing about a person.
FILE_ENDPOINTS = frozenset({"static", "staff.static"})


def _every_route_has_a_rule(app: Flask) -> None:
    """Refuse to start with a route that names no rule (issue 13, item 7): fail closed.

    A staff route names its action in ``outreach.permissions``' table; any
    other route names its audience (login, booking, webhooks, landlords). The
    OpenAPI document describes the API and holds no data.
    """
    missing = sorted(
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if rule.endpoint not in FILE_ENDPOINTS
        and rule_of(app.view_functions[rule.endpoint]) is None
        and rule.endpoint not in UNMARKED_DOCUMENTS
    )
    if missing:
        raise RuntimeError(
            "routes without an access rule (outreach.permissions): " + ", ".join(missing)
        )


# The API's description: public, and its module belongs to the API contract's owner.
UNMARKED_DOCUMENTS = frozenset({"api.openapi"})


def build_app(config: dict[str, Any] | None = None) -> Flask:
    # Checked after the overrides: a test's explicit ``env`` decides, not the shell's.
    settings = load_settings(check=not config)
    if config:
        settings = settings.with_overrides(config)
        settings.check()
    configure_logging(settings.log_level)
    rt = build_runtime(settings)
    runtime_module.install(rt)

    app = Flask(__name__, template_folder=str(REPO_ROOT / "templates"))
    # Before any route is added: every ``<int:...>`` in a URL is a database id.
    app.url_map.converters["int"] = DatabaseId
    app.config["SECRET_KEY"] = settings.secret_key
    app.config["TESTING"] = settings.testing
    app.config["JSON_SORT_KEYS"] = False
    app.config["MAX_CONTENT_LENGTH"] = MAX_CONTENT_LENGTH
    _session_cookie(app, settings.env == "production")
    app.extensions["outreach_runtime"] = rt
    # Behind a proxy the public URL is what Twilio signs (TECH-NOTES); only the
    # configured number of proxies is believed about the client (default none).
    hops = settings.trusted_proxies
    if hops:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]

    @app.teardown_appcontext
    def _close_session(_exc: BaseException | None) -> None:
        session = g.pop("db_session", None)
        if session is not None:
            session.close()

    app.after_request(_page_headers)

    from outreach.web import api, booking, health, landlord, limits, staff, webhooks
    from outreach.web.staff import errors, oidc

    oidc.init_app(app, settings)
    limits.init_app(app, settings)

    app.register_blueprint(api.bp)
    app.register_blueprint(api.landlord.bp)
    app.register_blueprint(landlord.bp)
    app.register_blueprint(health.bp)
    app.register_blueprint(staff.bp)
    app.register_blueprint(webhooks.bp)
    app.register_blueprint(booking.bp)
    errors.init_app(app)
    _every_route_has_a_rule(app)
    logging.getLogger(__name__).debug("app built for %s", settings.env)
    session_factory(settings.database)  # fail early on a bad DATABASE_URL
    return app
