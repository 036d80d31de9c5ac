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

from outreach.permissions import Action, Audience, mark, may
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


def require_token(
    action: Action | None = None, *, system: bool = False, landlord: bool = False
) -> Callable[[F], F]:
    """Authenticate the bearer token and check who may call.

    A staff token's user needs a role the table (``outreach.permissions``)
    allows ``action``, as on the staff pages; a system integration's token is
    good only where ``system=True`` (submitting triggers). Landlord tokens are
    good only where ``landlord=True``, and only there: a landlord can never
    submit a bailiff's trigger or read a case.
    """
    assert landlord != (action is not None), "a route is either a staff action or a landlord's"

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
            if landlord != (principal.landlord_id is not None):
                return _forbidden(
                    "A landlord's token is required."
                    if landlord
                    else "A landlord's token only sends warnings to /api/v1/landlord/warnings."
                )
            if action is not None:
                if principal.user is None and not system:
                    return _forbidden("A staff token is required.")
                if principal.user is not None and not may(principal.user.role_set, action):
                    return _forbidden("The token's user has no role that may do this.")
            g.principal = principal
            return view(*args, **kwargs)

        mark(wrapper, Audience.LANDLORD if landlord else action)  # type: ignore[arg-type]
        return wrapper  # type: ignore[return-value]

    return decorator
