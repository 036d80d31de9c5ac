"""Staff single sign-on (OpenID Connect, Authlib) against a local provider stub."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import replace
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from outreach.config import ConfigError, load_settings
from outreach.models import User
from tests.stubs.oidc_stub import OidcStub
from tests.test_staff_support import csrf_token, login, make_user, text_of


@pytest.fixture
def stub() -> Iterator[OidcStub]:
    with OidcStub(username="kari") as server:
        yield server


def _app(rt: Any, stub: OidcStub, **extra: Any) -> Any:
    from outreach import create_app
    from outreach import runtime as runtime_module

    app = create_app(
        {
            "env": "test",
            "database_url": rt.settings.database_url,
            "redis_url": rt.settings.redis_url,
            "var_dir": rt.settings.var_dir,
            "testing": True,
            "oidc_issuer": stub.issuer,
            "oidc_client_id": stub.client_id,
            "oidc_client_secret": stub.client_secret,
            **extra,
        }
    )
    app.extensions["outreach_runtime"] = rt
    runtime_module.install(rt)
    return app


@pytest.fixture
def sso_client(rt: Any, stub: OidcStub) -> Any:
    return _app(rt, stub).test_client()


def sso_login(client: Any, stub: OidcStub, next_url: str | None = None) -> Any:
    """Follow the redirects: our app -> the provider (a real HTTP call) -> our callback."""
    start = client.get("/staff/logg-inn/sso", query_string={"next": next_url} if next_url else {})
    assert start.status_code == 302, text_of(start)
    authorize = start.headers["Location"]
    assert authorize.startswith(stub.base_url + "/authorize?")
    back = requests.get(authorize, allow_redirects=False, timeout=5)
    assert back.status_code == 302, back.text
    callback = urlsplit(back.headers["Location"])
    assert callback.path == "/staff/logg-inn/sso/callback"
    return client.get(f"{callback.path}?{callback.query}")


def _logged_in(client: Any) -> bool:
    return bool(client.get("/staff/").status_code == 200)


def test_round_trip_logs_in_a_known_user(sso_client: Any, rt: Any, stub: OidcStub, caplog: Any):
    user_id = make_user(rt)
    page = text_of(sso_client.get("/staff/logg-inn"))
    assert "Logg inn med NAV-konto (SSO)" in page
    assert 'name="password"' in page, "passwords stay available by default"
    caplog.set_level("INFO", logger="outreach.staff")
    response = sso_login(sso_client, stub, next_url="/staff/mitt-arbeid")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/staff/mitt-arbeid")
    assert _logged_in(sso_client)
    # The request carried state, nonce and an S256 PKCE challenge; the token the nonce.
    authorize = next(r for r in stub.requests if r.path == "/authorize")
    params = {k: v[0] for k, v in authorize.query.items()}
    assert params["state"] and params["nonce"] and params["code_challenge"]
    assert params["code_challenge_method"] == "S256"
    assert stub.issued[-1]["nonce"] == params["nonce"]
    token_request = next(r for r in stub.requests if r.path == "/token")
    assert token_request.form_value("code_verifier")
    assert f"staff login ok user_id={user_id} method=sso" in caplog.text
    assert "kari" not in caplog.text.lower()


def test_claim_is_matched_casefolded(sso_client: Any, rt: Any, stub: OidcStub) -> None:
    make_user(rt)
    stub.username = "KARI"
    assert sso_login(sso_client, stub).status_code == 302
    assert _logged_in(sso_client)


def test_session_after_sso_expires_like_a_password_session(
    sso_client: Any, rt: Any, stub: OidcStub, clock: Any
) -> None:
    from datetime import timedelta

    make_user(rt)
    sso_login(sso_client, stub)
    assert _logged_in(sso_client)
    clock.set(clock() + timedelta(minutes=31))
    assert not _logged_in(sso_client)


@pytest.mark.parametrize(
    "claims",
    [
        pytest.param({"nonce": "not-the-nonce-we-sent"}, id="wrong-nonce"),
        pytest.param({"nonce": None}, id="missing-nonce"),
        pytest.param({"aud": "another-client"}, id="wrong-audience"),
        pytest.param({"iss": "https://evil.example"}, id="wrong-issuer"),
        pytest.param(
            {"exp": int(time.time()) - 3600, "iat": int(time.time()) - 3900}, id="expired"
        ),
    ],
)
def test_bad_id_tokens_are_refused(
    sso_client: Any, rt: Any, stub: OidcStub, claims: dict[str, Any], caplog: Any
) -> None:
    make_user(rt)
    stub.claims_next(**claims)
    response = sso_login(sso_client, stub)
    assert response.status_code == 400
    assert "Innloggingen ble ikke godtatt" in text_of(response)
    assert not _logged_in(sso_client)
    assert "staff sso login refused" in caplog.text
    # The next, honest token works: nothing was left half-done.
    assert sso_login(sso_client, stub).status_code == 302
    assert _logged_in(sso_client)


def test_a_token_signed_with_another_key_is_refused(
    sso_client: Any, rt: Any, stub: OidcStub
) -> None:
    make_user(rt)
    stub.sign_next_with_foreign_key()
    response = sso_login(sso_client, stub)
    assert response.status_code == 400
    assert not _logged_in(sso_client)


def test_metadata_of_another_issuer_is_refused(rt: Any, stub: OidcStub) -> None:
    """The discovery document must name the issuer we were configured with (Discovery § 4.3)."""
    make_user(rt)
    app = _app(rt, stub)
    app.extensions["outreach_oidc"] = replace(
        app.extensions["outreach_oidc"], issuer=stub.issuer + "/tenant"
    )
    client = app.test_client()
    assert sso_login(client, stub).status_code == 400
    assert not _logged_in(client)


def test_a_callback_is_used_once_and_only_with_our_state(
    sso_client: Any, rt: Any, stub: OidcStub
) -> None:
    make_user(rt)
    start = sso_client.get("/staff/logg-inn/sso")
    back = requests.get(start.headers["Location"], allow_redirects=False, timeout=5)
    callback = urlsplit(back.headers["Location"])
    forged = {k: v[0] for k, v in parse_qs(callback.query).items()} | {"state": "forged"}
    assert sso_client.get(callback.path, query_string=forged).status_code == 400
    assert not _logged_in(sso_client)
    # A second browser cannot use someone else's callback URL either.
    other = sso_client.application.test_client()
    assert other.get(f"{callback.path}?{callback.query}").status_code == 400


def test_unknown_user_is_refused_without_being_created(
    sso_client: Any, rt: Any, stub: OidcStub, caplog: Any
) -> None:
    make_user(rt)
    stub.username = "nobody.here"
    response = sso_login(sso_client, stub)
    assert response.status_code == 403
    assert "ikke registrert som aktiv bruker" in text_of(response)
    assert not _logged_in(sso_client)
    with rt.session() as session:
        assert session.query(User).count() == 1
    assert "staff sso login refused: no user with that name" in caplog.text
    assert "nobody" not in caplog.text


def test_deactivated_user_is_refused(sso_client: Any, rt: Any, stub: OidcStub) -> None:
    user_id = make_user(rt)
    with rt.session() as session:
        user = session.get(User, user_id)
        assert user is not None
        user.active = False
    response = sso_login(sso_client, stub)
    assert response.status_code == 403
    assert not _logged_in(sso_client)


def test_token_without_the_username_claim_is_refused(
    sso_client: Any, rt: Any, stub: OidcStub
) -> None:
    make_user(rt)
    stub.username = None
    assert sso_login(sso_client, stub).status_code == 403


def test_unreachable_provider_gives_a_norwegian_page(rt: Any, stub: OidcStub) -> None:
    client = _app(rt, stub).test_client()
    stub.stop()
    response = client.get("/staff/logg-inn/sso")
    assert response.status_code == 503
    assert "midlertidig utilgjengelig" in text_of(response)


def test_oidc_only_turns_passwords_off(rt: Any, stub: OidcStub) -> None:
    make_user(rt)
    client = _app(rt, stub, oidc_only=True).test_client()
    page = text_of(client.get("/staff/logg-inn"))
    assert "Logg inn med NAV-konto (SSO)" in page
    assert 'name="password"' not in page
    refused = login(client)
    assert refused.status_code == 403
    assert not _logged_in(client)
    assert sso_login(client, stub).status_code == 302
    assert _logged_in(client)


def test_without_settings_there_is_no_sso(client: Any, rt: Any) -> None:
    make_user(rt)
    assert "NAV-konto (SSO)" not in text_of(client.get("/staff/logg-inn"))
    assert client.get("/staff/logg-inn/sso").status_code == 404
    assert client.get("/staff/logg-inn/sso/callback?code=x&state=y").status_code == 404
    assert csrf_token(client)


def test_settings_come_together_or_not_at_all() -> None:
    base = {"OUTREACH_VAR_DIR": "/tmp/outreach-test-var"}
    full = base | {
        "OUTREACH_OIDC_ISSUER": "https://login.example.no",
        "OUTREACH_OIDC_CLIENT_ID": "outreach",
        "OUTREACH_OIDC_CLIENT_SECRET": "s3cret",
    }
    settings = load_settings(full)
    assert settings.oidc_enabled and settings.oidc_username_claim == "preferred_username"
    assert not settings.oidc_only
    assert load_settings(full | {"OUTREACH_OIDC_ONLY": "1"}).oidc_only
    assert load_settings(full | {"OUTREACH_OIDC_USERNAME_CLAIM": "upn"}).oidc_username_claim == (
        "upn"
    )
    assert not load_settings(base).oidc_enabled
    with pytest.raises(ConfigError, match="together"):
        load_settings(base | {"OUTREACH_OIDC_ISSUER": "https://login.example.no"})
    with pytest.raises(ConfigError, match="OUTREACH_OIDC_ONLY"):
        load_settings(base | {"OUTREACH_OIDC_ONLY": "1"})
    with pytest.raises(ConfigError, match="OUTREACH_OIDC_ONLY"):
        load_settings(full | {"OUTREACH_OIDC_ONLY": "maybe"})
