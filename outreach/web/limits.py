"""Request rates on the login forms and the landlord API, shared through Redis (issue 14).

Flask-Limiter counts in the app's Redis, so every web process (gunicorn
workers, several machines) sees one count; its in-memory default would give
each worker its own allowance (TECH-NOTES). Two rules, both read from the
settings at request time (``OUTREACH_LOGIN_RATE_LIMIT``,
``OUTREACH_LANDLORD_API_RATE_LIMIT``):

- every login POST (staff and landlord portal) per client address: bounds
  guessing across many user names from one machine. The failed logins *per
  user name* are ``web.login_limit``'s rule (it locks one account against
  guessing from many addresses); the two share the key hashing and the 429
  answer here, and neither counts what the other does. The booking page's code
  entry keeps its own per-browser and per-address tries
  (``inbound.booking.limits``): it must not lock out tenants behind one address.
- every landlord API request per landlord, whichever of its keys is used.

A refusal is a 429 with ``Retry-After`` (seconds), a page in the surface's
language or the API's JSON error. When Redis cannot be reached the request is
refused with 503, as the failed-login count always did: a limit that
disappears with Redis would invite exactly the load that takes Redis down.
Keys hold hashes of addresses, never the address, and the deployment's
namespace, so test runs and deployments on one Redis stay apart.
"""

from __future__ import annotations

import hashlib
import logging
import math
import time
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import Flask, Response, g, request
from flask_limiter import Limiter, RateLimitExceeded
from werkzeug.exceptions import ServiceUnavailable

from outreach.config import Settings
from outreach.web.context import rt

log = logging.getLogger("outreach.web.limits")

F = TypeVar("F", bound=Callable[..., Any])

#: How long a client is asked to wait when the count store is unreachable.
STORE_DOWN_RETRY_AFTER = 30


def hashed_key(namespace: str, surface: str, kind: str, value: str) -> str:
    """A Redis key that names no person or address: ``namespace:surface:kind:sha256``."""
    digest = hashlib.sha256(f"{kind}:{value}".encode()).hexdigest()[:32]
    return f"{namespace}:{surface}:{kind}:{digest}"


def client_address() -> str:
    """The client as ``ProxyFix`` left it: only trusted proxies are believed."""
    return request.remote_addr or "unknown"


def _by_address() -> str:
    return hashed_key(rt().settings.redis_namespace, "rate", "addr", client_address())


def _by_landlord() -> str:
    # Set by ``require_token`` before the limit is checked (``api.landlord``).
    landlord_id = getattr(g.get("principal"), "landlord_id", None)
    if landlord_id is None:
        return _by_address()
    return f"{rt().settings.redis_namespace}:rate:landlord:{landlord_id}"


def _login_rate() -> str:
    return rt().settings.login_rate_limit


def _landlord_api_rate() -> str:
    return rt().settings.landlord_api_rate_limit


# One limiter for the process; ``init_app`` points it at the app's Redis. The
# rates are callables so a changed setting (or a test's) holds at once.
limiter = Limiter(
    key_func=_by_address,
    headers_enabled=False,  # Retry-After only on a refusal (``_retry_after``)
    strategy="moving-window",
    swallow_errors=False,
)


class LimitStoreDown(ServiceUnavailable):
    """The count store is unreachable: refuse rather than serve without a limit."""

    def __init__(self) -> None:
        super().__init__(retry_after=STORE_DOWN_RETRY_AFTER)


def _rule(rate: Callable[[], str], key: Callable[[], str], scope: str) -> Callable[[F], F]:
    """Check ``rate`` per ``key`` before the view runs; a store failure is a 503.

    The check runs inside the decorated view (not in ``before_request``), so
    the landlord's key is known by then. A small gate of its own per rule, so
    Flask-Limiter's bookkeeping (by function name) never mixes two rules.
    """

    def gate() -> None:
        return None

    gate.__qualname__ = f"rate_gate_{scope}"
    checked = limiter.shared_limit(rate, scope=scope, key_func=key)(gate)

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            try:
                checked()
            except RateLimitExceeded:
                log.warning("rate limit reached scope=%s", scope)
                raise
            except Exception as exc:
                log.exception("request refused: the rate-limit store is unreachable")
                raise LimitStoreDown() from exc
            return view(*args, **kwargs)

        return wrapper  # type: ignore[return-value]

    return decorator


def login_attempts(view: F) -> F:
    """Limit a login form's POSTs per client address (a GET shows the form freely)."""
    limited = _rule(_login_rate, _by_address, "login")(view)

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if request.method == "POST":
            return limited(*args, **kwargs)
        return view(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


#: Every landlord API request, per landlord; apply after the token is checked.
landlord_api = _rule(_landlord_api_rate, _by_landlord, "landlord-api")


def refuse_for(seconds: float) -> None:
    """A 429 decided outside Flask-Limiter (``web.login_limit``): the wait to send."""
    g.retry_after = max(1, math.ceil(seconds))


def _retry_after(response: Response) -> Response:
    """Every 429 says how long to wait (RFC 6585 § 4), whichever rule refused."""
    if response.status_code != 429 or "Retry-After" in response.headers:
        return response
    wait = g.pop("retry_after", None)
    if wait is None:
        try:
            current = limiter.current_limit
            wait = current.window[0] - time.time() if current is not None else None
        except Exception:  # the store went away between the check and now
            wait = STORE_DOWN_RETRY_AFTER
    response.headers["Retry-After"] = str(max(1, math.ceil(wait or 60)))
    return response


def storage_uri(redis_url: str) -> str:
    """The app's ``REDIS_URL`` as the ``limits`` library spells it (a socket is
    ``redis+unix://`` there, ``unix://`` for redis-py)."""
    if not redis_url:
        return "memory://"
    if redis_url.startswith("unix://"):
        return "redis+unix://" + redis_url.removeprefix("unix://")
    return redis_url


def init_app(app: Flask, settings: Settings) -> None:
    """Count in the app's Redis; with no Redis configured (a bare development
    start), in this process only – production refuses to start without one."""
    app.config["RATELIMIT_STORAGE_URI"] = storage_uri(settings.redis_url)
    limiter.init_app(app)
    app.after_request(_retry_after)
