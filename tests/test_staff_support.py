"""Helpers for the staff web app's tests (no tests here): users, login, CSRF tokens, cases."""

from __future__ import annotations

import re
from typing import Any

from outreach.intake.accept import IntakeResult, accept_trigger
from outreach.intake.schema import load_trigger
from tests.factories import trigger

PASSWORD = "riktig-passord-123"

_TOKEN = re.compile(
    r'name="csrf_token" type="hidden" value="([^"]+)"'
    r'|value="([^"]+)" name="csrf_token"'
    r'|name="csrf_token"[^>]*value="([^"]+)"'
)


def make_user(
    rt: Any,
    username: str = "kari",
    *,
    roles: str = "caseworker",
    districts: str = "030101",
    phone: str = "+4721000111",
) -> int:
    from outreach.demo import ensure_user

    with rt.session() as session:
        user = ensure_user(
            session,
            username,
            username.title() + " Testesen",
            roles=roles,
            districts=districts,
            phone=phone,
            password=PASSWORD,
        )
        return int(user.id)


def csrf_token(client: Any, url: str = "/staff/logg-inn") -> str:
    page = client.get(url)
    match = _TOKEN.search(page.get_data(as_text=True))
    assert match, f"no CSRF token on {url}"
    return next(g for g in match.groups() if g)


def login(client: Any, username: str = "kari", password: str = PASSWORD) -> Any:
    token = csrf_token(client)
    return client.post(
        "/staff/logg-inn", data={"csrf_token": token, "username": username, "password": password}
    )


def new_case(rt: Any, **overrides: Any) -> IntakeResult:
    with rt.session() as session:
        data = load_trigger(trigger(**overrides), now=rt.now())
        return accept_trigger(session, rt, data, actor="test")


def text_of(response: Any) -> str:
    return str(response.get_data(as_text=True))


def search(client: Any, text: str, purpose: str = "case_work") -> Any:
    """The queue's search: a POST, so the query is in no URL (issue 13, item 10)."""
    token = csrf_token(client, "/staff/")
    return client.post("/staff/sok", data={"csrf_token": token, "q": text, "formal": purpose})
