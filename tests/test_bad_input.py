"""What a client sends never makes a 500 (issue 13, item 14).

An id above 2^63 on an ``<int:>`` route, JSON nested a thousand deep and a
lone surrogate in a string each reached the database or the parser and came
back as a server error.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.factories import trigger

HUGE = "9" * 25


@pytest.mark.parametrize("path", [f"/api/v1/cases/{HUGE}", f"/api/v1/cases/{HUGE}/timeline"])
def test_an_id_beyond_the_database_is_no_such_case(
    client: Any, staff_token: str, path: str
) -> None:
    response = client.get(path, headers={"Authorization": f"Bearer {staff_token}"})
    assert response.status_code == 404


def test_a_huge_id_on_a_staff_page_is_a_404(client: Any) -> None:
    assert client.get(f"/staff/saker/{HUGE}").status_code in (302, 404)


def test_json_nested_a_thousand_deep_is_a_400(client: Any, system_token: str) -> None:
    body = "[" * 1000 + "]" * 1000
    response = client.post(
        "/api/v1/triggers",
        data=body,
        headers={"Authorization": f"Bearer {system_token}", "Content-Type": "application/json"},
    )
    assert response.status_code == 400


def test_a_lone_surrogate_is_a_422_naming_the_field(client: Any, system_token: str) -> None:
    import json

    text = json.dumps(trigger()).replace('"Amina Hassan"', '"Amina \\ud800 Hassan"')
    response = client.post(
        "/api/v1/triggers",
        data=text,
        headers={"Authorization": f"Bearer {system_token}", "Content-Type": "application/json"},
    )
    assert response.status_code == 422
    assert "tenant.name" in response.get_json()["errors"]
