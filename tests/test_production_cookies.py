"""Production's session cookie and transport settings take effect (issue 13, item 5).

``app.config.setdefault`` does nothing for keys Flask defines itself, so in
production the cookie had no ``Secure``, no ``SameSite`` and a 31-day lifetime,
and no response sent HSTS. A weak secret key is refused at start.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from cryptography.fernet import Fernet

from outreach.config import ConfigError, load_settings
from tests.conftest import app_for

STRONG = "k" * 48


def _production(rt: Any) -> Any:
    return app_for(rt, env="production", secret_key=STRONG, data_key=Fernet.generate_key().decode())


def test_production_cookies_are_secure_lax_and_short(rt: Any) -> None:
    app = _production(rt)
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["PERMANENT_SESSION_LIFETIME"] == timedelta(hours=10)
    page = app.test_client().get("/staff/logg-inn", base_url="https://outreach.nav.example")
    cookie = page.headers.get("Set-Cookie", "")
    assert "Secure" in cookie and "SameSite=Lax" in cookie and "HttpOnly" in cookie
    assert page.headers["Strict-Transport-Security"].startswith("max-age=31536000")


def test_development_keeps_plain_http_and_sends_no_hsts(client: Any) -> None:
    page = client.get("/staff/logg-inn")
    assert "Strict-Transport-Security" not in page.headers
    assert "Secure" not in page.headers.get("Set-Cookie", "")


def test_a_weak_secret_key_is_refused_in_production() -> None:
    env = {
        "OUTREACH_ENV": "production",
        "OUTREACH_SECRET_KEY": "short",
        "OUTREACH_DATA_KEY": Fernet.generate_key().decode(),
        "DATABASE_URL": "postgresql+psycopg://db/outreach",
        "REDIS_URL": "redis://localhost:6379/0",
    }
    with pytest.raises(ConfigError, match="at least 32 characters"):
        load_settings(env)
