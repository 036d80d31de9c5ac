"""Landlord login: its own accounts and session keys, the staff login's rules.

The session holds ``landlord_account`` (an id) beside, never instead of, the
staff keys: the staff blueprint reads only ``staff_uid``, this one only
``landlord_account``, and logging in to either clears the session first
(``outreach.web.sessions``, with the landlord keys in ``landlord.LOGIN``).
Logins are logged by account id only; failures with nothing personal. Each
login, failed login and logout is also an entry in the landlord audit log
(``landlords.audit``), which NAV's administrators read.

An applicant's account logs in too, but until NAV approves the landlord
(``landlords.accounts.may_send``) every page but the application's status
sends it there: ``login_required`` is "signed in *and* approved".
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError, generate_csrf
from sqlalchemy import select

from outreach.landlords import audit
from outreach.landlords.accounts import may_send
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
    """A landlord's own pages: signed in, approved by NAV, marked for the route table."""

    @wraps(view)
    def approved(*args: Any, **kwargs: Any) -> Any:
        account = current_account()
        if account is not None and not may_send(account.landlord):
            return redirect(url_for("landlord.application_status"))
        return view(*args, **kwargs)

    wrapped = _session_required(approved)
    mark(wrapped, Audience.LANDLORD)
    return wrapped  # type: ignore[return-value]


def applicant_required(view: F) -> F:
    """Signed in, whatever NAV has decided: the application's status page."""
    wrapped = _session_required(view)
    mark(wrapped, Audience.LANDLORD)
    return wrapped


bp.before_request(check_csrf)


def _active_account(account_id: int) -> LandlordAccount | None:
    """An account still in use; what its landlord may do is ``login_required``'s question."""
    account = db_session().get(LandlordAccount, account_id)
    if account is None or not account.active:
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
    # A pending, refused or suspended landlord's account logs in to see its status.
    return db_session().scalar(
        select(LandlordAccount).where(
            LandlordAccount.username == username, LandlordAccount.active.is_(True)
        )
    )


def _record_failure(username: str, status: int) -> None:
    """The failure in the audit log: the account when the name is one, never the password
    (nor a name nobody has: it may be a mistyped e-mail address of someone else)."""
    session = db_session()
    account = session.scalar(
        select(LandlordAccount).where(LandlordAccount.username == username.strip().casefold())
    )
    detail = {429: "too many failures", 503: "rate-limit store unreachable"}.get(status)
    audit.record(
        session,
        account.landlord_id if account else None,
        "login_failed",
        account_id=account.id if account else None,
        detail=detail,
        at=rt().now(),
    )
    session.commit()


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
        _record_failure(form.username.data or "", status)
        return render_template("landlord/login.html", form=form), status
    log.info("landlord login ok account_id=%s", account.id)
    audit.record(db_session(), account.landlord_id, "login", account_id=account.id, at=rt().now())
    db_session().commit()
    return redirect(LOGIN.safe_next(form.next.data))


@bp.post("/logg-ut")
@open_to(Audience.ANYONE)
def logout() -> Any:
    account = current_account()
    log_out(account)
    if account is not None:
        audit.record(
            db_session(), account.landlord_id, "logout", account_id=account.id, at=rt().now()
        )
    db_session().commit()
    if account is not None:
        log.info("landlord logout account_id=%s", account.id)
    return redirect(url_for("landlord.login"))


@bp.post("/sprak")
@open_to(Audience.ANYONE)
def set_language() -> Any:
    form = LanguageForm()
    return LOGIN.choose_language(form.lang.data, form.next.data, UI_LANGUAGES)
