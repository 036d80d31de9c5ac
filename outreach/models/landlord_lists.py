"""A landlord's monthly arrears list and its rows, kept until each row is done.

The peer review (seeds/004) asks municipal landlords for monthly arrears
lists. The upload is written here before the landlord gets an answer, so a
list is never lost to a crashed worker: the job takes the rows still
``pending`` and may run any number of times (RQ is at-least-once). A row's
tenant data is kept encrypted only until the row is done; a row refused for
a reservation keeps its number and the landlord's own reference, nothing else
(husleieloven § 9-11: "a reserved tenant's warning is refused and not kept").
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from outreach.db import Base, UTCDateTime

#: A row's outcome; ``pending`` until the job has done it.
ROW_STATUSES = ("pending", "created", "updated", "unchanged", "refused", "reserved")


class LandlordList(Base):
    __tablename__ = "landlord_lists"
    __table_args__ = (
        # The same file twice is the same list (a keyed hash: the file holds personal data).
        UniqueConstraint("landlord_id", "content_hmac", name="uq_landlord_lists_content"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    landlord_id: Mapped[int] = mapped_column(ForeignKey("landlords.id"), index=True)
    content_hmac: Mapped[str] = mapped_column(String(64))
    filename: Mapped[str] = mapped_column(String(200), default="")
    format: Mapped[str] = mapped_column(String(8))  # csv | json
    via: Mapped[str] = mapped_column(String(8))  # portal | api
    account_id: Mapped[int | None] = mapped_column(ForeignKey("landlord_accounts.id"))
    token_id: Mapped[int | None] = mapped_column(ForeignKey("api_tokens.id"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(12), default="queued")  # queued|running|done
    total_rows: Mapped[int] = mapped_column(Integer, default=0)
    rows_done: Mapped[int] = mapped_column(Integer, default=0)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class LandlordListRow(Base):
    __tablename__ = "landlord_list_rows"
    __table_args__ = (
        UniqueConstraint("list_id", "row_number", name="uq_landlord_list_rows_number"),
        Index("ix_landlord_list_rows_status", "list_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    list_id: Mapped[int] = mapped_column(ForeignKey("landlord_lists.id"))
    row_number: Mapped[int] = mapped_column(Integer)
    reference: Mapped[str | None] = mapped_column(String(80))
    status: Mapped[str] = mapped_column(String(12), default="pending")
    # The validated warning document (JSON, encrypted) until the row is done.
    payload_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    # [{"field": "arrears_amount", "message": "..."}]: why a row was refused.
    faults: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    warning_id: Mapped[int | None] = mapped_column(ForeignKey("landlord_warnings.id"))
