"""A reservation holds against the tenant's name however the landlord writes it (issue 13, item 3).

Before, a reservation matched only the exact normalised name with the birth
date: "Fatima Ali Yusuf" passed a reservation for "Fatima Yusuf", a letter was
posted to someone who had reserved against exactly that. Reservations now use
person matching's close-name rules; a doubtful one is refused with the reason.
"""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from outreach.intake.landlord_schema import load_reservation, load_warning
from outreach.landlords.warnings import (
    LandlordError,
    ensure_landlord,
    register_reservation,
    submit_warning,
    withdraw_reservation,
)
from outreach.models import Trigger
from tests.factories import national_id

_refs = itertools.count(1)
_orgs = itertools.cycle(["921184530", "987654325", "923609016", "874778702"])


def _warning(name: str, birth: str, **tenant: Any) -> dict[str, Any]:
    return load_warning(
        {
            "reference": f"HL-{next(_refs)}",
            "tenant": {
                "name": name,
                "birth_date": birth,
                "address": {"street": "Tøyengata 12", "postal_code": "0190", "city": "Oslo"},
            }
            | tenant,
            "arrears_amount": "24500",
            "declarations": {"tenant_not_reserved": True, "tenant_informed": True},
        }
    )


def _reserve(rt: Any, session: Any, org: str, name: str, birth: str, **extra: Any) -> Any:
    landlord = ensure_landlord(session, org, f"Utleier {org}")
    doc = {"label": "Kontrakt 7", "name": name, "birth_date": birth} | extra
    return landlord, register_reservation(session, rt, landlord, load_reservation(doc))


@pytest.mark.parametrize(
    ("reserved", "warned", "code"),
    [
        ("Fatima Yusuf", "Fatima Ali Yusuf", "tenant_possibly_reserved"),
        ("Omar Haddad Yusuf", "Omar Yusuf", "tenant_possibly_reserved"),
        ("Maria Nowak", "Maria T. Nowak", "tenant_possibly_reserved"),
        ("Mohammed Hassan", "Muhammad Hasan", "tenant_possibly_reserved"),
        ("Nora Berg", "Berg, Nora", "tenant_reserved"),
    ],
)
def test_a_name_variant_is_refused(rt: Any, reserved: str, warned: str, code: str) -> None:
    with rt.session() as session:
        landlord, _ = _reserve(rt, session, next(_orgs), reserved, "1985-03-02")
        with pytest.raises(LandlordError) as refused:
            submit_warning(session, rt, landlord, _warning(warned, "1985-03-02"), via="api")
        assert refused.value.code == code
        assert "Kontrakt 7" in str(refused.value)
        assert session.scalar(select(func.count(Trigger.id))) == 0


def test_another_birth_date_or_national_id_is_another_person(rt: Any) -> None:
    with rt.session() as session:
        nid = national_id(2, 3, 1985)
        landlord, row = _reserve(
            rt, session, "921184530", "Fatima Yusuf", "1985-03-02", national_id=nid
        )
        submit_warning(session, rt, landlord, _warning("Fatima Ali Yusuf", "1986-03-02"), via="api")
        other = national_id(2, 3, 1985, individual=200)
        submit_warning(
            session, rt, landlord, _warning("Fatima Yusuf", "1985-03-02", national_id=other),
            via="api",
        )  # fmt: skip
        withdraw_reservation(session, rt, landlord, row.id)
        submit_warning(session, rt, landlord, _warning("Fatima Yusuf", "1985-03-02"), via="api")
        assert session.scalar(select(func.count(Trigger.id))) == 3


def test_the_reserved_name_is_stored_encrypted(rt: Any) -> None:
    with rt.session() as session:
        _, row = _reserve(rt, session, "921184530", "Fatima Yusuf", "1985-03-02")
        assert b"Fatima" not in row.name_enc and "1985" not in (row.birth_hmac or "")


given_names = st.sampled_from(["Fatima", "Omar", "Maria", "Amina", "Yusuf", "Nora"])
family_names = st.sampled_from(["Yusuf", "Haddad", "Nowak", "Hassan", "Berg", "Ali"])


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    given_name=given_names,
    middle=st.one_of(st.none(), family_names, st.just("T.")),
    family=family_names,
    swap=st.booleans(),
)
def test_any_middle_name_or_order_still_meets_the_reservation(
    rt: Any, given_name: str, middle: str | None, family: str, swap: bool
) -> None:
    """The invariant: a warning naming the reserved tenant with a middle name added or
    the names swapped never gets through, whatever the names are."""
    parts = [given_name, *([middle] if middle else []), family]
    warned = " ".join(reversed(parts) if swap else parts)
    with rt.session() as session:
        landlord, _ = _reserve(rt, session, next(_orgs), f"{given_name} {family}", "1990-01-01")
        with pytest.raises(LandlordError):
            submit_warning(session, rt, landlord, _warning(warned, "1990-01-01"), via="api")
        for row in landlord_rows(session, landlord):
            withdraw_reservation(session, rt, landlord, row)


def landlord_rows(session: Any, landlord: Any) -> list[int]:
    from outreach.models.landlord import WarningReservation

    return list(
        session.scalars(
            select(WarningReservation.id).where(
                WarningReservation.landlord_id == landlord.id,
                WarningReservation.withdrawn_at.is_(None),
            )
        )
    )
