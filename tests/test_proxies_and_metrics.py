"""Who is believed about the client's address, and who may read /metrics (issue 13, items 9, 11).

The per-address limits on logins and booking codes read the client's address;
with X-Forwarded-For believed as given, rotating the header gave every guess
a fresh address. /metrics counted open child-welfare flags city-wide for anyone.
"""

from __future__ import annotations

from typing import Any

import pytest

from outreach.config import ConfigError, load_settings
from tests.conftest import app_for
from tests.test_booking import issue, new_case
from tests.test_booking_web import enter


def _guesses(rt: Any, app: Any, code: str) -> int:
    """Ten wrong codes from one machine, each from a fresh browser claiming another
    address, after that machine's address had used up all but ten of its ceiling;
    then the right code from yet another browser."""
    from outreach.inbound.booking import limits

    rt.redis().set(limits._client_key(rt, "10.9.9.9"), limits.FAILS_PER_CLIENT - 10, ex=60)
    for i in range(10):
        forwarded = f"198.51.100.{i}"
        enter(
            app.test_client(),
            f"ABCD-{2345 + i}",
            REMOTE_ADDR="10.9.9.9",
            HTTP_X_FORWARDED_FOR=forwarded,
        )
    last = "198.51.100.99"
    response = enter(app.test_client(), code, REMOTE_ADDR="10.9.9.9", HTTP_X_FORWARDED_FOR=last)
    return int(response.status_code)


def test_without_a_trusted_proxy_a_rotated_forwarded_for_is_ignored(rt: Any) -> None:
    code = issue(rt, new_case(rt))
    assert _guesses(rt, app_for(rt), code) == 429


def test_behind_a_trusted_proxy_its_forwarded_for_names_the_client(rt: Any) -> None:
    code = issue(rt, new_case(rt))
    # Each guess really came from another client behind the proxy: no lock-out.
    assert _guesses(rt, app_for(rt, trusted_proxies=1), code) == 303


def test_the_proxy_count_is_checked_at_start() -> None:
    with pytest.raises(ConfigError, match="OUTREACH_TRUSTED_PROXIES"):
        load_settings({"OUTREACH_TRUSTED_PROXIES": "yes"})
    assert load_settings({}).trusted_proxies == 0


def test_metrics_only_on_this_machine_without_a_token(rt: Any) -> None:
    client = app_for(rt).test_client()
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "203.0.113.5"}).status_code == 404
    assert client.get("/metrics").status_code == 200  # the test client is 127.0.0.1


def test_metrics_with_a_token_need_it(rt: Any) -> None:
    client = app_for(rt, metrics_token="s3cret-scrape-token").test_client()
    assert client.get("/metrics").status_code == 404
    wrong = {"Authorization": "Bearer nope"}
    assert client.get("/metrics", headers=wrong).status_code == 404
    right = {"Authorization": "Bearer s3cret-scrape-token"}
    response = client.get("/metrics", headers=right, environ_base={"REMOTE_ADDR": "203.0.113.5"})
    assert response.status_code == 200 and b"outreach_cases" in response.data


def test_metrics_in_production_need_the_token_even_from_this_machine(rt: Any) -> None:
    """Behind a reverse proxy on the same machine every request comes from 127.0.0.1."""
    from cryptography.fernet import Fernet

    strong = "k" * 48
    app = app_for(rt, env="production", secret_key=strong, data_key=Fernet.generate_key().decode())
    assert app.test_client().get("/metrics").status_code == 404
