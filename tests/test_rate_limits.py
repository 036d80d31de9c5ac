"""Request rates on the login forms and the landlord API, kept in Redis (issue 14).

Refusals are 429 with ``Retry-After``: a page in bokmål on the forms, the JSON
error on the API. The count is shared: a second app (another process) on the
same Redis sees it, and two real gunicorn servers split a client's requests
between them and still refuse past the limit. Redis down: refused (503).
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from outreach.config import ConfigError, load_settings
from tests.conftest import app_for
from tests.test_landlords import ORG_B, landlord_token
from tests.test_staff_support import csrf_token, login, make_user, text_of

REPO = Path(__file__).resolve().parent.parent


def _wait(response: Any) -> int:
    return int(response.headers["Retry-After"])


def test_the_staff_login_form_is_limited_per_address(rt: Any) -> None:
    make_user(rt)
    app = app_for(rt, login_rate_limit="3 per minute")
    client = app.test_client()
    for _ in range(3):
        assert login(client, password="feil-passord-000").status_code == 401
    refused = login(client)  # the right password: not even looked at
    assert refused.status_code == 429
    assert 1 <= _wait(refused) <= 60
    assert "For mange forsøk" in text_of(refused)
    # Showing the form is not an attempt; another address is not this one.
    assert client.get("/staff/logg-inn").status_code == 200
    other = app.test_client()
    other.environ_base["REMOTE_ADDR"] = "198.51.100.7"
    assert login(other).status_code == 302


def test_the_page_is_in_english_for_an_english_session(rt: Any) -> None:
    app = app_for(rt, login_rate_limit="1 per minute")
    client = app.test_client()
    token = csrf_token(client)
    client.post("/staff/sprak", data={"csrf_token": token, "lang": "en", "next": "/staff/"})
    login(client, password="feil-passord-000")
    refused = login(client)
    assert refused.status_code == 429
    assert "Too many attempts" in text_of(refused)


def test_the_landlord_portal_login_is_limited(rt: Any) -> None:
    app = app_for(rt, login_rate_limit="2 per minute")
    client = app.test_client()

    def attempt() -> Any:
        token = csrf_token(client, "/utleier/logg-inn")
        data = {"csrf_token": token, "username": "nobody", "password": "feil-passord-000"}
        return client.post("/utleier/logg-inn", data=data)

    assert [attempt().status_code for _ in range(3)] == [401, 401, 429]
    refused = attempt()
    assert _wait(refused) >= 1
    assert "For mange forsøk" in text_of(refused)


def test_the_failed_logins_per_user_name_say_how_long_too(client: Any, rt: Any) -> None:
    """The other rule (``web.login_limit``): its 429 has ``Retry-After`` as well."""
    make_user(rt)
    for _ in range(5):
        login(client, password="feil-passord-000")
    refused = login(client)
    assert refused.status_code == 429
    assert 60 < _wait(refused) <= 15 * 60
    assert "For mange mislykkede forsøk" in text_of(refused)
    keys = rt.redis().keys(f"{rt.settings.redis_namespace}:*")
    assert not any(b"127.0.0.1" in key or b"kari" in key for key in keys)


def _get_receipts(client: Any, token: str) -> Any:
    return client.get("/api/v1/landlord/warnings", headers={"Authorization": f"Bearer {token}"})


def test_the_landlord_api_is_limited_per_landlord(rt: Any) -> None:
    app = app_for(rt, landlord_api_rate_limit="2 per minute")
    client = app.test_client()
    token = landlord_token(rt)
    assert [_get_receipts(client, token).status_code for _ in range(2)] == [200, 200]
    refused = _get_receipts(client, token)
    assert refused.status_code == 429
    assert refused.get_json()["error"] == "rate_limited"
    assert 1 <= _wait(refused) <= 60
    # A second key of the same landlord shares the allowance; another landlord does not.
    assert _get_receipts(client, landlord_token(rt)).status_code == 429
    assert _get_receipts(client, landlord_token(rt, ORG_B, "Annen AS")).status_code == 200


def test_redis_down_refuses_rather_than_lets_through(rt: Any) -> None:
    app = app_for(rt, redis_url="redis://127.0.0.1:9/0")
    client = app.test_client()
    token = landlord_token(rt)
    refused = _get_receipts(client, token)
    assert refused.status_code == 503
    assert refused.get_json()["error"] == "unavailable"
    assert _wait(refused) >= 1
    page = client.post("/staff/logg-inn", data={"username": "kari", "password": "x"})
    assert page.status_code in {400, 503}  # no CSRF cookie; never a 500, never a login


def test_the_rates_are_checked_at_start() -> None:
    with pytest.raises(ConfigError, match="OUTREACH_LANDLORD_API_RATE_LIMIT"):
        load_settings({"OUTREACH_LANDLORD_API_RATE_LIMIT": "many"})
    assert load_settings({"OUTREACH_LOGIN_RATE_LIMIT": "5/minute"}).login_rate_limit == "5/minute"


# --- two real server processes on one Redis -------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _up(port: int, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise AssertionError(f"the server on {port} stopped: {server.returncode}")
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2)
            return
        except urllib.error.HTTPError:
            return  # it answers
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"the server on {port} did not start")


@pytest.fixture
def two_servers(rt: Any) -> Iterator[list[int]]:
    env = {
        **os.environ,
        "OUTREACH_ENV": "test",
        "DATABASE_URL": rt.settings.database_url,
        "REDIS_URL": rt.settings.redis_url,
        "OUTREACH_QUEUE": rt.settings.queue_name,  # the test's namespace
        "OUTREACH_VAR_DIR": str(rt.settings.var_dir),
        "OUTREACH_LANDLORD_API_RATE_LIMIT": "5 per minute",
        "OUTREACH_LOGIN_RATE_LIMIT": "1000 per minute",
    }
    ports = [_free_port(), _free_port()]
    servers = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "--workers",
                "2",
                "--bind",
                f"127.0.0.1:{port}",
                "outreach:create_app()",
            ],
            cwd=REPO,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for port in ports
    ]
    try:
        for port, server in zip(ports, servers, strict=True):
            _up(port, server)
        yield ports
    finally:
        for server in servers:
            server.terminate()
        for server in servers:
            server.wait(timeout=30)


def _call(port: int, token: str) -> tuple[int, dict[str, str], Any]:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/api/v1/landlord/warnings",
        headers={"Authorization": f"Bearer {token}"},
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers), json.load(response)
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), json.load(exc)


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_the_limit_holds_across_two_processes(rt: Any, two_servers: list[int]) -> None:
    """Five a minute: requests alternate between two servers (two workers each) and
    the sixth is refused, whichever server gets it – one count in Redis."""
    token = landlord_token(rt)
    answers = [_call(two_servers[i % 2], token) for i in range(8)]
    statuses = [status for status, _, _ in answers]
    assert statuses == [200] * 5 + [429] * 3, statuses
    for _status, headers, body in answers[5:]:
        assert body["error"] == "rate_limited"
        assert 1 <= int(headers["Retry-After"]) <= 60
