"""Build the Flask app from the settings; register the surfaces."""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, g
from werkzeug.middleware.proxy_fix import ProxyFix

from outreach import runtime as runtime_module
from outreach.config import REPO_ROOT, load_settings
from outreach.db import session_factory
from outreach.logs import configure_logging


def build_app(config: dict[str, Any] | None = None) -> Flask:
    settings = load_settings()
    if config:
        settings = settings.with_overrides(config)
        settings.check()
    configure_logging(settings.log_level)
    rt = runtime_module.build_runtime(settings)
    runtime_module.install(rt)

    app = Flask(__name__, template_folder=str(REPO_ROOT / "templates"))
    app.config["SECRET_KEY"] = settings.secret_key
    app.config["TESTING"] = settings.testing
    app.config["JSON_SORT_KEYS"] = False
    app.extensions["outreach_runtime"] = rt
    # Behind a proxy the public URL is what Twilio signs (TECH-NOTES).
    app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1)  # type: ignore[method-assign]

    @app.teardown_appcontext
    def _close_session(_exc: BaseException | None) -> None:
        session = g.pop("db_session", None)
        if session is not None:
            session.close()

    from outreach.web import api, booking, health, landlord, landlord_api, staff, webhooks

    app.register_blueprint(api.bp)
    app.register_blueprint(landlord_api.bp)
    app.register_blueprint(landlord.bp)
    app.register_blueprint(health.bp)
    app.register_blueprint(staff.bp)
    app.register_blueprint(webhooks.bp)
    app.register_blueprint(booking.bp)
    logging.getLogger(__name__).debug("app built for %s", settings.env)
    session_factory(settings.database)  # fail early on a bad DATABASE_URL
    return app
