"""Bearer tokens for the JSON API, stored hashed, and who a token speaks for.

A token belongs to a staff user (who sees their districts' cases), to a
system integration (which may submit triggers but reads nothing back, so a
bailiff feed never learns anything about a person), or to a landlord
(``outreach create-landlord --token``), which may only send its own warnings
to ``/api/v1/landlord`` and reads back nothing but its receipts.

Kept out of ``outreach.web`` so the command line and the demo seeding can
issue tokens without Flask; the web layer only checks them.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, object_session

from outreach.crypto import token_hash
from outreach.models import ApiToken, Case, User
from outreach.staff.queries import visible_cases


@dataclass(frozen=True)
class Principal:
    """Who a request speaks for: a token's owner, or (token id 0) a staff page's user."""

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

    def can_act(self, case: Case) -> bool:
        """Work on the case: its district's staff, central intake while it has no district."""
        if self.user is None:
            return False
        roles = self.user.role_set
        if "admin" in roles:
            return True
        if case.district_code is None:
            return "central_intake" in roles
        return case.district_code in self.user.district_set

    def can_see(self, case: Case) -> bool:
        """Read the case: whoever may act on it, and whoever registered it while it is
        unrouted (``queries.visible_cases``, the same rule the lists and search use)."""
        if self.can_act(case):
            return True
        session = object_session(case)
        if self.user is None or case.district_code is not None or session is None:
            return False
        found = session.scalar(select(Case.id).where(Case.id == case.id, visible_cases(self.user)))
        return found is not None


def new_token() -> str:
    return "otk_" + secrets.token_urlsafe(32)


def issue_token(
    session: Session, name: str, user: User | None, *, landlord_id: int | None = None
) -> str:
    """Store a new token's hash; the token itself is returned once and never kept."""
    token = new_token()
    session.add(
        ApiToken(name=name, token_hash=token_hash(token), user=user, landlord_id=landlord_id)
    )
    return token


#: A token's ``last_used_at`` is written at most this often: an audit of
#: which tokens are alive, without a write on every request.
USE_RESOLUTION = timedelta(minutes=1)


def principal_for(session: Session, token: str, now: datetime | None = None) -> Principal | None:
    """The token's owner; None for an unknown or revoked token or a deactivated user.

    With ``now``, the use is recorded on the token (``last_used_at``); the
    caller commits.
    """
    row = session.scalar(
        select(ApiToken).where(
            ApiToken.token_hash == token_hash(token), ApiToken.revoked_at.is_(None)
        )
    )
    if row is None or (row.user is not None and not row.user.active):
        return None
    if now is not None and (row.last_used_at is None or now - row.last_used_at >= USE_RESOLUTION):
        row.last_used_at = now
    return Principal(row.id, row.name, row.user, row.landlord_id)


def revoke_tokens(session: Session, name: str, now: datetime) -> int:
    """Revoke every live token with this name (``outreach revoke-token``); returns how many."""
    rows = session.scalars(
        select(ApiToken).where(ApiToken.name == name, ApiToken.revoked_at.is_(None))
    ).all()
    for row in rows:
        row.revoked_at = now
    return len(rows)
