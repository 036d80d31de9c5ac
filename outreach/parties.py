"""Who a copy letter goes to: the bailiff, the plaintiff or the landlord, with a postal address.

The circular (seeds/000, «Videre saksbehandling») sends a copy of the tenant letter to the
bailiff after a petition («kopi sendes til namsfogden»), to the plaintiff after a notice of
forced sale («kopi sendes til saksøker») and, when the caseworker chooses, to the landlord.
The notice comes from the bailiff or the court, so the plaintiff's or landlord's name and
address must come with the trigger document (``counterpart``); the sender's own address is
``source.address``. A copy needs a postal address: a letter with only a name in the window
cannot be posted, so without one the copy step is skipped (``no_postal_address``) rather
than printed.

Kept free of the renderer (no WeasyPrint import): batching and ``simulate`` use it too.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from outreach.vocabulary import LANDLORD_SOURCES

if TYPE_CHECKING:
    from outreach.models import Trigger

NO_POSTAL_ADDRESS = "no_postal_address"


@dataclass(frozen=True)
class Party:
    name: str
    street: str
    postal_code: str
    city: str

    @property
    def line(self) -> str:
        """One line for the attempt's recipient (the print list, the timeline)."""
        return f"{self.name}, {self.street}, {self.postal_code} {self.city}"


def store_parties(trigger: Trigger, data: dict[str, Any]) -> None:
    """Copy ``source.address`` and ``counterpart`` from a loaded trigger document (intake)."""
    address = data["source"].get("address") or {}
    trigger.source_street = address.get("street")
    trigger.source_postal_code = address.get("postal_code")
    trigger.source_city = address.get("city")
    counterpart = data.get("counterpart") or {}
    if not counterpart:
        return
    trigger.counterpart_role = counterpart.get("role")
    trigger.counterpart_name = counterpart.get("name")
    trigger.counterpart_org_number = counterpart.get("org_number")
    where = counterpart.get("address") or {}
    trigger.counterpart_street = where.get("street")
    trigger.counterpart_postal_code = where.get("postal_code")
    trigger.counterpart_city = where.get("city")


def postal_party(
    name: str | None, street: str | None, postal_code: str | None, city: str | None
) -> Party | None:
    if not (name and street and postal_code):
        return None
    return Party(name, street, postal_code, city or "")


def source_party(trigger: Trigger) -> Party | None:
    return postal_party(
        trigger.source_name, trigger.source_street, trigger.source_postal_code, trigger.source_city
    )


def counterpart(trigger: Trigger, role: str | None = None) -> Party | None:
    """The landlord or plaintiff the trigger names, if it gave a postal address."""
    if role is not None and trigger.counterpart_role != role:
        return None
    return postal_party(
        trigger.counterpart_name,
        trigger.counterpart_street,
        trigger.counterpart_postal_code,
        trigger.counterpart_city,
    )


def counterpart_name(trigger: Trigger) -> str:
    """The landlord's or plaintiff's name for the tenant letter ("your landlord X ...").

    The counterpart named in the document, else the sender when the sender is the landlord.
    """
    if trigger.counterpart_name:
        return trigger.counterpart_name
    if trigger.source_type in LANDLORD_SOURCES:
        return trigger.source_name or ""
    return ""


def copy_recipient(trigger: Trigger | None, audience: str) -> Party | None:
    """Name and postal address for a copy, or None when the copy cannot be posted.

    * ``copy_bailiff``: the sender, when the sender is the bailiff (the petition's copy);
    * ``copy_plaintiff``: the counterpart with role ``plaintiff`` (never the court that
      sent the notice);
    * ``copy_landlord``: the counterpart with role ``landlord``, else the sender when the
      sender is the landlord.
    """
    if trigger is None:
        return None
    if audience == "copy_bailiff":
        return source_party(trigger) if trigger.source_type == "bailiff" else None
    if audience == "copy_plaintiff":
        return counterpart(trigger, "plaintiff")
    if audience == "copy_landlord":
        found = counterpart(trigger, "landlord")
        if found is None and trigger.source_type in LANDLORD_SOURCES:
            found = source_party(trigger)
        return found
    return None
