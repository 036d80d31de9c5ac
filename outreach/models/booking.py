"""The tenant's booking page: personal codes and the appointments booked with them.

A code is printed on every tenant letter (issue 4, "Self-booking and replies").
Only a keyed hash of it is kept (``outreach.inbound.booking``); the clear code exists
on paper and, for a moment, in the renderer. One code per case is active
(not revoked) at a time, enforced by a partial unique index; a code also
stops working when it expires or the case closes.

An appointment takes one slot at one district office: the partial unique
index on (district, start) is what stops two tenants from booking the same
time, whatever the web processes do at the same moment; a second one per
case is refused the same way.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column

from outreach.db import Base, UTCDateTime, utcnow


class BookingCode(Base):
    __tablename__ = "booking_codes"
    __table_args__ = (
        Index(
            "uq_booking_codes_active_case",
            "case_id",
            unique=True,
            sqlite_where=text("revoked_at IS NULL"),
            postgresql_where=text("revoked_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    # HMAC-SHA256 (key derived from OUTREACH_DATA_KEY) of the normalised code.
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_reason: Mapped[str | None] = mapped_column(String(40))
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class BookingAppointment(Base):
    __tablename__ = "booking_appointments"
    __table_args__ = (
        Index(
            "uq_booking_appointments_slot",
            "district_code",
            "starts_at",
            unique=True,
            sqlite_where=text("status = 'booked'"),
            postgresql_where=text("status = 'booked'"),
        ),
        Index(
            "uq_booking_appointments_case",
            "case_id",
            unique=True,
            sqlite_where=text("status = 'booked'"),
            postgresql_where=text("status = 'booked'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    code_id: Mapped[int | None] = mapped_column(ForeignKey("booking_codes.id"))
    district_code: Mapped[str] = mapped_column(String(6))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(16), default="booked")  # booked | cancelled
    booked_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
