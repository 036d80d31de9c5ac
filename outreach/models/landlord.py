"""Landlords who opt in to warn NAV early (husleieloven § 9-11), and what they may see.

A landlord is a company (org number; a municipal landlord such as Boligbygg
is one) or a private person (name and address), with portal accounts and API
keys. It applies in the portal and can send nothing until NAV approves it
(``outreach.landlords.accounts``: the status and the one rule ``may_send``).

What we keep about a landlord's *warnings* is deliberately thin: a
receipt row per accepted warning (their own reference, when, how much was
owed) that points at the trigger, and nothing that would let the landlord
see the case, its district, its status or whether the tenant is a NAV client
(the landlord learns only "received" or "passed on to the district office",
``landlords.processing``)
(DESIGN.md principle 6; the circular, seeds/000: "utleier ... skal ikke få
vite" is taushetsplikt).

Reservations: "Leier kan i skriftlig melding til utleier reservere seg mot at
slikt varsel blir sendt til sosialtjenesten" (§ 9-11 first paragraph, quoted
in seeds/000). The landlord registers a reservation it received; a later
warning about that tenant from that landlord is refused and not kept. Only
keyed hashes of the tenant's identity are stored, with the landlord's own
label (a lease number), never the name.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import (
    Boolean,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    Numeric,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from outreach.db import Base, UTCDateTime, utcnow


class Landlord(Base):
    __tablename__ = "landlords"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Companies only; unique among them (NULLs never collide, on both databases).
    org_number: Mapped[str | None] = mapped_column(String(9), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(8), default="company", server_default="company")
    # A private landlord's address (a company has its org number); never a tenant's.
    street: Mapped[str | None] = mapped_column(String(200))
    postal_code: Mapped[str | None] = mapped_column(String(4))
    city: Mapped[str | None] = mapped_column(String(80))
    # pending | approved | refused | suspended (``landlords.accounts``). A row made
    # without saying is only an application: the safe side.
    status: Mapped[str] = mapped_column(String(12), default="pending", server_default="pending")
    status_reason: Mapped[str | None] = mapped_column(String(500))
    status_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    terms_version: Mapped[str | None] = mapped_column(String(16))
    terms_accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Warnings refused because the tenant had reserved (on arrival, or when a
    # reservation met them later): "a refused warning keeps only a count per
    # landlord" (issue 14) – nothing else of them is kept.
    refused_warnings: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class LandlordAccount(Base):
    """A person at the landlord (or at an agent with its power of attorney) who logs in."""

    __tablename__ = "landlord_accounts"

    id: Mapped[int] = mapped_column(primary_key=True)
    landlord_id: Mapped[int] = mapped_column(ForeignKey("landlords.id"), index=True)
    username: Mapped[str] = mapped_column(String(120), unique=True)
    display_name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Logging out bumps it: a session of an older generation ends (web.sessions).
    session_generation: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    landlord: Mapped[Landlord] = relationship()


class LandlordWarning(Base):
    """The landlord's receipt for one accepted warning.

    ``reference`` is the landlord's own (unique per landlord); the trigger's
    ``source_reference`` is namespaced with the landlord id so two landlords'
    references never collide in intake's duplicate check.
    """

    __tablename__ = "landlord_warnings"
    __table_args__ = (
        UniqueConstraint("landlord_id", "reference", name="uq_landlord_warnings_reference"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    landlord_id: Mapped[int] = mapped_column(ForeignKey("landlords.id"))
    trigger_id: Mapped[int] = mapped_column(ForeignKey("triggers.id"), unique=True)
    receipt: Mapped[str] = mapped_column(String(20), unique=True)
    kind: Mapped[str] = mapped_column(String(32))
    reference: Mapped[str] = mapped_column(String(80))
    arrears_amount: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime)
    via: Mapped[str] = mapped_column(String(8))  # portal | api
    account_id: Mapped[int | None] = mapped_column(ForeignKey("landlord_accounts.id"))
    token_id: Mapped[int | None] = mapped_column(ForeignKey("api_tokens.id"))


class LandlordAuditEntry(Base):
    """One landlord action, or NAV's decision about a landlord (``landlords.audit``).

    Append-only. ``detail`` is a receipt number, a key's name, a reason – never
    a tenant's name, id or address, and never a password.
    """

    __tablename__ = "landlord_audit"
    __table_args__ = (Index("ix_landlord_audit_landlord_at", "landlord_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # None only for a failed login with a user name nobody has.
    landlord_id: Mapped[int | None] = mapped_column(ForeignKey("landlords.id"))
    action: Mapped[str] = mapped_column(String(40))
    account_id: Mapped[int | None] = mapped_column(ForeignKey("landlord_accounts.id"))
    key_id: Mapped[int | None] = mapped_column(ForeignKey("api_tokens.id"))
    staff_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    detail: Mapped[str | None] = mapped_column(String(500))
    at: Mapped[datetime] = mapped_column(UTCDateTime)


class WarningReservation(Base):
    """A tenant's written reservation against § 9-11 warnings, as the landlord received it."""

    __tablename__ = "warning_reservations"
    __table_args__ = (
        Index("ix_warning_reservations_landlord", "landlord_id", "withdrawn_at"),
        Index("ix_warning_reservations_birth", "landlord_id", "birth_hmac"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    landlord_id: Mapped[int] = mapped_column(ForeignKey("landlords.id"))
    label: Mapped[str] = mapped_column(String(80))
    national_id_hmac: Mapped[str | None] = mapped_column(String(64))
    person_hmac: Mapped[str | None] = mapped_column(String(64))
    # The name as registered (encrypted) and a keyed hash of the birth date: a warning
    # is checked with the close-name rules of person matching among the reservations
    # with the same birth date, so "Fatima Ali Yusuf" does not pass "Fatima Yusuf"
    # (issue 13, item 3). Rows from before hold only ``person_hmac``.
    name_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    birth_hmac: Mapped[str | None] = mapped_column(String(64))
    registered_at: Mapped[datetime] = mapped_column(UTCDateTime)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Registered by NAV staff on the tenant's behalf (``landlords.reservations``):
    # who did it, and the tenant's person row so the case page can list it. Not
    # shown to the landlord, which would learn of the tenant's contact with NAV.
    registered_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    person_id: Mapped[int | None] = mapped_column(ForeignKey("persons.id"), index=True)
