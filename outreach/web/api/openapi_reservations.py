"""The staff reservations' part of the OpenAPI document (``openapi.py`` builds the rest).

Apart, as ``openapi_lists``, so ``openapi.py`` stays of a readable size; it passes in
its helpers rather than being imported from here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from outreach.web.api import examples as ex

Op = Callable[..., dict[str, Any]]
Json = Callable[[str, Any, Any], dict[str, Any]]

_STAFF_RESERVED = {
    "id": 1,
    "landlord_id": 1,
    "landlord_name": "Torshov Utleie AS",
    "registered_at": "2026-12-01T10:00:00+01:00",
    "registered_by": "staff",
}


def paths(op: Op, json_: Json, list_of: Callable[[str], Any], staff: Any) -> dict[str, Any]:
    return {
        "/api/v1/cases/{case_id}/reservations": {
            "get": op(
                "The tenant's reservations in force that staff registered (husleieloven § 9-11)",
                staff,
                {
                    "200": json_(
                        "The reservations", list_of("StaffReservationResult"), [_STAFF_RESERVED]
                    )
                },
            ),
            "post": op(
                "Register the tenant's reservation against a landlord's warnings on the "
                "tenant's behalf; the case's warnings from that landlord are refused at once",
                staff,
                {
                    "201": json_(
                        "Registered (or registered already: the same reservation)",
                        "StaffReservationResult",
                        _STAFF_RESERVED,
                    )
                },
                body=("StaffReservation", {"landlord_id": 1}),
            ),
        },
        "/api/v1/cases/{case_id}/reservations/{reservation_id}": {
            "delete": op(
                "Withdraw a reservation staff registered",
                staff,
                {"200": json_("Withdrawn", "StaffReservationResult", _STAFF_RESERVED)},
            )
        },
    }


def landlord_paths(
    op: Op, json_: Json, list_of: Callable[[str], Any], landlord: Any
) -> dict[str, Any]:
    """The landlord's own reservations: what it registered, never what NAV knows."""
    return {
        "/api/v1/landlord/reservations": {
            "post": op(
                "Register a tenant's reservation against warnings",
                landlord,
                {"201": json_("Registered", "ReservationResult", ex.RESERVATION_RESULT)},
                body=("Reservation", ex.RESERVATION),
            ),
            "get": op(
                "Your tenants' reservations in force",
                landlord,
                {
                    "200": json_(
                        "The reservations", list_of("ReservationResult"), [ex.RESERVATION_RESULT]
                    )
                },
            ),
        },
        "/api/v1/landlord/reservations/{reservation_id}": {
            "delete": op(
                "Withdraw a reservation",
                landlord,
                {"200": json_("Withdrawn", "ReservationResult", ex.RESERVATION_RESULT)},
            )
        },
    }
