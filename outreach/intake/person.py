"""What a trigger says about the tenant and the household, written onto the person and the case.

Newer contact details win and nothing known is erased by a sparser trigger. Each change
returns the names of the fields that changed, never their values: they go into the
``person_updated`` and ``household_updated`` events and decide whether the case is routed
again. This module changes when a trigger carries a new fact about the tenant.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from outreach.intake.matching import address_key, name_key, stored_tokens
from outreach.models import Case, Person, Trigger
from outreach.runtime import Runtime
from outreach.vocabulary import TRUSTED, trust_of


def _person_facts(person: Person) -> dict[str, Any]:
    """What a trigger may change on a person, by field name (for ``person_updated``)."""
    return {
        "name": person.name,
        "address": (person.street, person.postal_code, person.city),
        "national_id": person.national_id_hmac,
        "birth_date": person.birth_date,
        "phone": person.phone,
        "email": person.email,
        "email_consent": person.email_consent,
        "language": person.language,
        "protected_address": person.protected_address,
        "vulnerable": person.vulnerable,
    }


#: The contact fields whose source is kept; a less trusted sender never replaces them.
SOURCED = ("name", "address", "birth_date", "phone", "email", "language")


def _offered(tenant: dict[str, Any]) -> dict[str, Any]:
    """What a trigger says about each sourced field (absent: says nothing)."""
    address = tenant["address"]
    offered: dict[str, Any] = {
        "name": tenant["name"],
        "address": {
            "street": address["street"],
            "postal_code": address["postal_code"],
            "city": address.get("city") or "",
        },
    }
    for field in ("birth_date", "phone", "email"):
        if tenant.get(field):
            offered[field] = tenant[field]
    if tenant.get("language") and tenant["language"] != "nb":
        offered["language"] = tenant["language"]  # "nb" is the form's default, not a fact
    return offered


def _current(person: Person, field: str) -> Any:
    if field == "address":
        if not person.street:
            return None
        return {"street": person.street, "postal_code": person.postal_code, "city": person.city}
    if field == "language":
        return None if person.language in ("", "nb") else person.language
    return getattr(person, field) or None  # "" is nothing known


def _write(person: Person, field: str, value: Any) -> None:
    if field == "address":
        person.street = value["street"]
        person.postal_code = value["postal_code"]
        person.city = value["city"] or person.city
        person.address_key = address_key(value["street"], value["postal_code"])
    elif field == "name":
        person.name = value
        person.name_key = name_key(value)
        person.name_tokens = stored_tokens(value)  # normalised once, here (matching)
    elif field == "phone":
        if value != person.phone:
            person.sms_opted_out_at = None  # a new number has not opted out
        person.phone = value
    else:
        setattr(person, field, value)


def _same(field: str, current: Any, value: Any) -> bool:
    if field == "address" and current is not None:
        return address_key(current["street"], current["postal_code"]) == address_key(
            value["street"], value["postal_code"]
        )
    if field == "name" and current is not None:
        return name_key(current) == name_key(value)
    return bool(current == value)


def update_person(
    person: Person,
    tenant: dict[str, Any],
    rt: Runtime,
    *,
    source: str,
    party: bool = True,
    trigger_id: int | None = None,
) -> tuple[list[str], list[str]]:
    """Write what a trigger says about the tenant, by each field's source and trust.

    A field is written when it is empty, or when the sender is party to the case
    and trusted at least as much as whoever recorded it: a newer notice of
    equal trust wins, a landlord never replaces what staff, the tenant, the
    register or the bailiff recorded (issue 13, item 1). Anything not written
    that differs is kept in ``Person.reported`` for staff to confirm. A sender
    not party to the case writes nothing at all. Returns the names of the
    fields changed and of those reported – never their values: the timeline
    carries no personal data.
    """
    before = _person_facts(person)
    trust = trust_of(source)
    sources = dict(person.contact_sources or {})
    reported = dict(person.reported or {})
    reported_now: list[str] = []
    for field, value in _offered(tenant).items():
        current = _current(person, field)
        if current is not None and _same(field, current, value):
            if party and trust >= trust_of(sources.get(field)):
                sources[field] = source
            continue
        if party and (current is None or trust >= trust_of(sources.get(field))):
            _write(person, field, value)
            sources[field] = source
            reported.pop(field, None)
            continue
        reported[field] = _entry(value, source, rt, trigger_id)
        reported_now.append(field)
    if party:
        if tenant.get("national_id") and person.national_id_hmac is None:
            person.national_id_enc = rt.protector.encrypt(tenant["national_id"])
            person.national_id_hmac = rt.protector.lookup_hash(tenant["national_id"])
        if tenant.get("email_consent") is not None and trust >= trust_of(sources.get("email")):
            person.email_consent = bool(tenant["email_consent"])
        # Protection only ever grows, whoever asks for it.
        person.protected_address = person.protected_address or bool(tenant.get("protected_address"))
        person.vulnerable = person.vulnerable or bool(tenant.get("vulnerable"))
    person.contact_sources = sources
    person.reported = reported
    after = _person_facts(person)
    return [name for name, value in after.items() if before[name] != value], reported_now


def new_person(tenant: dict[str, Any], rt: Runtime, *, source: str) -> Person:
    person = Person(
        name="",  # written by ``update_person`` with its key and source
        name_key="",
        street="",
        postal_code="",
        city="",
        language=tenant.get("language") or "nb",
        contact_sources={},
        reported={},
    )
    update_person(person, tenant, rt, source=source)
    return person


def merge_person(session: Session, rt: Runtime, into: Person, case: Case) -> list[str]:
    """Make ``case``'s person one with ``into`` (a doubtful match decided "same person").

    The case's person came with the newer notice: each of its fields wins
    where its source is trusted at least as much as ``into``'s (issue 12,
    item 2: "same name and birth date, new address" is the typical doubtful
    match, and letters must go to the new address). The case then points at
    ``into`` and the other row goes, so one person has one history. Returns
    the names of the fields changed.
    """
    other = case.person
    if other.id == into.id:
        return []
    before = _person_facts(into)
    sources = dict(into.contact_sources or {})
    for field in SOURCED:
        value = _current(other, field)
        if value is None:
            continue
        source = (other.contact_sources or {}).get(field)
        if _current(into, field) is None or trust_of(source) >= trust_of(sources.get(field)):
            _write(into, field, value)
            if source:
                sources[field] = source
    into.contact_sources = sources
    into.reported = {**(other.reported or {}), **(into.reported or {})}
    into.protected_address = into.protected_address or other.protected_address
    into.vulnerable = into.vulnerable or other.vulnerable
    into.email_consent = into.email_consent or other.email_consent
    national_enc, national_hmac = other.national_id_enc, other.national_id_hmac
    case.person = into
    session.flush()
    if session.scalar(select(Case.id).where(Case.person_id == other.id).limit(1)) is None:
        session.delete(other)
        session.flush()  # the national id's unique index is free for ``into``
    if into.national_id_hmac is None and national_hmac is not None:
        into.national_id_enc, into.national_id_hmac = national_enc, national_hmac
    after = _person_facts(into)
    return [name for name, value in after.items() if before[name] != value]


def merge_household(earlier: Case, new_case: Case, moved: list[Trigger]) -> list[str]:
    """The household facts of a merged case, by source, and the newest authority's date."""
    before = _household_facts(earlier)
    sources = dict(earlier.fact_sources or {})
    for field, attr in (("children", "children_ages"), ("adults", "adults")):
        value = getattr(new_case, attr)
        if not value and value != 0:
            continue
        source = (new_case.fact_sources or {}).get(field)
        if not getattr(earlier, attr) or trust_of(source) >= trust_of(sources.get(field)):
            setattr(earlier, attr, value)
            if source:
                sources[field] = source
    earlier.fact_sources = sources
    authority = any(t.source_type in DATE_AUTHORITIES and t.eviction_date for t in moved)
    if new_case.eviction_date is not None and (earlier.eviction_date is None or authority):
        earlier.eviction_date = new_case.eviction_date
    after = _household_facts(earlier)
    return [name for name, value in after.items() if before[name] != value]


#: Senders whose eviction date replaces the case's, whichever way it moves.
DATE_AUTHORITIES = frozenset({"bailiff", "court", "staff"})


def apply_household(
    case: Case, data: dict[str, Any], rt: Runtime, *, party: bool = True
) -> list[str]:
    """Household, client and eviction facts; returns the names of the changed fields.

    Household facts follow the contact fields' rule (``update_person``): a
    landlord fills what nobody trusted recorded but never replaces it – ages
    from a landlord must not switch off the child-welfare rule – and what it
    says otherwise is kept as reported. The client status comes from trusted
    senders only: it forwards a case. The caller applies this only for a
    sender party to the case; a sender that is not has all it says reported.
    """
    before = _household_facts(case)
    source = data["source"]["type"]
    trust = trust_of(source)
    sources = dict(case.fact_sources or {})
    household = data.get("household") or {}
    offered = {"children": sorted(household.get("children") or []) or None}
    offered["adults"] = household.get("adults")
    current = {"children": list(case.children_ages or []) or None, "adults": case.adults}
    for field, value in offered.items():
        if value is None or value == current[field]:
            continue
        if party and (current[field] is None or trust >= trust_of(sources.get(field))):
            setattr(case, "children_ages" if field == "children" else field, value)
            sources[field] = source
        else:
            _report(case.person, field, value, source, rt)
    case.fact_sources = sources
    if not party:
        return []
    client = data.get("client") or {}
    if client.get("status") and client["status"] != "none" and trust >= TRUSTED:
        case.client_status = client["status"]
        case.client_district = client.get("district")
    eviction_date = data.get("eviction_date")
    if eviction_date is not None and (case.eviction_date is None or source in DATE_AUTHORITIES):
        # The bailiff's (or the court's, or staff's) newest date is the date,
        # earlier or later: a postponement after a payment plan is normal
        # (issue 12, item 4). Another sender's date only fills an empty one.
        case.eviction_date = eviction_date
    after = _household_facts(case)
    return [name for name, value in after.items() if before[name] != value]


def _entry(value: Any, source: str, rt: Runtime, trigger_id: int | None = None) -> dict[str, Any]:
    """One value a sender reported, as ``Person.reported`` keeps it for staff."""
    return {
        "value": value.isoformat() if hasattr(value, "isoformat") else value,
        "source": source,
        "trigger_id": trigger_id,
        "at": rt.now().isoformat(),
    }


def _report(person: Person, field: str, value: Any, source: str, rt: Runtime) -> None:
    person.reported = {**(person.reported or {}), field: _entry(value, source, rt)}


def _household_facts(case: Case) -> dict[str, Any]:
    return {
        "children": list(case.children_ages or []),
        "adults": case.adults,
        "client_status": case.client_status,
        "client_district": case.client_district,
        "eviction_date": case.eviction_date,
    }
