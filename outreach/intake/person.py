"""What a trigger says about the tenant and the household, written onto the person and the case.

Newer contact details win and nothing known is erased by a sparser trigger. Each change
returns the names of the fields that changed, never their values: they go into the
``person_updated`` and ``household_updated`` events and decide whether the case is routed
again. This module changes when a trigger carries a new fact about the tenant.
"""

from __future__ import annotations

from typing import Any

from outreach.intake.matching import address_key, name_key
from outreach.models import Case, Person
from outreach.runtime import Runtime


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


def update_person(person: Person, tenant: dict[str, Any], rt: Runtime) -> list[str]:
    """Newer contact details win; nothing known is erased by a sparser trigger.

    Returns the names of the fields that changed – never their values: the
    timeline says *that* the address changed, the person page shows the new
    one to those who may see it (timeline.py: no personal data in events).
    """
    before = _person_facts(person)
    address = tenant["address"]
    person.name = tenant["name"]
    person.name_key = name_key(tenant["name"])
    person.street = address["street"]
    person.postal_code = address["postal_code"]
    person.city = address.get("city") or person.city
    person.address_key = address_key(address["street"], address["postal_code"])
    if tenant.get("national_id") and person.national_id_hmac is None:
        person.national_id_enc = rt.protector.encrypt(tenant["national_id"])
        person.national_id_hmac = rt.protector.lookup_hash(tenant["national_id"])
    if tenant.get("birth_date"):
        person.birth_date = tenant["birth_date"]
    if tenant.get("phone"):
        if tenant["phone"] != person.phone:
            person.sms_opted_out_at = None  # a new number has not opted out
        person.phone = tenant["phone"]
    if tenant.get("email"):
        person.email = tenant["email"]
    if tenant.get("email_consent") is not None:
        person.email_consent = bool(tenant["email_consent"])
    if tenant.get("language") and tenant["language"] != "nb":
        person.language = tenant["language"]
    person.protected_address = person.protected_address or bool(tenant.get("protected_address"))
    person.vulnerable = person.vulnerable or bool(tenant.get("vulnerable"))
    after = _person_facts(person)
    return [name for name, value in after.items() if before[name] != value]


def new_person(tenant: dict[str, Any], rt: Runtime) -> Person:
    person = Person(name=tenant["name"], name_key="", language=tenant.get("language") or "nb")
    update_person(person, tenant, rt)
    return person


#: Senders whose eviction date replaces the case's, whichever way it moves.
DATE_AUTHORITIES = frozenset({"bailiff", "court", "staff"})


def apply_household(case: Case, data: dict[str, Any]) -> list[str]:
    """Household, client and eviction facts; returns the names of the changed fields."""
    before = _household_facts(case)
    household = data.get("household") or {}
    if household.get("children"):
        case.children_ages = sorted(household["children"])
    if household.get("adults") is not None:
        case.adults = household["adults"]
    client = data.get("client") or {}
    if client.get("status") and client["status"] != "none":
        case.client_status = client["status"]
        case.client_district = client.get("district")
    eviction_date = data.get("eviction_date")
    source = (data.get("source") or {}).get("type")
    if eviction_date is not None and (case.eviction_date is None or source in DATE_AUTHORITIES):
        # The bailiff's (or the court's, or staff's) newest date is the date,
        # earlier or later: a postponement after a payment plan is normal
        # (issue 12, item 4). Another sender's date only fills an empty one.
        case.eviction_date = eviction_date
    after = _household_facts(case)
    return [name for name, value in after.items() if before[name] != value]


def _household_facts(case: Case) -> dict[str, Any]:
    return {
        "children": list(case.children_ages or []),
        "adults": case.adults,
        "client_status": case.client_status,
        "client_district": case.client_district,
        "eviction_date": case.eviction_date,
    }
