"""The bearer-token check in front of the JSON API (tokens: ``outreach.staff.tokens``).

Answers 401 with a ``WWW-Authenticate`` challenge for a missing, unknown or
revoked token, and 403 for a token of the wrong kind; the view sees the
token's owner as ``g.principal``.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import g, request

from outreach.staff.tokens import principal_for
from outreach.web.api.common import error
from outreach.web.context import db_session, rt

F = TypeVar("F", bound=Callable[..., Any])


def _forbidden(message: str) -> Any:
    return error(403, "forbidden", message)


def unauthorized(message: str) -> Any:
    """A 401 with its challenge: RFC 9110 § 15.5.2 asks every 401 to carry one."""
    response = error(401, "unauthorized", message)
    response.headers["WWW-Authenticate"] = 'Bearer realm="outreach"'
    return response


def require_token(staff: bool = False, landlord: bool = False) -> Callable[[F], F]:
    """Authenticate the bearer token; ``staff`` or ``landlord`` narrows who may call.

    Landlord tokens are good only where ``landlord=True``, and only there:
    a landlord can never submit a bailiff's trigger or read a case.
    """

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            header = request.headers.get("Authorization", "")
            scheme, _, token = header.partition(" ")
            if scheme.lower() != "bearer" or not token.strip():
                return unauthorized("Send 'Authorization: Bearer <token>'.")
            session = db_session()
            principal = principal_for(session, token.strip(), now=rt().now())
            if principal is None:
                return unauthorized("The token is unknown or revoked.")
            session.commit()  # the token's last use, apart from what the call does
            if staff and not principal.is_staff:
                return _forbidden("A staff token is required.")
            if landlord != (principal.landlord_id is not None):
                return _forbidden(
                    "A landlord's token is required."
                    if landlord
                    else "A landlord's token only sends warnings to /api/v1/landlord/warnings."
                )
            g.principal = principal
            return view(*args, **kwargs)

        return wrapper  # type: ignore[return-value]

    return decorator
