"""Staff login: argon2 accounts, Redis-backed rate limit, expiring sessions, CSRF, language."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from tests.test_staff_support import PASSWORD, csrf_token, login, make_user, text_of


def test_login_then_queue(client: Any, rt: Any) -> None:
    make_user(rt)
    assert client.get("/staff/").status_code == 302
    response = login(client)
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/staff/")
    page = client.get("/staff/")
    assert page.status_code == 200
    assert "Saker i kø" in text_of(page)


def test_wrong_password_is_refused_without_saying_which_part(
    client: Any, rt: Any, caplog: Any
) -> None:
    make_user(rt)
    response = login(client, password="feil-passord-000")
    assert response.status_code == 401
    assert "Feil brukernavn eller passord" in text_of(response)
    unknown = login(client, username="nobody")
    assert unknown.status_code == 401
    assert "kari" not in caplog.text and "nobody" not in caplog.text


def test_login_is_rate_limited_in_redis(client: Any, rt: Any) -> None:
    make_user(rt)
    for _ in range(5):
        assert login(client, password="feil-passord-000").status_code == 401
    keys = rt.redis().keys(f"{rt.settings.redis_namespace}:staff-login:*")
    assert keys, "the counter lives in Redis"
    assert not any(b"kari" in key for key in keys)
    # Even the right password is refused now, without being checked.
    refused = login(client)
    assert refused.status_code == 429
    assert "For mange mislykkede forsøk" in text_of(refused)
    # Another process (a second app on the same Redis) sees the same counter.
    second = client.application.test_client()
    assert login(second).status_code == 429
    rt.redis().delete(*rt.redis().keys(f"{rt.settings.redis_namespace}:staff-login:*"))
    assert login(client).status_code == 302


def test_session_expires_when_idle(client: Any, rt: Any, clock: Any) -> None:
    make_user(rt)
    login(client)
    assert client.get("/staff/").status_code == 200
    clock.set(clock() + timedelta(minutes=31))
    response = client.get("/staff/")
    assert response.status_code == 302
    assert "/staff/logg-inn" in response.headers["Location"]
    assert "økten var utløpt" in text_of(client.get(response.headers["Location"]))


def test_session_has_an_absolute_limit(client: Any, rt: Any, clock: Any) -> None:
    make_user(rt)
    login(client)
    start = clock()
    for minutes in range(20, 10 * 60, 20):  # active all day, never idle
        clock.set(start + timedelta(minutes=minutes))
        assert client.get("/staff/").status_code == 200
    clock.set(start + timedelta(hours=10, minutes=1))
    assert client.get("/staff/").status_code == 302


def test_logout_needs_csrf_and_ends_the_session(client: Any, rt: Any) -> None:
    make_user(rt)
    login(client)
    assert client.post("/staff/logg-ut").status_code == 400
    token = csrf_token(client, "/staff/")
    assert client.post("/staff/logg-ut", data={"csrf_token": token}).status_code == 302
    assert client.get("/staff/").status_code == 302


def test_unsafe_next_is_ignored(client: Any, rt: Any) -> None:
    make_user(rt)
    token = csrf_token(client)
    response = client.post(
        "/staff/logg-inn",
        data={
            "csrf_token": token,
            "username": "kari",
            "password": PASSWORD,
            "next": "https://evil.example/",
        },
    )
    assert response.headers["Location"].endswith("/staff/")


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        ("no", "Saker i kø"),
        ("nb-NO,nb;q=0.9", "Saker i kø"),
        ("nn", "Saker i kø"),
        ("en-GB,en;q=0.8", "Cases"),
    ],
)
def test_browser_language(client: Any, rt: Any, accept: str, expected: str) -> None:
    make_user(rt)
    login(client)
    page = client.get("/staff/", headers={"Accept-Language": accept})
    assert expected in text_of(page)


def test_language_switch(client: Any, rt: Any) -> None:
    make_user(rt)
    login(client)
    token = csrf_token(client, "/staff/")
    client.post("/staff/sprak", data={"csrf_token": token, "lang": "en", "next": "/staff/"})
    page = text_of(client.get("/staff/", headers={"Accept-Language": "nb"}))
    assert 'lang="en"' in page
    assert "Cases" in page
