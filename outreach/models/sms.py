"""Per-number SMS facts: an opt-out, or a number that cannot take an SMS.

The carrier rules make an opt-out belong to the *number*, not to a person in
our register (issue 4; TECH-NOTES "Providers": Twilio blocks a number that
sent STOP, error 21610): a STOP from a number we know no one by, a new
person or case with an opted-out number, and a phone changed at intake must
all still find it. A permanent provider error (invalid number, landline,
Twilio's 30005/30006 receipts) ends the SMS path for that number the
same way. The number is kept only as the runtime's keyed look-up hash
(``DataProtector.lookup_hash``, like national ids): this table reveals no
number by itself.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from outreach.db import Base, UTCDateTime

#: ``opt_out``: the number's holder said STOP (START withdraws it);
#: ``unusable``: the provider said the number cannot receive SMS.
SMS_NUMBER_KINDS = ("opt_out", "unusable")


class SmsOptOut(Base):
    __tablename__ = "sms_opt_outs"
    __table_args__ = (UniqueConstraint("number_hmac", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    number_hmac: Mapped[str] = mapped_column(String(64), index=True)
    kind: Mapped[str] = mapped_column(String(16), default="opt_out")
    # tenant (an inbound keyword), carrier (Twilio 21610), provider (an error), staff
    source: Mapped[str] = mapped_column(String(16))
    # Why, in our words: opted_out, invalid_number, not_mobile, twilio_30005 …
    reason: Mapped[str] = mapped_column(String(40), default="")
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
