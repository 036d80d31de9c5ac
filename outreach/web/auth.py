"""Bearer tokens for the JSON API (``outreach create-token``), stored hashed.

A token belongs to a staff user (who sees their districts' cases), to a
system integration (which may submit triggers but reads nothing back, so a
bailiff feed never learns anything about a person), or to a landlord
(``outreach create-landlord --token``), which may only send its own warnings
to ``/api/v1/landlord`` and reads back nothing but its receipts.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any, TypeVar

from flask import g, jsonify, request
from sqlalchemy import select
from sqlalchemy.orm import Session

from outreach.crypto import token_hash
from outreach.models import ApiToken, Case, User
from outreach.web.context import db_session

F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True)
class Principal:
    token_id: int
    name: str
    user: User | None
    landlord_id: int | None = None

    @property
    def is_staff(self) -> bool:
        return self.user is not None

    @property
    def label(self) -> str:
        if self.user is not None:
            return self.user.username
        if self.landlord_id is not None:
            return f"landlord:{self.landlord_id}"
        return f"system:{self.name}"

    @property
    def home_district(self) -> str | None:
        if self.user is None:
            return None
        districts = self.user.district_set
        return next(iter(districts)) if len(districts) == 1 else None

    def can_see(self, case: Case) -> bool:
        if self.user is None:
            return False
        roles = self.user.role_set
        if "admin" in roles:
            return True
        if case.district_code is None:
            return "central_intake" in roles
        return case.district_code in self.user.district_set


def new_token() -> str:
    return "otk_" + secrets.token_urlsafe(32)


def issue_token(
    session: Session, name: str, user: User | None, *, landlord_id: int | None = None
) -> str:
    token = new_token()
    session.add(
        ApiToken(name=name, token_hash=token_hash(token), user=user, landlord_id=landlord_id)
    )
    return token


def _forbidden(message: str) -> Any:
    response = jsonify({"error": "forbidden", "message": message})
    response.status_code = 403
    return response


def _unauthorized(message: str) -> Any:
    response = jsonify({"error": "unauthorized", "message": message})
    response.status_code = 401
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
                return _unauthorized("Send 'Authorization: Bearer <token>'.")
            session = db_session()
            row = session.scalar(
                select(ApiToken).where(
                    ApiToken.token_hash == token_hash(token.strip()), ApiToken.revoked_at.is_(None)
                )
            )
            if row is None or (row.user is not None and not row.user.active):
                return _unauthorized("The token is unknown or revoked.")
            principal = Principal(row.id, row.name, row.user, row.landlord_id)
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
