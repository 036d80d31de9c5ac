"""Who the tenant is told to call: the case's caseworker, else the district's duty contact.

Letters, SMS and call tasks all print the same person, so the rule lives in one
place below the channels.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from outreach.models import Case


def contact_person(case: Case) -> tuple[str, str]:
    if case.caseworker is not None and case.caseworker.phone:
        return case.caseworker.display_name, case.caseworker.phone
    district = case.district
    if district is not None and district.duty_contact_name:
        return district.duty_contact_name, district.duty_contact_phone
    return "", ""
