"""Staff login: local accounts with argon2 hashes, expiring sessions, a rate limit.

Sessions, the failed-login limit and the CSRF check are the landlord portal's
too (``outreach.web.sessions``, with the staff keys in ``staff.LOGIN``).
Logins are logged by user id only; a failure logs no user name or address.

OpenID Connect single sign-on (Authlib) is the production option
(``outreach.web.staff.oidc``, docs/screens/README.md): it ends in the same
``LOGIN.start``. ``OUTREACH_OIDC_ONLY=1`` turns the password form off.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import abort, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError, generate_csrf
from sqlalchemy import select

from outreach.cases.flags import may_decide
from outreach.models import Case, Flag, User
from outreach.permissions import Action, Audience, mark, may, open_to
from outreach.staff.tokens import Principal
from outreach.web.context import db_session, rt
from outreach.web.forms import LanguageForm, LoginForm, PlainForm
from outreach.web.i18n import UI_LANGUAGES
from outreach.web.limits import login_attempts
from outreach.web.login_limit import LoginLimiter
from outreach.web.sessions import check_csrf, log_out
from outreach.web.staff import LOGIN, bp

log = logging.getLogger("outreach.staff.auth")

F = TypeVar("F", bound=Callable[..., Any])

# Five wrong passwords for one user name within the window: further tries are
# refused without checking the password. Attempts per address: ``web.limits``.
FAILS_PER_USER = 5


def _limiter() -> LoginLimiter:
    return LoginLimiter(rt().settings.redis_namespace, "staff-login", FAILS_PER_USER)


def current_user() -> User | None:
    user: User | None = g.get("staff_user")
    return user


def acting_user() -> User:
    """The signed-in user, in a handler behind ``login_required``."""
    user = current_user()
    assert user is not None
    return user


def principal() -> Principal:
    user = current_user()
    assert user is not None
    return Principal(0, user.username, user)


def allowed(action: Action) -> Callable[[F], F]:
    """Signed in, and a role that the table (``outreach.permissions``) allows this action.

    The role is checked before the handler looks at any object: a refused role
    is a 403 whatever the id; a case of another district stays a 404 (the
    handler's ``visible_case``).
    """

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            user = current_user()
            if user is None:
                return LOGIN.to_login()
            if not may(user.role_set, action):
                abort(403)
            return view(*args, **kwargs)

        mark(wrapper, action)
        return wrapper  # type: ignore[return-value]

    return decorator


bp.before_request(check_csrf)


def _active_user(uid: int) -> User | None:
    user = db_session().get(User, uid)
    return user if user is not None and user.active else None


@bp.before_request
def _load_user() -> Any:
    g.staff_user = LOGIN.load(_active_user)
    return None


@bp.app_context_processor
def _inject() -> dict[str, Any]:
    return {
        "current_user": g.get("staff_user"),
        "plain_form": PlainForm,
        "language_form": LanguageForm,
        "csrf_value": generate_csrf,
        "may_do": _may_do,
        "may_decide": _may_decide,
        "staff_home": _home_url,
    }


def home_url(user: User | None) -> str:
    """Where a signed-in user starts: the queue, or the dashboard for a role without cases.

    An analyst may not see the queue (no SEE_WORK): sending them there after
    login would greet them with a 403 (issue 15).
    """
    roles = user.role_set if user is not None else set()
    if not may(roles, Action.SEE_WORK) and may(roles, Action.READ_REPORTS):
        return url_for("staff.reports")
    return url_for("staff.queue")


def _home_url() -> str:
    return home_url(current_user())


def _may_do(action: str) -> bool:
    """For the pages: offer only what the table lets the signed-in user do."""
    user = current_user()
    return user is not None and may(user.role_set, Action(action))


def _may_decide(flag: Flag, case: Case) -> bool:
    user = current_user()
    return user is not None and may_decide(flag, case, user)


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
@open_to(Audience.ANYONE)
@login_attempts
def login() -> Any:
    from outreach.web.staff import oidc

    form = LoginForm()
    notice = LOGIN.pop_notice()
    if request.method == "GET":
        form.next.data = request.args.get("next", "")
        return _login_page(form, notice=notice)
    if not oidc.password_login_allowed():
        log.info("staff login refused: passwords are turned off (OUTREACH_OIDC_ONLY)")
        return _login_page(form, 403)
    if not form.validate():
        return _login_page(form, 400)
    blocked = _(
        "For mange mislykkede forsøk. Vent et kvarter og prøv igjen, "
        "eller kontakt en administrator."
    )
    user, status = LOGIN.sign_in(form, _limiter(), _user_named, blocked, log)
    if user is None:
        return _login_page(form, status)
    log.info("staff login ok user_id=%s", user.id)
    target = LOGIN.safe_next(form.next.data)
    # The site's root and a bare login both lead to the queue: not for a role without one.
    return redirect(home_url(user) if target == url_for(LOGIN.home_endpoint) else target)


def _user_named(username: str) -> User | None:
    return db_session().scalar(select(User).where(User.username == username, User.active.is_(True)))


@bp.post("/logg-ut")
@open_to(Audience.ANYONE)
def logout() -> Any:
    user = current_user()
    log_out(user)
    db_session().commit()
    if user is not None:
        log.info("staff logout user_id=%s", user.id)
    return redirect(url_for("staff.login"))


@bp.post("/sprak")
@open_to(Audience.ANYONE)
def set_language() -> Any:
    form = LanguageForm()
    return LOGIN.choose_language(form.lang.data, form.next.data, UI_LANGUAGES)
