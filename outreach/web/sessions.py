"""Login sessions for the staff pages and the landlord portal: one implementation, two key sets.

Both surfaces log people in the same way, so the rules live once, here:

- A session ends after ``idle_timeout`` without a request and after
  ``max_age`` in any case; logging in clears the session first (no fixation),
  keeping only the chosen language.
- Each surface has its own session keys (``staff_uid`` / ``landlord_account``
  and ``<name>_auth_at``, ``<name>_seen_at``, ``<name>_notice``): a landlord
  session never opens a staff page, nor the other way round.
- Failed logins are counted per user name (``outreach.web.login_limit``), all
  login attempts per client address (``outreach.web.limits``); logs name ids,
  never a user name or address.
- Every POST of a surface's blueprint must carry a valid CSRF token.

Imports no surface, so both can import it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from functools import wraps
from typing import Any, Protocol, TypeVar
from urllib.parse import urlsplit

from flask import redirect, request, session, url_for
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError, validate_csrf
from wtforms.validators import ValidationError

from outreach.web.context import rt
from outreach.web.limits import refuse_for
from outreach.web.login_limit import LoginLimiter, check_password

F = TypeVar("F", bound=Callable[..., Any])


class Account(Protocol):
    """A staff user or a landlord's account: what a password login needs of it."""

    @property
    def id(self) -> int: ...

    @property
    def password_hash(self) -> str | None: ...

    session_generation: int


A = TypeVar("A", bound=Account)


def check_csrf() -> Any:
    """``before_request`` of each surface: a POST without a valid token is a ``CSRFError``."""
    if request.method in {"POST", "PUT", "PATCH", "DELETE"}:
        try:
            validate_csrf(request.form.get("csrf_token"))
        except ValidationError as exc:
            raise CSRFError(str(exc)) from exc
    return None


def log_out(account: Account | None) -> None:
    """End this session, and every copy of its cookie (issue 13, item 6).

    Sessions are signed cookies: clearing this one leaves a copy replayable
    until it expires. Bumping the account's generation ends them all; the
    caller commits.
    """
    if account is not None:
        account.session_generation += 1
    end_session()


def end_session() -> None:
    """Forget who is logged in, on either surface; the chosen language stays."""
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang


def _now() -> float:
    return rt().now().timestamp()


@dataclass(frozen=True)
class LoginSessions:
    """One surface's session keys, lifetimes and pages."""

    name: str
    id_key: str
    path_prefix: str
    home_endpoint: str
    login_endpoint: str
    max_age: timedelta
    idle_timeout: timedelta

    def start(self, account: Account) -> None:
        """Begin a fresh session: after a password or single sign-on."""
        end_session()
        now = _now()
        session.permanent = True
        session[self.id_key] = account.id
        session[f"{self.name}_generation"] = account.session_generation
        session[f"{self.name}_auth_at"] = now
        session[f"{self.name}_seen_at"] = now

    def load(self, find: Callable[[int], A | None]) -> A | None:
        """Who this request's session belongs to; ``find`` returns None for a withdrawn one.

        An expired session ends and leaves the notice "expired" for the login page.
        """
        ident = session.get(self.id_key)
        if ident is None:
            return None
        now = _now()
        started = float(session.get(f"{self.name}_auth_at", 0))
        seen = float(session.get(f"{self.name}_seen_at", 0))
        if (
            now - started > self.max_age.total_seconds()
            or now - seen > self.idle_timeout.total_seconds()
        ):
            end_session()
            session[f"{self.name}_notice"] = "expired"
            return None
        account = find(int(ident))
        if account is None or session.get(f"{self.name}_generation") != (
            account.session_generation
        ):
            # Withdrawn, or logged out since: a copy of the cookie ends here too.
            end_session()
            return None
        session[f"{self.name}_seen_at"] = now
        return account

    def pop_notice(self) -> str | None:
        notice: str | None = session.pop(f"{self.name}_notice", None)
        return notice

    def safe_next(self, target: str | None) -> str:
        """Only a path on this surface: a login link never sends anyone elsewhere."""
        if target:
            parts = urlsplit(target)
            if not parts.scheme and not parts.netloc and target.startswith(self.path_prefix):
                return target
        return url_for(self.home_endpoint)

    def to_login(self) -> Any:
        return redirect(url_for(self.login_endpoint, next=request.full_path.rstrip("?")))

    def login_required(self, current: Callable[[], object | None]) -> Callable[[F], F]:
        def decorator(view: F) -> F:
            @wraps(view)
            def wrapper(*args: Any, **kwargs: Any) -> Any:
                if current() is None:
                    return self.to_login()
                return view(*args, **kwargs)

            return wrapper  # type: ignore[return-value]

        return decorator

    def choose_language(
        self, lang: str | None, target: str | None, languages: tuple[str, ...]
    ) -> Any:
        if lang in languages:
            session["lang"] = lang
        return redirect(self.safe_next(target))

    def sign_in(
        self,
        form: Any,
        limiter: LoginLimiter,
        find: Callable[[str], A | None],
        blocked_message: str,
        log: logging.Logger,
    ) -> tuple[A | None, int]:
        """Check a validated login form; start the session and return the account, or
        put the reason on the password field and return the status to answer with."""
        username = (form.username.data or "").strip().casefold()
        keys = limiter.keys(username)
        try:
            redis = rt().redis()
            blocked = limiter.blocked(redis, keys)
        except Exception:  # Redis unreachable: refuse rather than drop the limit
            log.exception("%s login refused: the rate-limit store is unreachable", self.name)
            form.password.errors = [
                _("Innlogging er midlertidig utilgjengelig. Prøv igjen om litt.")
            ]
            return None, 503
        if blocked:
            log.warning("%s login refused: too many failures", self.name)
            refuse_for(limiter.seconds_left(redis, keys))
            form.password.errors = [blocked_message]
            return None, 429
        account = find(username)
        ok = check_password(account.password_hash if account else None, form.password.data or "")
        if account is None or not ok:
            limiter.count_failure(redis, keys)
            log.info("%s login failed", self.name)
            form.password.errors = [_("Feil brukernavn eller passord.")]
            return None, 401
        limiter.succeeded(redis, keys)
        self.start(account)
        return account, 200
