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
from dataclasses import dataclass, field

from outreach.districts import lookup_district

_NUMBERED = re.compile(r"^(?P<street>.*?)[\s,]+(?P<number>\d+\s*[A-Za-z]?)\s*$")


@dataclass(frozen=True)
class Forward:
    from_district: str | None
    to_district: str
    reason: str
    event: str = "forwarded"


@dataclass(frozen=True)
class RoutingDecision:
    district: str | None
    method: str  # given | address | client_active | unrouted
    address_district: str | None
    forwards: tuple[Forward, ...] = field(default_factory=tuple)


def address_district(street: str, postal_code: str) -> str | None:
    match = _NUMBERED.match(street.strip())
    if match is None:
        found = lookup_district(street.strip(), "", postal_code)
    else:
        found = lookup_district(match["street"], match["number"], postal_code)
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
    by_address = address_district(street, postal_code)
    home = given_district or by_address
    method = "given" if given_district else ("address" if by_address else "unrouted")
    first_holder = received_by or home

    if client_status == "active" and client_district and client_district != first_holder:
        return RoutingDecision(
            district=client_district,
            method="client_active",
            address_district=by_address,
            forwards=(
                Forward(first_holder, client_district, "active client case at another office"),
            ),
        )
    if client_status == "passive" and client_district and client_district != home:
        target = home or client_district
        forwards: list[Forward] = []
        if home:
            forwards.append(
                Forward(
                    client_district,
                    home,
                    "passive client case elsewhere: transferred by address",
                    event="client_file_transfer",
                )
            )
        if received_by and received_by != target:
            forwards.append(Forward(received_by, target, "passive client case: by address"))
        return RoutingDecision(target, method, by_address, tuple(forwards))
    if received_by and home and received_by != home:
        return RoutingDecision(
            district=home,
            method=method,
            address_district=by_address,
            forwards=(Forward(received_by, home, "address belongs to another district"),),
        )
    if home is None and received_by:
        # Nothing else known: the receiving office keeps it rather than the
        # central queue, since it already has a person looking at it.
        return RoutingDecision(received_by, "received_by", by_address)
    return RoutingDecision(home, method, by_address)
