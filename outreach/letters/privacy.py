"""Who the tenant letter names as the data protection officer (GDPR article 14).

The tenant did not give us the data (the landlord, bailiff or court did), so the first
letter must say who is responsible and how to reach the data protection officer
(article 14(1)(a)-(b)). In Oslo each district (bydel) is the controller for its own
social services and names its own officer, so the contact is configured per district in
``outreach/data/oslo_districts.csv`` (column ``privacy_contact``). The shipped values
are placeholders marked ``(DEMO)`` under the reserved ``.example`` domain: replace them
with the districts' real contact before letters go out.

Read straight from the CSV rather than the ``districts`` table: the contact is only
printed, never queried, and needs no migration.
"""

from __future__ import annotations

import csv
from functools import lru_cache
from pathlib import Path

from outreach.districts import DISTRICTS_FILE

#: Marks a value that is a placeholder, not a real contact.
DEMO_MARK = "(DEMO)"


@lru_cache(maxsize=4)
def privacy_contacts(path: Path = DISTRICTS_FILE) -> dict[str, str]:
    """District code -> the data protection officer's contact, as configured."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return {
            (row.get("code") or "").strip(): (row.get("privacy_contact") or "").strip()
            for row in csv.DictReader(handle)
        }


def privacy_contact(district_code: str) -> str:
    """The contact for a district's letters; "" when none is configured."""
    return privacy_contacts().get(district_code, "")


def is_placeholder(contact: str) -> bool:
    return DEMO_MARK in contact or contact.endswith(".example")
