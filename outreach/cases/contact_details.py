"""Staff correct a tenant's contact details: address, phone, language (issue 12, item 14).

A notice brings contact data; staff who have spoken with the tenant know better,
so a correction from staff is the most trusted source of contact data. It is
written here, in one function, so the source/trust marker on contact data
(``outreach.intake.person``) can record it as staff's. The timeline names the
fields that changed, never their values (timeline.py: no personal data in events).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.orm import Session

from outreach import timeline
from outreach.cases.errors import CaseActionError
from outreach.identity import normalize_language, normalize_phone
from outreach.models import Case, User
from outreach.runtime import Runtime

#: Where a correction comes from, for the contact data's source marker.
SOURCE = "staff"


@dataclass(frozen=True)
class ContactDetails:
    """What staff may correct; an empty phone removes a wrong number."""

    street: str
    postal_code: str
    city: str
    phone: str
    language: str


def correct_contact(
    session: Session,
    rt: Runtime,
    case: Case,
    details: ContactDetails,
    *,
    actor: User,
    address_key: Callable[[str, str], str],
) -> list[str]:
    """Write the corrected details onto the case's person; returns the changed fields' names.

    ``address_key`` is intake's matching key for an address (passed in: intake
    sits above this layer), so a later notice for the new address finds the person.
    """
    if case.status == "closed":
        raise CaseActionError("The case is closed.")
    street, postal_code = details.street.strip(), details.postal_code.strip()
    person = case.person
    if person.protected_address and not street and not postal_code:
        # The form never shows a protected address: left blank, it stays as it is.
        street, postal_code = person.street, person.postal_code
    if not street or not (postal_code.isdigit() and len(postal_code) == 4):
        raise CaseActionError("Write the street and a four-digit postal code.", "street")
    try:
        phone = normalize_phone(details.phone) if details.phone.strip() else None
    except ValueError:
        raise CaseActionError("Not a phone number.", "phone") from None
    try:
        language = normalize_language(details.language or "nb")
    except ValueError:
        raise CaseActionError("Not a language.", "language") from None
    changed = []
    city = details.city.strip() or person.city
    if (street, postal_code, city) != (person.street, person.postal_code, person.city):
        person.street, person.postal_code, person.city = street, postal_code, city
        person.address_key = address_key(street, postal_code)
        changed.append("address")
    if phone != person.phone:
        person.phone = phone
        person.sms_opted_out_at = None  # a new number has not opted out (numbers keep theirs)
        changed.append("phone")
    if language != person.language:
        person.language = language
        changed.append("language")
    # Staff's word is the most trusted (vocabulary.SOURCE_TRUST): a landlord's later
    # notice will not replace it, and what was reported for these fields is settled.
    person.contact_sources = {**(person.contact_sources or {}), **dict.fromkeys(changed, SOURCE)}
    person.reported = {k: v for k, v in (person.reported or {}).items() if k not in changed}
    if changed:
        timeline.record(
            session,
            case.id,
            "contact_corrected",
            rt.now(),
            actor=actor.username,
            fields=changed,
            source=SOURCE,
        )
    return changed
