"""Landlord accounts NAV can trust: the application, NAV's decision, the one rule.

A landlord applies in the portal – a company with its organisation number (a
municipal landlord such as Boligbygg is one), or a private person with name
and address – with its first portal account and its acceptance of the terms
(:data:`TERMS_VERSION`). It can send nothing until a NAV administrator
approves it; NAV may refuse (with a reason), suspend an approved landlord
(with a reason) and reopen a refused or suspended one for a new assessment.
Every change is an entry in the audit log (``landlords.audit``).

:func:`may_send` is the rule, in one place: the portal's pages, the API and
``warnings.submit_warning`` all ask it. ``outreach create-landlord`` (scripts)
makes approved landlords directly (``warnings.ensure_landlord``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from outreach import identity
from outreach.landlords import audit
from outreach.models.landlord import Landlord, LandlordAccount
from outreach.passwords import hash_password

PENDING, APPROVED, REFUSED, SUSPENDED = "pending", "approved", "refused", "suspended"
STATUSES: Final = (PENDING, APPROVED, REFUSED, SUSPENDED)
#: The version of the terms an applicant accepts (the portal's terms page shows it).
TERMS_VERSION: Final = "2026-12"
PASSWORD_MIN = 12  # as ``outreach create-landlord``
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def may_send(landlord: Landlord) -> bool:
    """The one rule: only an approved landlord sends anything (portal, API, keys)."""
    return landlord.status == APPROVED


@dataclass(frozen=True)
class Change:
    """What NAV may do to a landlord: from which statuses, to which, and whether a reason
    is required (a refusal or a suspension is explained to the landlord)."""

    action: str  # the audit log's word
    allowed_from: frozenset[str]
    to: str
    needs_reason: bool


CHANGES: Final = {
    "approve": Change("approved", frozenset({PENDING}), APPROVED, needs_reason=False),
    "refuse": Change("refused", frozenset({PENDING}), REFUSED, needs_reason=True),
    "suspend": Change("suspended", frozenset({APPROVED}), SUSPENDED, needs_reason=True),
    # A new assessment: back to an application, which NAV then approves or refuses.
    "reopen": Change("reopened", frozenset({REFUSED, SUSPENDED}), PENDING, needs_reason=False),
}


class StatusError(Exception):
    """A change that is not allowed now; ``code`` names why (``not_allowed``, ``reason``)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def changes_for(landlord: Landlord) -> list[str]:
    """The changes NAV may make now, in the order the staff page offers them."""
    return [name for name, change in CHANGES.items() if landlord.status in change.allowed_from]


def change_status(
    session: Session,
    landlord: Landlord,
    name: str,
    *,
    staff_user_id: int,
    reason: str = "",
    now: datetime,
) -> None:
    """Apply one of :data:`CHANGES` and log it with the staff user; commits."""
    change = CHANGES.get(name)
    if change is None or landlord.status not in change.allowed_from:
        raise StatusError("not_allowed")
    reason = reason.strip()
    if change.needs_reason and not reason:
        raise StatusError("reason")
    landlord.status = change.to
    landlord.status_reason = reason or None
    landlord.status_changed_at = now
    audit.record(
        session,
        landlord.id,
        change.action,
        staff_user_id=staff_user_id,
        detail=reason or None,
        at=now,
    )
    session.commit()


@dataclass(frozen=True)
class Application:
    """What the portal's form sends; ``kind`` is ``company`` or ``person``."""

    kind: str
    name: str
    org_number: str = ""
    street: str = ""
    postal_code: str = ""
    city: str = ""
    username: str = ""
    display_name: str = ""
    password: str = ""
    password_again: str = ""
    accepts_terms: bool = False


def check_application(session: Session, app: Application) -> dict[str, str]:
    """Each field's problem as a code (the portal words it); empty when all is well.

    Every field is checked, not only the first bad one, so the form shows all
    its errors at once.
    """
    errors: dict[str, str] = {}
    if app.kind not in ("company", "person"):
        errors["kind"] = "required"
    if not app.name.strip():
        errors["name"] = "required"
    if app.kind == "company":
        try:
            digits = identity.validate_org_number(app.org_number)
        except ValueError:
            errors["org_number"] = "required" if not app.org_number.strip() else "org_number"
        else:
            taken = session.scalar(select(Landlord.id).where(Landlord.org_number == digits))
            if taken is not None:
                errors["org_number"] = "org_number_taken"
    if app.kind == "person":
        for field in ("street", "postal_code", "city"):
            if not getattr(app, field).strip():
                errors[field] = "required"
    if app.postal_code.strip() and not re.fullmatch(r"\d{4}", app.postal_code.strip()):
        errors["postal_code"] = "postal_code"
    username = app.username.strip().casefold()
    if not username:
        errors["username"] = "required"
    elif not _EMAIL.match(username) or len(username) > 120:
        errors["username"] = "email"
    elif session.scalar(select(LandlordAccount.id).where(LandlordAccount.username == username)):
        errors["username"] = "username_taken"
    if not app.display_name.strip():
        errors["display_name"] = "required"
    if len(app.password) < PASSWORD_MIN:
        errors["password"] = "password_short"  # noqa: S105 - an error code
    elif app.password != app.password_again:
        errors["password_again"] = "passwords_differ"  # noqa: S105 - an error code
    if not app.accepts_terms:
        errors["accepts_terms"] = "terms"
    return errors


def apply(session: Session, app: Application, now: datetime) -> LandlordAccount:
    """Register a checked application (:func:`check_application`) as pending; commits.

    The landlord and its first account are made together; the account can log
    in at once but sees only the application's status until NAV approves.
    """
    company = app.kind == "company"
    landlord = Landlord(
        kind=app.kind,
        name=app.name.strip(),
        org_number=identity.validate_org_number(app.org_number) if company else None,
        street=app.street.strip() or None,
        postal_code=app.postal_code.strip() or None,
        city=app.city.strip() or None,
        status=PENDING,
        status_changed_at=now,
        terms_version=TERMS_VERSION,
        terms_accepted_at=now,
    )
    account = LandlordAccount(
        landlord=landlord,
        username=app.username.strip().casefold(),
        display_name=app.display_name.strip(),
        password_hash=hash_password(app.password),
    )
    session.add_all([landlord, account])
    session.flush()
    audit.record(
        session,
        landlord.id,
        "applied",
        account_id=account.id,
        detail=f"terms {TERMS_VERSION}",
        at=now,
    )
    session.commit()
    return account


def by_status(session: Session) -> list[Landlord]:
    """Applications first (oldest first: the queue), then the rest by name."""
    order = {PENDING: 0, SUSPENDED: 1, APPROVED: 2, REFUSED: 3}
    rows = list(session.scalars(select(Landlord)))
    return sorted(
        rows,
        key=lambda row: (
            order.get(row.status, 9),
            row.created_at.timestamp() if row.status == PENDING else 0.0,
            row.name.casefold(),
        ),
    )
