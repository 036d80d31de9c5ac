"""OpenID Connect single sign-on for staff: the production option of issue 5.

Issue 5 asks for "OpenID Connect single sign-on (Authlib) as the production
option" beside the local argon2 accounts. It is on when
``OUTREACH_OIDC_ISSUER``, ``_CLIENT_ID`` and ``_CLIENT_SECRET`` are set
(``outreach.config``); the login page then offers "Logg inn med NAV-konto".

- The authorization code flow with PKCE (S256), a ``state`` and a ``nonce``:
  Authlib keeps them in the signed session cookie until the callback.
- The callback accepts an ID token only when its signature verifies against
  the provider's JWKS, its ``iss`` is the configured issuer, its ``aud`` our
  client id, its ``nonce`` the one we sent, and it has not expired.
- The provider only says *who* it is (``OUTREACH_OIDC_USERNAME_CLAIM``,
  ``preferred_username`` by default). That user must already exist and be
  active in our ``users`` table (``outreach create-user``): no account is ever
  created from a claim, and roles and districts stay ours, because they decide
  whose cases someone sees (DESIGN.md principle 6).
- After that the session starts exactly as after a password
  (``LOGIN.start``, shared with ``auth``): same expiry, same CSRF, same access log.
- Logs name the reason for a refusal and the user id of a login, never a
  user name, a claim value or an address.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from typing import Any

import requests
from authlib.integrations.base_client import OAuthError
from authlib.integrations.flask_client import OAuth
from flask import Flask, abort, current_app, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from joserfc.errors import JoseError
from sqlalchemy import select

from outreach.config import Settings
from outreach.models import User
from outreach.permissions import Action, Audience, may, open_to
from outreach.web.context import db_session
from outreach.web.staff import LOGIN, bp

log = logging.getLogger("outreach.staff.oidc")

EXTENSION = "outreach_oidc"
CLIENT_NAME = "staff_sso"
NEXT_KEY = "staff_sso_next"
# Seconds of clock difference with the provider tolerated on exp/iat.
LEEWAY_SECONDS = 30
HTTP_TIMEOUT_SECONDS = 10


@dataclass(frozen=True)
class OidcConfig:
    issuer: str
    client_id: str
    username_claim: str
    only: bool


def init_app(app: Flask, settings: Settings) -> None:
    """Register the provider on ``app`` when the settings name one."""
    if not settings.oidc_enabled:
        app.extensions[EXTENSION] = None
        return
    oauth = OAuth(app)
    oauth.register(
        CLIENT_NAME,
        client_id=settings.oidc_client_id,
        client_secret=settings.oidc_client_secret,
        server_metadata_url=settings.oidc_issuer.rstrip("/") + "/.well-known/openid-configuration",
        client_kwargs={
            "scope": "openid profile",
            "code_challenge_method": "S256",
            "default_timeout": HTTP_TIMEOUT_SECONDS,
        },
    )
    app.extensions[EXTENSION] = OidcConfig(
        issuer=settings.oidc_issuer,
        client_id=settings.oidc_client_id,
        username_claim=settings.oidc_username_claim,
        only=settings.oidc_only,
    )


def config() -> OidcConfig | None:
    cfg: OidcConfig | None = current_app.extensions.get(EXTENSION)
    return cfg


def enabled() -> bool:
    return config() is not None


def password_login_allowed() -> bool:
    """Local passwords stay available unless ``OUTREACH_OIDC_ONLY=1``."""
    cfg = config()
    return cfg is None or not cfg.only


def _client() -> Any:
    return current_app.extensions["authlib.integrations.flask_client"].create_client(CLIENT_NAME)


def _refused(title: str, message: str, status: int) -> Any:
    return render_template(
        "staff/error.html",
        title=title,
        message=message,
        back_url=url_for("staff.login"),
        back_label=_("Til innloggingen"),
    ), status


def _provider_unreachable() -> Any:
    return _refused(
        _("Innloggingen er midlertidig utilgjengelig"),
        _("Vi får ikke kontakt med innloggingstjenesten. Prøv igjen om litt."),
        503,
    )


def _not_accepted() -> Any:
    return _refused(
        _("Innloggingen ble ikke godtatt"),
        _(
            "Svaret fra innloggingstjenesten kunne ikke bekreftes, eller det er for gammelt. "
            "Start innloggingen på nytt."
        ),
        400,
    )


@bp.get("/logg-inn/sso")
@open_to(Audience.ANYONE)
def sso_start() -> Any:
    """Send the browser to the provider, remembering where it wanted to go."""
    if not enabled():
        abort(404)
    session[NEXT_KEY] = LOGIN.safe_next(request.args.get("next"))
    try:
        return _client().authorize_redirect(
            url_for("staff.sso_callback", _external=True), nonce=secrets.token_urlsafe(32)
        )
    except (requests.RequestException, ValueError):
        log.warning("staff sso start failed: the provider's metadata is unreachable or invalid")
        return _provider_unreachable()


@bp.get("/logg-inn/sso/callback")
@open_to(Audience.ANYONE)
def sso_callback() -> Any:
    """Check the provider's answer, then start a session for a known, active user."""
    cfg = config()
    if cfg is None:
        abort(404)
    try:
        token = _client().authorize_access_token(leeway=LEEWAY_SECONDS)
    except OAuthError as exc:  # a missing or foreign state, an error from the provider
        log.warning("staff sso login refused: %s", exc.error or type(exc).__name__)
        return _not_accepted()
    except JoseError as exc:  # signature, issuer, audience, nonce, expiry
        log.warning("staff sso login refused: ID token %s", exc.error or type(exc).__name__)
        return _not_accepted()
    except (requests.RequestException, ValueError):
        log.warning("staff sso login failed: the provider is unreachable or answered nonsense")
        return _provider_unreachable()
    claims = token.get("userinfo")
    if not claims:
        log.warning("staff sso login refused: no ID token in the provider's answer")
        return _not_accepted()
    # Authlib checked ``iss`` against the provider's metadata; the metadata must
    # belong to the issuer we were configured with (OIDC Discovery 1.0, § 4.3).
    if claims.get("iss") != cfg.issuer:
        log.warning("staff sso login refused: the issuer is not the configured one")
        return _not_accepted()
    value = claims.get(cfg.username_claim)
    if not isinstance(value, str) or not value.strip():
        log.warning("staff sso login refused: the ID token lacks the user name claim")
        return _unknown_user()
    user = db_session().scalar(select(User).where(User.username == value.strip().casefold()))
    if user is None:
        log.warning("staff sso login refused: no user with that name")
        return _unknown_user()
    if not user.active:
        log.warning("staff sso login refused: user deactivated user_id=%s", user.id)
        return _unknown_user()
    target = LOGIN.safe_next(session.pop(NEXT_KEY, None))
    if target == url_for(LOGIN.home_endpoint) and not may(user.role_set, Action.SEE_WORK):
        # An analyst has no queue: their start page is the dashboard (issue 15, as auth.home_url).
        target = url_for("staff.reports")
    LOGIN.start(user)
    log.info("staff login ok user_id=%s method=sso", user.id)
    return redirect(target)


def _unknown_user() -> Any:
    return _refused(
        _("Du har ikke tilgang til tjenesten"),
        _(
            "Du er logget inn med NAV-kontoen din, men den er ikke registrert som aktiv bruker "
            "av denne tjenesten. Be en administrator i bydelen om tilgang."
        ),
        403,
    )
