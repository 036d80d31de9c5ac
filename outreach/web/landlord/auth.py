"""Landlord login: its own accounts and session keys, the shared failed-login limit.

The session holds ``landlord_account`` (an id) beside, never instead of, the
staff keys: the staff blueprint reads only ``staff_uid``, this one only
``landlord_account``, and logging in to either clears the session first.
Logins are logged by account id only; failures with nothing personal.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar
from urllib.parse import urlsplit

from flask import g, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError, generate_csrf, validate_csrf
from sqlalchemy import select
from wtforms.validators import ValidationError

from outreach.models_landlord import LandlordAccount
from outreach.web.context import db_session, rt
from outreach.web.i18n import UI_LANGUAGES
from outreach.web.landlord import IDLE_TIMEOUT, SESSION_MAX_AGE, bp
from outreach.web.login_limit import LoginLimiter, check_password
from outreach.web.staff.forms import LanguageForm, LoginForm, PlainForm

log = logging.getLogger("outreach.landlord.auth")

F = TypeVar("F", bound=Callable[..., Any])


def current_account() -> LandlordAccount | None:
    account: LandlordAccount | None = g.get("landlord_account")
    return account


def login_required(view: F) -> F:
    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if current_account() is None:
            return redirect(url_for("landlord.login", next=request.full_path.rstrip("?")))
        return view(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


@bp.before_request
def _check_csrf() -> Any:
    if request.method in {"POST", "PUT", "PATCH", "DELETE"}:
        try:
            validate_csrf(request.form.get("csrf_token"))
        except ValidationError as exc:
            raise CSRFError(str(exc)) from exc
    return None


def _end_session() -> None:
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang


@bp.before_request
def _load_account() -> Any:
    g.landlord_account = None
    account_id = session.get("landlord_account")
    if account_id is None:
        return None
    now = rt().now().timestamp()
    started = float(session.get("landlord_auth_at", 0))
    seen = float(session.get("landlord_seen_at", 0))
    if now - started > SESSION_MAX_AGE.total_seconds() or now - seen > IDLE_TIMEOUT.total_seconds():
        _end_session()
        session["landlord_notice"] = "expired"
        return None
    account = db_session().get(LandlordAccount, int(account_id))
    if account is None or not account.active or not account.landlord.active:
        _end_session()
        return None
    session["landlord_seen_at"] = now
    g.landlord_account = account
    return None


@bp.context_processor
def _inject() -> dict[str, Any]:
    return {
        "current_account": g.get("landlord_account"),
        "plain_form": PlainForm,
        "language_form": LanguageForm,
        "csrf_value": generate_csrf,
    }


def _error_page(title: str, message: str, status: int) -> Any:
    return render_template("landlord/error.html", title=title, message=message), status


@bp.errorhandler(CSRFError)
def _csrf_error(_exc: CSRFError) -> Any:
    return _error_page(
        _("Skjemaet er utløpt"),
        _(
            "Skjemaet kunne ikke sendes fordi sikkerhetsnøkkelen mangler eller er utløpt. "
            "Gå tilbake, last siden på nytt og prøv igjen."
        ),
        400,
    )


@bp.errorhandler(404)
def _not_found(_exc: Exception) -> Any:
    return _error_page(_("Fant ikke siden"), _("Siden finnes ikke."), 404)


def _limiter() -> LoginLimiter:
    return LoginLimiter(rt().settings.redis_namespace, "landlord-login")


def _safe_next(target: str | None) -> str:
    if target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and target.startswith("/utleier"):
            return target
    return url_for("landlord.warnings")


@bp.route("/logg-inn", methods=["GET", "POST"])
def login() -> Any:
    form = LoginForm()
    notice = session.pop("landlord_notice", None)
    if request.method == "GET":
        form.next.data = request.args.get("next", "")
        return render_template("landlord/login.html", form=form, notice=notice)
    if not form.validate():
        return render_template("landlord/login.html", form=form), 400
    username = (form.username.data or "").strip().casefold()
    limiter = _limiter()
    keys = limiter.keys(username, request.remote_addr or "unknown")
    try:
        redis = rt().redis()
        blocked = limiter.blocked(redis, keys)
    except Exception:  # Redis unreachable: refuse rather than drop the limit
        log.exception("landlord login refused: the rate-limit store is unreachable")
        form.password.errors = [_("Innlogging er midlertidig utilgjengelig. Prøv igjen om litt.")]
        return render_template("landlord/login.html", form=form), 503
    if blocked:
        log.warning("landlord login refused: too many failures")
        form.password.errors = [_("For mange mislykkede forsøk. Vent et kvarter og prøv igjen.")]
        return render_template("landlord/login.html", form=form), 429
    account = db_session().scalar(
        select(LandlordAccount).where(
            LandlordAccount.username == username, LandlordAccount.active.is_(True)
        )
    )
    ok = check_password(account.password_hash if account else None, form.password.data or "")
    if account is None or not ok or not account.landlord.active:
        limiter.count_failure(redis, keys)
        log.info("landlord login failed")
        form.password.errors = [_("Feil brukernavn eller passord.")]
        return render_template("landlord/login.html", form=form), 401
    limiter.succeeded(redis, keys)
    _end_session()
    now = rt().now().timestamp()
    session.permanent = True
    session["landlord_account"] = account.id
    session["landlord_auth_at"] = now
    session["landlord_seen_at"] = now
    log.info("landlord login ok account_id=%s", account.id)
    return redirect(_safe_next(form.next.data))


@bp.post("/logg-ut")
def logout() -> Any:
    account = current_account()
    _end_session()
    if account is not None:
        log.info("landlord logout account_id=%s", account.id)
    return redirect(url_for("landlord.login"))


@bp.post("/sprak")
def set_language() -> Any:
    form = LanguageForm()
    if form.lang.data in UI_LANGUAGES:
        session["lang"] = form.lang.data
    return redirect(_safe_next(form.next.data))
