"""Home visits in a district outreach team's calendar (issue 4, "Home visits").

A visit is a ``Task`` (kind ``home_visit``) with a time, a place in the
calendar and – when the team had a free pair – two named staff. The peer
review (004) names home visits among the means that work; two staff go
together, so a staff member's calendar must never hold two visits at once.

That promise is kept by the database, not by a check alone: every staff
assignment is a ``visit_staff`` row, unique per (user, slot start), and the
booking code locks the staff rows and checks for overlaps (travel time
included) in the same transaction (``outreach.reach.visit``). A cancelled or moved
visit gives its rows back (they are deleted; the timeline keeps the history).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from outreach.db import Base, UTCDateTime, utcnow

VISIT_STATUSES = ("scheduled", "done", "cancelled")


class HomeVisit(Base):
    __tablename__ = "home_visits"
    __table_args__ = (Index("ix_home_visits_district_starts", "district_code", "starts_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id"), unique=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    step_id: Mapped[int | None] = mapped_column(ForeignKey("steps.id"))
    district_code: Mapped[str | None] = mapped_column(String(6))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # 1 = the ladder's visit; 2 = the one more visit after "not home".
    visit_no: Mapped[int] = mapped_column(Integer, default=1)
    status: Mapped[str] = mapped_column(String(16), default="scheduled")
    # staffed: two named staff; pool: nobody free in time, needs manual staffing.
    staffing: Mapped[str] = mapped_column(String(16), default="pool")
    # iCalendar: the UID never changes for a visit; SEQUENCE grows with every
    # change sent to the staff (RFC 5545 3.8.7.4), so calendars replace, not add.
    ical_uid: Mapped[str] = mapped_column(String(120), unique=True)
    ical_sequence: Mapped[int] = mapped_column(Integer, default=0)
    cancel_reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class VisitStaff(Base):
    """One staff member on one visit; at most one visit per (user, slot start)."""

    __tablename__ = "visit_staff"
    __table_args__ = (
        UniqueConstraint("user_id", "slot_start"),
        Index("ix_visit_staff_user_slot_end", "user_id", "slot_end"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    visit_id: Mapped[int] = mapped_column(ForeignKey("home_visits.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    slot_start: Mapped[datetime] = mapped_column(UTCDateTime)
    slot_end: Mapped[datetime] = mapped_column(UTCDateTime)
