"""Logging out ends the session, and every copy of its cookie (issue 13, item 6).

Sessions are signed cookies: the cookie replayed after logout still read a
case and wrote a note. Logging out now bumps the account's session
generation, and a session of an older generation is over.
"""

from __future__ import annotations

from typing import Any

from tests.test_landlord_portal import login as landlord_login
from tests.test_landlord_portal import make_landlord
from tests.test_staff_support import csrf_token, login, make_user


def _replay_after_logout(client: Any, page: str, logout: str) -> Any:
    assert client.get(page).status_code == 200
    cookie = client.get_cookie("session")
    assert cookie is not None
    stolen = cookie.value
    token = csrf_token(client, page)
    assert client.post(logout, data={"csrf_token": token}).status_code == 302
    client.set_cookie("session", stolen)  # the copy an attacker kept
    return client.get(page)


def test_a_staff_cookie_replayed_after_logout_is_logged_out(client: Any, rt: Any) -> None:
    make_user(rt)
    login(client)
    replayed = _replay_after_logout(client, "/staff/", "/staff/logg-ut")
    assert replayed.status_code == 302 and "/staff/logg-inn" in replayed.headers["Location"]


def test_a_landlord_cookie_replayed_after_logout_is_logged_out(client: Any, rt: Any) -> None:
    make_landlord(rt)
    landlord_login(client)
    replayed = _replay_after_logout(client, "/utleier/", "/utleier/logg-ut")
    assert replayed.status_code == 302 and "/utleier/logg-inn" in replayed.headers["Location"]


def test_logging_in_again_after_logout_works(client: Any, rt: Any) -> None:
    make_user(rt)
    login(client)
    token = csrf_token(client, "/staff/")
    client.post("/staff/logg-ut", data={"csrf_token": token})
    login(client)
    assert client.get("/staff/").status_code == 200
