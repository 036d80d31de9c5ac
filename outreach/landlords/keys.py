"""A landlord's API keys, made and revoked in the portal.

A key is an ``ApiToken`` with the landlord's id (``staff.tokens`` checks it
on every call): the secret is shown once and only its SHA-256 is kept; its
last use is written at most once a minute (``staff.tokens.USE_RESOLUTION``)
so a busy integration does not write on every request; revoking takes effect
on the next request. A landlord may hold several (one per system that sends).
A landlord that is not approved makes none, and its keys answer 403
(``web.api.landlord``) – the rule is ``accounts.may_send``.
"""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from outreach.crypto import token_hash
from outreach.landlords import audit
from outreach.landlords.accounts import may_send
from outreach.models import ApiToken
from outreach.models.landlord import Landlord, LandlordAccount

NAME_MAX = 80


class KeyProblem(Exception):
    """A key that cannot be made or revoked; ``code`` is what the portal words."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def live_keys(session: Session, landlord: Landlord) -> list[ApiToken]:
    return list(
        session.scalars(
            select(ApiToken)
            .where(ApiToken.landlord_id == landlord.id, ApiToken.revoked_at.is_(None))
            .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
        )
    )


def create_key(
    session: Session, landlord: Landlord, account: LandlordAccount, name: str, now: datetime
) -> tuple[ApiToken, str]:
    """A new key and its secret (returned once, never stored); commits."""
    name = name.strip()
    if not name:
        raise KeyProblem("name_required")
    if len(name) > NAME_MAX:
        raise KeyProblem("name_long")
    if not may_send(landlord):
        raise KeyProblem("not_approved")
    secret = "otk_" + secrets.token_urlsafe(32)
    row = ApiToken(
        name=name, token_hash=token_hash(secret), landlord_id=landlord.id, created_at=now
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        landlord.id,
        "key_created",
        account_id=account.id,
        key_id=row.id,
        detail=name,
        at=now,
    )
    session.commit()
    return row, secret


def revoke_key(
    session: Session, landlord: Landlord, account: LandlordAccount, key_id: int, now: datetime
) -> ApiToken:
    """Revoke one of this landlord's keys at once; another landlord's is 'not found'."""
    row = session.get(ApiToken, key_id)
    if row is None or row.landlord_id != landlord.id:
        raise KeyProblem("not_found")
    if row.revoked_at is None:
        row.revoked_at = now
        audit.record(
            session,
            landlord.id,
            "key_revoked",
            account_id=account.id,
            key_id=row.id,
            detail=row.name,
            at=now,
        )
        session.commit()
    return row
