"""The landlord audit log: every landlord action, and every NAV decision about a landlord.

A NAV administrator reads it (``Action.READ_LANDLORD_AUDIT``) to see who at a
landlord logged in, made or revoked a key, sent a warning or a list, registered
a reservation – and who at NAV approved, refused or suspended the landlord.

What an entry may hold is deliberately thin: ids (account, key, staff user)
and a ``detail`` that is a receipt number, a key's name or a reason. Never a
tenant's name, national id or address (taushetsplikt, DESIGN.md principle 6:
the log is read by people who do not work the tenant's case), never a
password. Callers pass receipt numbers and counts, not documents.

Appending does not commit: the entry goes in the caller's transaction, so an
action and its entry are written together or not at all (STYLE.md habit 4).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from outreach.db import utcnow
from outreach.models.landlord import LandlordAuditEntry

#: The actions the log knows, for the staff page's words and filter. Others'
#: modules add theirs here (``list_uploaded`` comes with arrears lists).
ACTIONS = (
    "applied",
    "login",
    "login_failed",
    "logout",
    "key_created",
    "key_revoked",
    "warning_submitted",
    "reservation_registered",
    "reservation_withdrawn",
    "list_uploaded",
    "approved",
    "refused",
    "suspended",
    "reopened",
)
#: NAV's decisions: the status history on the landlord's staff page.
STATUS_ACTIONS = frozenset({"applied", "approved", "refused", "suspended", "reopened"})
DETAIL_MAX = 500


def record(
    session: Session,
    landlord_id: int | None,
    action: str,
    *,
    account_id: int | None = None,
    key_id: int | None = None,
    detail: str | None = None,
    staff_user_id: int | None = None,
    at: datetime | None = None,
) -> LandlordAuditEntry:
    """Append one entry to the caller's transaction; the caller commits.

    ``detail`` must carry nothing about a tenant: a receipt number, a key's
    name, a count, NAV's reason. It is cut to the column's length rather
    than failing the action it records.
    """
    entry = LandlordAuditEntry(
        landlord_id=landlord_id,
        action=action,
        account_id=account_id,
        key_id=key_id,
        staff_user_id=staff_user_id,
        detail=detail[:DETAIL_MAX] if detail else None,
        at=at or utcnow(),
    )
    session.add(entry)
    return entry


@dataclass(frozen=True)
class Filter:
    landlord_id: int | None = None
    action: str | None = None


def entries(
    session: Session, where: Filter = Filter(), *, limit: int = 100, offset: int = 0
) -> list[LandlordAuditEntry]:
    """Newest first; the staff page pages through them."""
    query = select(LandlordAuditEntry)
    if where.landlord_id is not None:
        query = query.where(LandlordAuditEntry.landlord_id == where.landlord_id)
    if where.action is not None:
        query = query.where(LandlordAuditEntry.action == where.action)
    query = query.order_by(LandlordAuditEntry.at.desc(), LandlordAuditEntry.id.desc())
    return list(session.scalars(query.limit(limit).offset(offset)))


def status_history(session: Session, landlord_id: int) -> list[LandlordAuditEntry]:
    """The application and NAV's decisions about this landlord, oldest first."""
    return list(
        session.scalars(
            select(LandlordAuditEntry)
            .where(
                LandlordAuditEntry.landlord_id == landlord_id,
                LandlordAuditEntry.action.in_(STATUS_ACTIONS),
            )
            .order_by(LandlordAuditEntry.at, LandlordAuditEntry.id)
        )
    )
