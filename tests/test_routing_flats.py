"""A flat number never changes where an address is routed (issue 12, item 7).

The address table's own rule: the district follows the entrance, not the flat.
"Tøyengata 12 H0101" and "Tøyengata 12, H0101" were unroutable before, since the
street line was only read when it ended in the house number.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from outreach.districts import default_address_table, parse_house_number
from outreach.intake.routing import address_district, split_street_line


@pytest.mark.parametrize(
    "line",
    ["Tøyengata 12 H0101", "Tøyengata 12, H0101", "Tøyengata 12B, H0203", "Tøyengata 12 h0101"],
)
def test_a_flat_number_after_the_house_number_is_routed_by_the_entrance(line: str) -> None:
    assert address_district(line, "0190") == address_district("Tøyengata 12", "0190") == "030101"


def test_the_street_line_splits_at_the_first_number() -> None:
    assert split_street_line("Tøyengata 12 H0101") == ("Tøyengata", "12 H0101")
    assert split_street_line("Thorvald Meyers gate 5, H0302") == (
        "Thorvald Meyers gate",
        "5, H0302",
    )
    assert split_street_line("Tøyengata") == ("Tøyengata", "")
    assert parse_house_number("12, H0101") == (12, "")


# Rows of the shipped table that route (a district, not Sentrum or Marka).
ROWS = [r for r in default_address_table() if r.district_code not in ("030116", "030117")]

flats = st.builds(
    lambda sep, floor, door: f"{sep}H{floor:02d}{door:02d}",
    st.sampled_from([" ", ", ", " ,", "  "]),
    st.integers(1, 30),
    st.integers(1, 20),
)


@settings(max_examples=200, deadline=None)
@given(row=st.sampled_from(ROWS), data=st.data(), flat=flats, letter=st.sampled_from(["", "B"]))
def test_no_flat_number_changes_the_district(row, data, flat: str, letter: str) -> None:  # type: ignore[no-untyped-def]
    high = min(row.number_to, row.number_from + 400)
    number = data.draw(st.integers(row.number_from, high).filter(row.covers))
    entrance = f"{row.street} {number}{letter}"
    assert address_district(entrance + flat, row.postal_code or "") == address_district(
        entrance, row.postal_code or ""
    )
