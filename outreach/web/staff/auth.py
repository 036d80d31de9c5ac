"""Staff login: local accounts with argon2 hashes, expiring sessions, a rate limit.

- Sessions end after ``IDLE_TIMEOUT`` without a request and after
  ``SESSION_MAX_AGE`` in any case; the session is cleared on login (no fixation).
- Failed logins are counted in Redis per user name and per client address
  (``outreach.web.login_limit``, shared with the landlord portal).
- Logins are logged by user id only; a failure logs no user name or address.
- Every POST in the blueprint must carry a valid CSRF token (400 otherwise).

OpenID Connect single sign-on (Authlib) is the production option
(``outreach.web.staff.oidc``, docs/screens/README.md): it ends in the same
``start_session``. ``OUTREACH_OIDC_ONLY=1`` turns the password form off.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta
from functools import wraps
from typing import Any, TypeVar
from urllib.parse import urlsplit

from flask import abort, g, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError, generate_csrf, validate_csrf
from sqlalchemy import select
from wtforms.validators import ValidationError

from outreach.models import User
from outreach.tokens import Principal
from outreach.web.context import db_session, rt
from outreach.web.i18n import UI_LANGUAGES
from outreach.web.login_limit import LoginLimiter, check_password
from outreach.web.staff import SESSION_MAX_AGE, bp
from outreach.web.staff.forms import LanguageForm, LoginForm, PlainForm

log = logging.getLogger("outreach.staff.auth")

F = TypeVar("F", bound=Callable[..., Any])

IDLE_TIMEOUT = timedelta(minutes=30)
# Five wrong passwords for one user name, or thirty from one address, within
# the window: further tries are refused without checking the password.
FAILS_PER_USER = 5
FAILS_PER_ADDRESS = 30


def _limiter() -> LoginLimiter:
    return LoginLimiter(
        rt().settings.redis_namespace, "staff-login", FAILS_PER_USER, FAILS_PER_ADDRESS
    )


def _now_ts() -> float:
    return rt().now().timestamp()


def current_user() -> User | None:
    user: User | None = g.get("staff_user")
    return user


def principal() -> Principal:
    user = current_user()
    assert user is not None
    return Principal(0, user.username, user)


def login_required(view: F) -> F:
    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if current_user() is None:
            return redirect(url_for("staff.login", next=request.full_path.rstrip("?")))
        return view(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


def role_required(*roles: str) -> Callable[[F], F]:
    def decorator(view: F) -> F:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            user = current_user()
            if user is None:
                return redirect(url_for("staff.login", next=request.full_path.rstrip("?")))
            if not (user.role_set & set(roles)):
                abort(403)
            return view(*args, **kwargs)

        return wrapper  # type: ignore[return-value]

    return decorator


@bp.before_request
def _check_csrf() -> Any:
    if request.method in {"POST", "PUT", "PATCH", "DELETE"}:
        try:
            validate_csrf(request.form.get("csrf_token"))
        except ValidationError as exc:
            raise CSRFError(str(exc)) from exc
    return None


@bp.before_request
def _load_user() -> Any:
    g.staff_user = None
    uid = session.get("staff_uid")
    if uid is None:
        return None
    now = _now_ts()
    started = float(session.get("staff_auth_at", 0))
    seen = float(session.get("staff_seen_at", 0))
    if now - started > SESSION_MAX_AGE.total_seconds() or now - seen > IDLE_TIMEOUT.total_seconds():
        _end_session()
        session["staff_notice"] = "expired"
        return None
    user = db_session().get(User, int(uid))
    if user is None or not user.active:
        _end_session()
        return None
    session["staff_seen_at"] = now
    g.staff_user = user
    return None


@bp.app_context_processor
def _inject() -> dict[str, Any]:
    return {
        "current_user": g.get("staff_user"),
        "plain_form": PlainForm,
        "language_form": LanguageForm,
        "csrf_value": generate_csrf,
    }


@bp.errorhandler(CSRFError)
def _csrf_error(_exc: CSRFError) -> Any:
    return render_template(
        "staff/error.html",
        title=_("Skjemaet er utløpt"),
        message=_(
            "Skjemaet kunne ikke sendes fordi sikkerhetsnøkkelen mangler eller er utløpt. "
            "Gå tilbake, last siden på nytt og prøv igjen."
        ),
    ), 400


@bp.errorhandler(404)
def _not_found(_exc: Exception) -> Any:
    return render_template(
        "staff/error.html",
        title=_("Fant ikke siden"),
        message=_("Siden finnes ikke, eller du har ikke tilgang til den."),
    ), 404


@bp.errorhandler(403)
def _forbidden(_exc: Exception) -> Any:
    return render_template(
        "staff/error.html",
        title=_("Ingen tilgang"),
        message=_("Rollen din gir ikke tilgang til denne siden."),
    ), 403


def _client_address() -> str:
    return request.remote_addr or "unknown"


def safe_next(target: str | None) -> str:
    if target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and target.startswith("/staff"):
            return target
    return url_for("staff.queue")


def _end_session() -> None:
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang


def start_session(user: User) -> None:
    """Begin a fresh session for ``user``: after a password or single sign-on."""
    _end_session()
    now = _now_ts()
    session.permanent = True
    session["staff_uid"] = user.id
    session["staff_auth_at"] = now
    session["staff_seen_at"] = now


def _login_page(form: LoginForm, status: int = 200, **context: Any) -> Any:
    from outreach.web.staff import oidc

    return render_template(
        "staff/login.html",
        form=form,
        sso_enabled=oidc.enabled(),
        password_login=oidc.password_login_allowed(),
        **context,
    ), status


@bp.route("/logg-inn", methods=["GET", "POST"])
def login() -> Any:
    from outreach.web.staff import oidc

    form = LoginForm()
    notice = session.pop("staff_notice", None)
    if request.method == "GET":
        form.next.data = request.args.get("next", "")
        return _login_page(form, notice=notice)
    if not oidc.password_login_allowed():
        log.info("staff login refused: passwords are turned off (OUTREACH_OIDC_ONLY)")
        return _login_page(form, 403)
    if not form.validate():
        return _login_page(form, 400)
    username = (form.username.data or "").strip().casefold()
    limiter = _limiter()
    keys = limiter.keys(username, _client_address())
    try:
        redis = rt().redis()
        blocked = limiter.blocked(redis, keys)
    except Exception:  # Redis unreachable: refuse rather than drop the limit
        log.exception("staff login refused: the rate-limit store is unreachable")
        form.password.errors = [_("Innlogging er midlertidig utilgjengelig. Prøv igjen om litt.")]
        return _login_page(form, 503)
    if blocked:
        log.warning("staff login refused: too many failures")
        form.password.errors = [
            _(
                "For mange mislykkede forsøk. Vent et kvarter og prøv igjen, "
                "eller kontakt en administrator."
            )
        ]
        return _login_page(form, 429)
    user = db_session().scalar(select(User).where(User.username == username, User.active.is_(True)))
    ok = check_password(user.password_hash if user else None, form.password.data or "")
    if user is None or not ok:
        limiter.count_failure(redis, keys)
        log.info("staff login failed")
        form.password.errors = [_("Feil brukernavn eller passord.")]
        return _login_page(form, 401)
    limiter.succeeded(redis, keys)
    start_session(user)
    log.info("staff login ok user_id=%s", user.id)
    return redirect(safe_next(form.next.data))


@bp.post("/logg-ut")
def logout() -> Any:
    user = current_user()
    _end_session()
    if user is not None:
        log.info("staff logout user_id=%s", user.id)
    return redirect(url_for("staff.login"))


@bp.post("/sprak")
def set_language() -> Any:
    form = LanguageForm()
    if form.lang.data in UI_LANGUAGES:
        session["lang"] = form.lang.data
    return redirect(safe_next(form.next.data))
