"""Sample letters for the preview command, the tests and the benchmark.

Fictional people and a real-looking office, so translators and staff can see a letter as
the tenant will (issue 3: ``outreach letter preview``).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from outreach.letters.model import (
    Appointment,
    ContactPerson,
    LetterData,
    Office,
    PostalAddress,
)

OSLO = ZoneInfo("Europe/Oslo")

SAMPLE_OFFICE = Office(
    district_code="030101",
    name="NAV Gamle Oslo",
    street="Tøyengata 2",
    postal_code="0190",
    city="Oslo",
    opening_hours="man–fre 09:00–15:00",
    phone="21 07 00 00",
)
SAMPLE_CONTACT = ContactPerson(name="Kari Nordmann", phone="+47 987 65 432")

_SOURCES: dict[str, tuple[str, str]] = {
    "unpaid_rent_warning": ("landlord", "Boligbygg Oslo KF"),
    "eviction_petition": ("bailiff", "Oslo namsfogdkontor"),
    "forced_sale_notice": ("court", "Oslo byfogdembete"),
    "eviction_scheduled": ("bailiff", "Oslo namsfogdkontor"),
    "eviction_completed": ("municipal_landlord", "Boligbygg Oslo KF"),
    "lacks_capacity": ("bailiff", "Oslo namsfogdkontor"),
}

#: The landlord or plaintiff the notice names (the trigger's ``counterpart``).
_COUNTERPART: dict[str, str] = {
    "eviction_petition": "Boligbygg Oslo KF",
    "forced_sale_notice": "Borettslaget Sølvtoppen",
}

_COPY_RECIPIENT: dict[str, PostalAddress] = {
    "copy_bailiff": PostalAddress("Oslo namsfogdkontor", "Postboks 8024 Dep", "0030", "Oslo"),
    "copy_plaintiff": PostalAddress("Borettslaget Sølvtoppen", "Postboks 4 Tøyen", "0608", "Oslo"),
    "copy_landlord": PostalAddress("Boligbygg Oslo KF", "Postboks 1173 Sentrum", "0107", "Oslo"),
}


def sample_letter(
    kind: str = "eviction_petition",
    language: str = "nb",
    audience: str = "tenant",
    number: int = 123,
    **overrides: Any,
) -> LetterData:
    """A complete letter with every optional part filled in (amount, date, appointment)."""
    source_type, source_name = _SOURCES[kind]
    tenant = PostalAddress("Ola Hansen", "Kolstadgata 11 H0203", "0652", "Oslo")
    fields: dict[str, Any] = {
        "kind": kind,
        "audience": audience,
        "language": language,
        "reference": f"OUT-2026-{number:06d}",
        "letter_date": date(2026, 11, 20),
        "recipient": tenant if audience == "tenant" else _COPY_RECIPIENT[audience],
        "office": SAMPLE_OFFICE,
        "contact": SAMPLE_CONTACT,
        "source_type": source_type,
        "source_name": source_name,
        "received_on": date(2026, 11, 18),
        "tenant_name": tenant.name,
        "arrears_amount": Decimal("12500")
        if kind in ("unpaid_rent_warning", "eviction_petition", "forced_sale_notice")
        else None,
        "eviction_date": date(2026, 12, 1)
        if kind in ("eviction_scheduled", "eviction_petition")
        else None,
        "appointment": Appointment(datetime(2026, 11, 25, 10, 0, tzinfo=OSLO), "Tøyengata 2")
        if kind != "eviction_completed"
        else None,
        "counterpart_name": _COUNTERPART.get(kind, ""),
        "source_reference": "NF-26-004711" if audience != "tenant" else "",
        "booking_code": "K7P-42Q" if kind == "unpaid_rent_warning" else None,
        "booking_address": "nav.no/time" if kind == "unpaid_rent_warning" else None,
    }
    fields.update(overrides)
    return LetterData(**fields)
