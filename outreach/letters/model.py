"""What a letter is made of: the data the ladder hands to the renderer.

The fields follow the circular «Bydelenes arbeid med å forebygge utkastelser fra bolig»
(section «Videre saksbehandling»): a letter must say what information was received, that
NAV social services can give advice, guidance and other help, offer an appointment, a visit
to the office or a phone call, and give the contact person's name and phone number.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from outreach.letters.slots import EmptySlot
from outreach.vocabulary import TRIGGER_KINDS

#: Trigger kinds with a tenant letter (DOMAIN.md "Triggers").
KINDS: tuple[str, ...] = TRIGGER_KINDS

#: Who a letter goes to. The circular sends copies to the bailiff (petition), the plaintiff
#: (forced sale) and, at the caseworker's discretion, the landlord (unpaid rent).
AUDIENCES: tuple[str, ...] = ("tenant", "copy_bailiff", "copy_plaintiff", "copy_landlord")

SOURCE_TYPES: tuple[str, ...] = ("landlord", "municipal_landlord", "bailiff", "court", "staff")


class MissingContactPerson(EmptySlot):
    """A letter without a named contact person and phone number must never go out.

    The circular: «Brevet skal inneholde navn på kontaktperson/saksbehandler og
    telefonnummer til vedkommende.» Raised before anything is rendered.
    """


@dataclass(frozen=True)
class PostalAddress:
    name: str
    street: str
    postal_code: str
    city: str


@dataclass(frozen=True)
class Office:
    district_code: str
    name: str
    street: str
    postal_code: str
    city: str
    opening_hours: str
    phone: str


@dataclass(frozen=True)
class ContactPerson:
    name: str
    phone: str


@dataclass(frozen=True)
class Appointment:
    """A proposed meeting; ``starts_at`` must be timezone-aware (Europe/Oslo)."""

    starts_at: datetime
    place: str

    def __post_init__(self) -> None:
        if self.starts_at.tzinfo is None or self.starts_at.utcoffset() is None:
            raise ValueError("Appointment.starts_at must be timezone-aware (Europe/Oslo)")


@dataclass(frozen=True)
class LetterData:
    kind: str
    audience: str
    language: str
    reference: str
    letter_date: date
    recipient: PostalAddress
    office: Office
    contact: ContactPerson | None
    source_type: str
    source_name: str
    received_on: date
    tenant_name: str
    arrears_amount: Decimal | None = None
    eviction_date: date | None = None
    appointment: Appointment | None = None
    booking_code: str | None = None
    booking_address: str | None = None
    #: The landlord (petition, rent warning) or plaintiff (forced sale) the notice names;
    #: the circular asks the letter to say who ("med utleier/saksøker ... der det er kjent").
    counterpart_name: str = ""
    #: The sender's own reference ("Deres referanse"), printed on every copy.
    source_reference: str = ""


@dataclass(frozen=True)
class LetterPages:
    """Where one letter sits in a print batch: 0-based ``range`` of batch page indexes."""

    reference: str
    pages: range


@dataclass(frozen=True)
class PrintBatchPdf:
    """A print batch: the PDF (cover sheet first) and each letter's pages in it."""

    pdf: bytes
    letters: tuple[LetterPages, ...] = field(default_factory=tuple)
    cover_pages: range = range(0)

    @property
    def page_ranges(self) -> tuple[range, ...]:
        return tuple(entry.pages for entry in self.letters)
