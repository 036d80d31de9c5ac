"""Builders for test data: valid by default, overridable field by field."""

from __future__ import annotations

import copy
from typing import Any

W1 = (3, 7, 6, 1, 8, 9, 4, 5, 2)
W2 = (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)


def _mod11(digits: str, weights: tuple[int, ...]) -> int | None:
    check = 11 - sum(int(d) * w for d, w in zip(digits, weights, strict=True)) % 11
    return {11: 0, 10: None}.get(check, check)


def national_id(day: int, month: int, year: int, individual: int = 123) -> str:
    """A fødselsnummer with valid check digits (1900-1999: individual 000-499)."""
    for ind in range(individual, individual + 50):
        base = f"{day:02d}{month:02d}{year % 100:02d}{ind:03d}"
        k1 = _mod11(base, W1)
        if k1 is None:
            continue
        k2 = _mod11(base + str(k1), W2)
        if k2 is None:
            continue
        return f"{base}{k1}{k2}"
    raise AssertionError("no usable individual number")


def deep_merge(base: dict[str, Any], overrides: dict[str, Any]) -> dict[str, Any]:
    result = copy.deepcopy(base)
    for key, value in overrides.items():
        if isinstance(value, dict) and isinstance(result.get(key), dict):
            result[key] = deep_merge(result[key], value)
        else:
            result[key] = value
    return result


def trigger(**overrides: Any) -> dict[str, Any]:
    """An eviction petition for a family in Gamle Oslo, received Tue 1 Dec 2026."""
    base: dict[str, Any] = {
        "kind": "eviction_petition",
        "received_at": "2026-12-01T10:00:00+01:00",
        "source": {
            "type": "bailiff",
            "name": "Oslo namsfogdkontor",
            "reference": "NF-1",
            "address": {"street": "Postboks 8024 Dep", "postal_code": "0030", "city": "Oslo"},
        },
        "tenant": {
            "name": "Amina Hassan",
            "birth_date": "1988-04-12",
            "address": {"street": "Tøyengata 12", "postal_code": "0190", "city": "Oslo"},
            "phone": "+4741234567",
            "language": "so",
        },
        "household": {"children": [4, 9], "adults": 1},
        "arrears_amount": "38500.00",
    }
    return deep_merge(base, overrides)


#: Boligbygg as the landlord a petition names, and as a sender: its later notices
#: about the tenant count because it is party to the case (intake.trust).
BOLIGBYGG_ORG = "874778702"
BOLIGBYGG_COUNTERPART = {
    "role": "landlord",
    "name": "Boligbygg Oslo KF",
    "org_number": BOLIGBYGG_ORG,
}
BOLIGBYGG = {"type": "municipal_landlord", "name": "Boligbygg Oslo KF", "org_number": BOLIGBYGG_ORG}
