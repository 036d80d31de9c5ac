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


# PostgreSQL's INTEGER ids end at 2^31 - 1: an id between that and 2^63 reached the
# query and came back as a 500 ("integer out of range") where SQLite answered 404.
@pytest.mark.parametrize(
    "path",
    [
        f"/api/v1/cases/{2**31}",
        f"/api/v1/cases/{2**63 - 2}/timeline",
        f"/api/v1/flags/{2**31}/decision",
        f"/api/v1/tasks/{2**40}/outcome",
    ],
)
def test_an_id_beyond_postgresqls_integer_is_no_such_thing(
    client: Any, staff_token: str, path: str
) -> None:
    method = client.get if path.startswith("/api/v1/cases/") else client.post
    response = method(path, json={}, headers={"Authorization": f"Bearer {staff_token}"})
    assert response.status_code == 404
    assert response.get_json()["error"] == "not_found"


def _post_trigger(client: Any, token: str, body: Any) -> Any:
    return client.post("/api/v1/triggers", json=body, headers={"Authorization": f"Bearer {token}"})


def test_a_fractional_count_is_refused_not_truncated(client: Any, system_token: str) -> None:
    # marshmallow's Integer made 2.5 adults 2, and a child of 4.7 years 4.
    response = _post_trigger(client, system_token, trigger(household={"adults": 2.5}))
    assert response.status_code == 422
    assert "adults" in response.get_json()["errors"]["household"]
    response = _post_trigger(client, system_token, trigger(household={"children": [4.7]}))
    assert response.status_code == 422
    # A whole number stays a number however it is written.
    assert (
        _post_trigger(client, system_token, trigger(household={"adults": 2.0})).status_code == 201
    )


@pytest.mark.parametrize("said", ["yes", 1, "true", "on"])
def test_a_flag_is_true_or_false_not_a_guess(client: Any, system_token: str, said: Any) -> None:
    # marshmallow's Boolean read "yes", 1 and "on" as true: a protected address by guess.
    response = _post_trigger(client, system_token, trigger(tenant={"protected_address": said}))
    assert response.status_code == 422
    assert "protected_address" in response.get_json()["errors"]["tenant"]


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("get", "/api/v1/cases/abc", 404),
        ("get", "/api/v1/no-such-thing", 404),
        ("delete", "/api/v1/landlord/reservations/x", 404),
        ("patch", "/api/v1/cases/1", 405),
        ("get", "/api/v1/triggers", 405),
    ],
)
def test_routing_errors_answer_in_json(
    client: Any, staff_token: str, method: str, path: str, status: int
) -> None:
    # Routing fails before a blueprint is chosen, so its JSON handlers never ran:
    # Werkzeug's HTML page came back where the document promises JSON.
    response = client.open(
        path, method=method.upper(), headers={"Authorization": f"Bearer {staff_token}"}
    )
    assert response.status_code == status
    assert response.content_type == "application/json"
    assert set(response.get_json()) == {"error", "message"}
    if status == 405:
        assert "POST" in response.headers["Allow"] or "GET" in response.headers["Allow"]


def test_a_body_over_the_limit_is_a_json_413(client: Any, system_token: str) -> None:
    from outreach.web.app import MAX_CONTENT_LENGTH

    response = client.post(
        "/api/v1/triggers",
        data=b"{" + b" " * MAX_CONTENT_LENGTH + b"}",
        headers={"Authorization": f"Bearer {system_token}", "Content-Type": "application/json"},
    )
    assert response.status_code == 413
    assert response.get_json()["error"] == "too_large"


def test_a_suspended_landlords_key_answers_403_naming_why(client: Any, rt: Any) -> None:
    from outreach.landlords.warnings import ensure_landlord
    from outreach.staff.tokens import issue_token

    with rt.session() as session:
        landlord = ensure_landlord(session, "921184530", "Torshov Utleie AS")
        landlord.status = "suspended"
        token = issue_token(session, "withdrawn", None, landlord_id=landlord.id)
        session.commit()
    response = client.get("/api/v1/landlord/warnings", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 403
    assert response.get_json()["error"] == "landlord_not_approved"
