"""Who the tenant is told to call: the case's caseworker, else the duty contact of the
office that holds the case – its district's, or central intake's while no district has it.

Letters, SMS, e-mails and call tasks all print the same person, so the rule lives in one
place below the channels. It is read when a text is written, not when a step is planned:
a case routed after its letter was planned gets the district's contact on everything
not yet sent (issue 12, item 6).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from outreach.districts import central_intake
from outreach.letters.model import Office

if TYPE_CHECKING:
    from outreach.models import Case


@dataclass(frozen=True)
class HoldingOffice:
    """The office a case's texts speak for: the district's, or central intake (code "")."""

    code: str
    office_name: str
    street: str
    postal_code: str
    city: str
    opening_hours: str
    duty_contact_name: str
    duty_contact_phone: str

    def for_letter(self) -> Office:
        """The letterhead and the «come to our office» paragraph of a letter."""
        return Office(
            district_code=self.code,
            name=self.office_name,
            street=self.street,
            postal_code=self.postal_code,
            city=self.city,
            opening_hours=self.opening_hours,
            phone=self.duty_contact_phone,
        )


def holding_office(case: Case) -> HoldingOffice:
    district = case.district
    if district is not None:
        return HoldingOffice(
            code=district.code,
            office_name=district.office_name or district.name,
            street=district.street,
            postal_code=district.postal_code,
            city=district.city,
            opening_hours=district.opening_hours,
            duty_contact_name=district.duty_contact_name,
            duty_contact_phone=district.duty_contact_phone,
        )
    # No district: the case is central intake's until someone routes it.
    central = central_intake()
    return HoldingOffice(
        code="",
        office_name=central.office_name,
        street=central.office_street_address,
        postal_code=central.office_postal_code,
        city="Oslo",
        opening_hours=central.opening_hours,
        duty_contact_name=central.duty_contact_name,
        duty_contact_phone=central.duty_contact_phone,
    )


def contact_person(case: Case) -> tuple[str, str]:
    if case.caseworker is not None and case.caseworker.phone:
        return case.caseworker.display_name, case.caseworker.phone
    office = holding_office(case)
    if office.duty_contact_name:
        return office.duty_contact_name, office.duty_contact_phone
    return "", ""
