"""Inbound SMS, kept as received: the reply that stops a ladder, or one for staff.

Every inbound message is a row, deduplicated by the provider's message id, so
a webhook delivered twice registers one response. A message that cannot be
tied to exactly one open case (unknown number, or a number several open
cases share) is kept here with ``review_status = "open"`` for staff to look
at; no case is touched on a guess (``outreach.inbound``).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from outreach.db import Base, UTCDateTime, utcnow

# What became of an inbound message.
INBOUND_OUTCOMES = ("response", "opt_out", "opt_in", "unknown_sender", "ambiguous_sender")


class InboundMessage(Base):
    __tablename__ = "inbound_messages"
    __table_args__ = (Index("ix_inbound_messages_review", "review_status", "received_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    provider: Mapped[str] = mapped_column(String(16), default="twilio")
    # Twilio's MessageSid: a webhook retried by Twilio is recognised by it.
    provider_ref: Mapped[str] = mapped_column(String(64), unique=True)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # E.164. Staff need the number to follow up an unknown sender; it is
    # never logged (outreach.identity.mask_phone in logs).
    from_number: Mapped[str] = mapped_column(String(20), index=True)
    to_number: Mapped[str] = mapped_column(String(20), default="")
    body: Mapped[str] = mapped_column(Text, default="")
    outcome: Mapped[str] = mapped_column(String(20))
    # What the tenant asked for (call_me, appointment, other) and the keyword
    # that said so; None for opt-outs and unmatched senders.
    intent: Mapped[str | None] = mapped_column(String(16))
    keyword: Mapped[str | None] = mapped_column(String(60))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), index=True)
    # Open cases whose tenant has this number, when there was more than one.
    candidate_case_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    # open: staff must look at it; none: handled automatically; done: handled by staff.
    review_status: Mapped[str] = mapped_column(String(8), default="none")
    reviewed_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Why staff set it aside (outreach.inbound.review.dismiss).
    review_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
