"""Landlord login: its own accounts and session keys, the staff login's rules.

The session holds ``landlord_account`` (an id) beside, never instead of, the
staff keys: the staff blueprint reads only ``staff_uid``, this one only
``landlord_account``, and logging in to either clears the session first
(``outreach.web.sessions``, with the landlord keys in ``landlord.LOGIN``).
Logins are logged by account id only; failures with nothing personal.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, TypeVar

from flask import g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError, generate_csrf
from sqlalchemy import select

from outreach.models.landlord import LandlordAccount
from outreach.permissions import Audience, mark, open_to
from outreach.web.context import db_session, rt
from outreach.web.forms import LanguageForm, LoginForm, PlainForm
from outreach.web.i18n import UI_LANGUAGES
from outreach.web.landlord import LOGIN, bp
from outreach.web.limits import login_attempts
from outreach.web.login_limit import LoginLimiter
from outreach.web.sessions import check_csrf, log_out

log = logging.getLogger("outreach.landlord.auth")


def current_account() -> LandlordAccount | None:
    account: LandlordAccount | None = g.get("landlord_account")
    return account


F = TypeVar("F", bound=Callable[..., Any])

_session_required = LOGIN.login_required(current_account)


def login_required(view: F) -> F:
    """A landlord's own pages: signed in as a landlord, marked for the route table."""
    wrapped = _session_required(view)
    mark(wrapped, Audience.LANDLORD)
    return wrapped


bp.before_request(check_csrf)


def _active_account(account_id: int) -> LandlordAccount | None:
    """An account still in use, of a landlord whose access is not withdrawn."""
    account = db_session().get(LandlordAccount, account_id)
    if account is None or not account.active or not account.landlord.active:
        return None
    return account


@bp.before_request
def _load_account() -> Any:
    g.landlord_account = LOGIN.load(_active_account)
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


def _account_named(username: str) -> LandlordAccount | None:
    account = db_session().scalar(
        select(LandlordAccount).where(
            LandlordAccount.username == username, LandlordAccount.active.is_(True)
        )
    )
    # A withdrawn landlord's accounts fail like a wrong password: nothing is revealed.
    return account if account is not None and account.landlord.active else None


@bp.route("/logg-inn", methods=["GET", "POST"])
@open_to(Audience.ANYONE)
@login_attempts
def login() -> Any:
    form = LoginForm()
    notice = LOGIN.pop_notice()
    if request.method == "GET":
        form.next.data = request.args.get("next", "")
        return render_template("landlord/login.html", form=form, notice=notice)
    if not form.validate():
        return render_template("landlord/login.html", form=form), 400
    blocked = _("For mange mislykkede forsøk. Vent et kvarter og prøv igjen.")
    account, status = LOGIN.sign_in(form, _limiter(), _account_named, blocked, log)
    if account is None:
        return render_template("landlord/login.html", form=form), status
    log.info("landlord login ok account_id=%s", account.id)
    return redirect(LOGIN.safe_next(form.next.data))


@bp.post("/logg-ut")
@open_to(Audience.ANYONE)
def logout() -> Any:
    account = current_account()
    log_out(account)
    db_session().commit()
    if account is not None:
        log.info("landlord logout account_id=%s", account.id)
    return redirect(url_for("landlord.login"))


@bp.post("/sprak")
@open_to(Audience.ANYONE)
def set_language() -> Any:
    form = LanguageForm()
    return LOGIN.choose_language(form.lang.data, form.next.data, UI_LANGUAGES)
