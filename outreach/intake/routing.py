"""Which district's NAV office owns the case.

Order (issue 2): a district given in the trigger (population register or the
bailiff) wins; else the address table; else the central *unrouted* queue. On
top, the circular's rules (000, "Henvendelsen blir mottatt"):

- active client case at another office: «videreformidles informasjonen
  umiddelbart» – the case goes there at once;
- passive case at another office: «må saken overføres ut fra
  adressetilhørighet» – the case follows the address, and the client file is
  asked to be transferred;
- no client relationship, address in another district than the one that
  received it: «skal henvendelsen likevel alltid videreformidles … umiddelbart».

Pure: returns a decision and the forwards to record; the caller writes them.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from outreach.districts import lookup_district

# The street's name, then the house number: the first number after a space or
# a comma. What follows the number (a letter, a flat number, a range) is the
# house number's to read; the name itself may hold anything but end in a digit.
_STREET_LINE = re.compile(r"^(?P<street>.*?\D)[\s,]+(?P<number>\d.*)$")


def split_street_line(line: str) -> tuple[str, str]:
    """``"Tøyengata 12 H0101"`` -> ``("Tøyengata", "12 H0101")``; no number -> ``(line, "")``.

    The address table's rule: the district follows the entrance, never the flat,
    so a flat number after the house number (``12 H0101``, ``12, H0101``) must
    not make the line unreadable (:func:`parse_house_number` ignores it).
    """
    text = unicodedata.normalize("NFC", line).strip()
    match = _STREET_LINE.match(text)
    if match is None:
        return text, ""
    return match["street"].strip(" ,"), match["number"].strip()


@dataclass(frozen=True)
class Forward:
    from_district: str | None
    to_district: str
    reason: str
    event: str = "forwarded"


@dataclass(frozen=True)
class RoutingDecision:
    district: str | None
    method: str  # given | address | client_active | client_passive | unrouted
    address_district: str | None
    forwards: tuple[Forward, ...] = field(default_factory=tuple)


def address_district(street: str, postal_code: str) -> str | None:
    """The district of a street line ("Tøyengata 12 H0101"): the entrance, never the flat."""
    name, number = split_street_line(street)
    found = lookup_district(name, number, postal_code)
    return found.code if found is not None and found.routable else None


def route(
    *,
    given_district: str | None,
    street: str,
    postal_code: str,
    client_status: str,
    client_district: str | None,
    received_by: str | None,
) -> RoutingDecision:
    """Where the case belongs, and the forwards from ``received_by`` to get there.

    ``received_by`` is whoever holds the case now: the office whose user sent
    the trigger, or – when a later trigger brings new facts – the case's
    current district (``reroute.reroute``). An address that cannot be placed
    goes to the central unrouted queue (issue 2), even when a staff user sent
    it: the sender's office is not the tenant's office.
    """
    by_address = address_district(street, postal_code)
    home = given_district or by_address
    method = "given" if given_district else ("address" if by_address else "unrouted")
    holder = received_by or home

    if client_status == "active" and client_district:
        # «aktiv sosialsak ved et NAV-kontor i en annen bydel, videreformidles
        # informasjonen umiddelbart»: the active case's office keeps it, also
        # when the address lies elsewhere.
        forwards: tuple[Forward, ...] = ()
        if holder is not None and holder != client_district:
            forwards = (Forward(holder, client_district, "active client case at another office"),)
        return RoutingDecision(client_district, "client_active", by_address, forwards)
    if client_status == "passive" and client_district and client_district != home:
        # «passiv sak ved et annet NAV-kontor, må saken overføres ut fra
        # adressetilhørighet»; with no address that places it, the office with
        # the passive file is the one that knows the tenant.
        target = home or client_district
        passive: list[Forward] = []
        if home:
            passive.append(
                Forward(
                    client_district,
                    home,
                    "passive client case elsewhere: transferred by address",
                    event="client_file_transfer",
                )
            )
        if received_by and received_by != target:
            passive.append(Forward(received_by, target, "passive client case: by address"))
        return RoutingDecision(
            target, method if home else "client_passive", by_address, tuple(passive)
        )
    if received_by and home and received_by != home:
        return RoutingDecision(
            district=home,
            method=method,
            address_district=by_address,
            forwards=(Forward(received_by, home, "address belongs to another district"),),
        )
    return RoutingDecision(home, method, by_address)
