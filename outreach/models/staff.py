"""Rows the caseworkers' web app adds to the system of record.

Access log (principle 6: every view of a case is logged), notes, source
documents, the after-contact follow-up plan. Each is written by an action in
``outreach.access_log`` or ``outreach.cases`` (notes, documents, measures) together with its
timeline event; the event carries only ids, the text stays here.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from outreach.db import Base, UTCDateTime, utcnow


class CaseAccess(Base):
    """Who opened which case or searched for whom, when and why.

    A search row keeps the kind of query (name, national id, reference) and
    the number of hits, not the query itself: the log must not become a second
    register of names and national ids. ``district_code`` is the case's
    district (or, for a search, the searcher's) so the district lead sees it.
    """

    __tablename__ = "case_access"
    __table_args__ = (Index("ix_case_access_district_at", "district_code", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    action: Mapped[str] = mapped_column(String(16))  # view | search
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), index=True)
    district_code: Mapped[str | None] = mapped_column(String(6))
    purpose: Mapped[str] = mapped_column(String(40))
    query_kind: Mapped[str | None] = mapped_column(String(16))  # name | national_id | reference
    hits: Mapped[int | None] = mapped_column(Integer)


class CaseNote(Base):
    """A caseworker's note: the circular's «nedtegnelser» for the case file."""

    __tablename__ = "case_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    text: Mapped[str] = mapped_column(Text)


class CaseDocument(Base):
    """A source document (the bailiff's PDF) stored under ``var/uploads``."""

    __tablename__ = "case_documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    trigger_id: Mapped[int | None] = mapped_column(ForeignKey("triggers.id"))
    filename: Mapped[str] = mapped_column(String(200))
    stored_path: Mapped[str] = mapped_column(String(300))
    content_type: Mapped[str] = mapped_column(String(80), default="application/pdf")
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class FollowUpItem(Base):
    """One measure in the after-contact plan, with a date and an owner.

    Kinds come from the national guide's solution alternatives (seeds/001) and
    the circular's follow-up after help (seeds/000); see
    ``outreach.web.staff.labels.FOLLOWUP_KINDS``.
    """

    __tablename__ = "followup_items"
    __table_args__ = (Index("ix_followup_items_status_due", "status", "due_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    due_on: Mapped[date] = mapped_column(Date)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    status: Mapped[str] = mapped_column(String(16), default="open")  # open | done
    note: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Set by the tick when the item fell due and ``followup_due`` was recorded.
    due_noted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
