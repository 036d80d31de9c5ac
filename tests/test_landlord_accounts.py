"""Issue 14, landlord accounts NAV can trust: apply, approve, refuse, suspend, reopen, keys.

Through the portal, the staff pages and the API, as a landlord and an
administrator would: nothing is sent before NAV approves; a suspended
landlord's keys stop at once; a key's secret is shown once and kept only as
a hash; the last use is written at most once a minute; every step is in the
audit log with nothing about a tenant.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from outreach.intake.landlord_schema import load_warning
from outreach.landlords import accounts, audit
from outreach.landlords.warnings import (
    LandlordError,
    ensure_account,
    ensure_landlord,
    submit_warning,
)
from outreach.models import ApiToken
from outreach.models.landlord import Landlord, LandlordAuditEntry
from tests.test_landlords import warning
from tests.test_staff_support import PASSWORD, csrf_token, make_user, text_of
from tests.test_staff_support import login as staff_login

APPLY = "/utleier/soknad"
ORG = "974760673"  # a real-shaped number (mod 11), as printed on letters


def application(**overrides: str) -> dict[str, str]:
    data = {
        "kind": "company",
        "name": "Boligbygg Oslo KF",
        "org_number": "974 760 673",
        "username": "Kari.Nordmann@boligbygg.example",
        "display_name": "Kari Nordmann",
        "password": PASSWORD,
        "password_again": PASSWORD,
        "accepts_terms": "y",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v != ""}


def apply(client: Any, **overrides: str) -> Any:
    token = csrf_token(client, APPLY)
    return client.post(APPLY, data={"csrf_token": token, **application(**overrides)})


def landlord_named(rt: Any, name: str = "Boligbygg Oslo KF") -> Landlord:
    with rt.session() as session:
        row = session.scalar(select(Landlord).where(Landlord.name == name))
        assert row is not None
        session.expunge(row)
        return row


def admin(app: Any, rt: Any) -> Any:
    make_user(rt, "admin1", roles="admin", districts="")
    client = app.test_client()
    staff_login(client, "admin1")
    return client


def decide(client: Any, landlord_id: int, change: str, reason: str = "") -> Any:
    token = csrf_token(client, f"/staff/utleiere/{landlord_id}")
    return client.post(
        f"/staff/utleiere/{landlord_id}/status",
        data={"csrf_token": token, "change": change, "reason": reason},
    )


def audit_actions(rt: Any, landlord_id: int | None = None) -> list[str]:
    with rt.session() as session:
        return [
            e.action
            for e in reversed(audit.entries(session, audit.Filter(landlord_id=landlord_id)))
        ]


def new_key(client: Any, name: str = "Husleiesystemet") -> tuple[Any, str]:
    token = csrf_token(client, "/utleier/nokler")
    response = client.post("/utleier/nokler", data={"csrf_token": token, "name": name})
    assert response.status_code == 303
    shown = client.get("/utleier/nokler")
    found = re.search(r'value="(otk_[^"]+)"', text_of(shown))
    return shown, found.group(1) if found else ""


def api_get(client: Any, secret: str) -> Any:
    return client.get("/api/v1/landlord/warnings", headers={"Authorization": f"Bearer {secret}"})


def test_an_applicant_sees_its_status_and_nothing_else(client: Any, rt: Any) -> None:
    page = client.get(APPLY)
    assert page.status_code == 200
    assert "Vilkår for å varsle NAV sosialtjenesten" in text_of(page)
    response = apply(client)
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/utleier/soknad/status")
    status = client.get("/utleier/soknad/status")
    assert "Søknaden er til behandling hos NAV" in text_of(status)
    for path in ("/utleier/", "/utleier/varsel/nytt", "/utleier/reservasjoner", "/utleier/nokler"):
        answer = client.get(path)
        assert answer.status_code == 302, path
        assert answer.headers["Location"].endswith("/utleier/soknad/status"), path
    # Posting anyway sends nothing.
    token = csrf_token(client, "/utleier/logg-inn")
    sent = client.post("/utleier/nokler", data={"csrf_token": token, "name": "x"})
    assert sent.status_code == 302
    landlord = landlord_named(rt)
    assert landlord.status == "pending" and landlord.org_number == ORG
    assert landlord.terms_version == accounts.TERMS_VERSION and landlord.terms_accepted_at
    assert audit_actions(rt, landlord.id) == ["applied"]
    with rt.session() as session, pytest.raises(LandlordError) as refused:
        row = session.get(Landlord, landlord.id)
        assert row is not None
        submit_warning(session, rt, row, load_warning(warning()), via="portal")
    assert refused.value.code == "landlord_not_approved"


def test_a_private_person_applies_with_name_and_address(client: Any, rt: Any) -> None:
    response = apply(
        client,
        kind="person",
        name="Per Hansen",
        org_number="",
        street="Sandakerveien 12",
        postal_code="0473",
        city="Oslo",
        username="per@example.no",
    )
    assert response.status_code == 302
    landlord = landlord_named(rt, "Per Hansen")
    assert landlord.kind == "person" and landlord.org_number is None
    assert landlord.street == "Sandakerveien 12"
    # A second private person: no org number either, and no clash.
    other = apply(
        rt_client := client.application.test_client(),
        kind="person",
        name="Eva Hansen",
        org_number="",
        street="Sandakerveien 14",
        postal_code="0473",
        city="Oslo",
        username="eva@example.no",
    )
    assert other.status_code == 302, text_of(other)
    assert rt_client is not client


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"org_number": "974760674"}, "org_number", "Ugyldig organisasjonsnummer"),
        ({"org_number": ""}, "org_number", "Må fylles ut"),
        ({"name": ""}, "name", "Må fylles ut"),
        ({"kind": "person", "org_number": ""}, "street", "Må fylles ut"),
        ({"postal_code": "12"}, "postal_code", "fire siffer"),
        ({"username": "ikke-en-adresse"}, "username", "gyldig e-postadresse"),
        ({"password": "kort", "password_again": "kort"}, "password", "minst 12 tegn"),
        ({"password_again": "noe-helt-annet-123"}, "password_again", "ikke like"),
        ({"accepts_terms": ""}, "accepts_terms", "godta vilkårene"),
        ({"display_name": ""}, "display_name", "Må fylles ut"),
    ],
)
def test_application_errors_name_the_field(
    client: Any, rt: Any, overrides: dict[str, str], field: str, message: str
) -> None:
    response = apply(client, **overrides)
    assert response.status_code == 422
    html = text_of(response)
    error = re.search(rf'id="{field}-error">(.*?)</p>', html, re.S)
    assert error is not None, field
    assert message in error.group(1)
    assert 'href="#' + field + '"' in html  # the summary links to the field
    with rt.session() as session:
        assert session.scalar(select(Landlord.id)) is None  # nothing kept


def test_a_taken_org_number_or_user_name_is_said_on_its_field(client: Any, rt: Any) -> None:
    assert apply(client).status_code == 302
    again = apply(client.application.test_client())
    assert again.status_code == 422
    html = text_of(again)
    assert 'id="org_number-error"' in html and 'id="username-error"' in html


def test_approve_refuse_suspend_reopen_each_logged_with_the_staff_user(
    app: Any, client: Any, rt: Any
) -> None:
    apply(client)
    landlord = landlord_named(rt)
    nav = admin(app, rt)
    listing = text_of(nav.get("/staff/utleiere"))
    assert "Boligbygg Oslo KF" in listing and "Søknad til behandling" in listing
    # A refusal needs a reason; without one nothing changes.
    missing = decide(nav, landlord.id, "refuse")
    assert missing.status_code == 422
    assert "Skriv en begrunnelse" in text_of(missing)
    assert landlord_named(rt).status == "pending"
    assert decide(nav, landlord.id, "refuse", "Ukjent virksomhet").status_code == 302
    shown = text_of(client.get("/utleier/soknad/status"))
    assert "Søknaden er avslått" in shown and "Ukjent virksomhet" in shown
    # Not allowed from here: approve a refused landlord without reopening.
    assert decide(nav, landlord.id, "approve").status_code == 422
    assert decide(nav, landlord.id, "reopen").status_code == 302
    assert landlord_named(rt).status == "pending"
    assert decide(nav, landlord.id, "approve").status_code == 302
    assert client.get("/utleier/").status_code == 200
    assert decide(nav, landlord.id, "suspend").status_code == 422  # a reason
    assert decide(nav, landlord.id, "suspend", "Misbruk meldt").status_code == 302
    assert client.get("/utleier/").status_code == 302
    page = text_of(nav.get(f"/staff/utleiere/{landlord.id}"))
    for words in ("Avslått av NAV", "Tatt opp igjen av NAV", "Godkjent av NAV", "Stengt av NAV"):
        assert words in page
    with rt.session() as session:
        history = audit.status_history(session, landlord.id)
        assert [e.action for e in history] == [
            "applied",
            "refused",
            "reopened",
            "approved",
            "suspended",
        ]
        assert all(e.staff_user_id for e in history[1:])
        assert history[-1].detail == "Misbruk meldt"


def test_keys_created_used_and_revoked(app: Any, client: Any, rt: Any, clock: Any) -> None:
    apply(client)
    landlord = landlord_named(rt)
    nav = admin(app, rt)
    decide(nav, landlord.id, "approve")
    response, secret = new_key(client)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert secret.startswith("otk_")
    # Shown once: the list afterwards has its name, never the secret.
    listing = text_of(client.get("/utleier/nokler"))
    assert "Husleiesystemet" in listing and secret not in listing
    _second, other = new_key(client, "Regnskap")
    with rt.session() as session:
        rows = session.scalars(select(ApiToken).where(ApiToken.landlord_id == landlord.id)).all()
        assert len(rows) == 2
        assert all(secret not in (r.token_hash, r.name) for r in rows)
        assert all(r.last_used_at is None for r in rows)
    assert api_get(client, secret).status_code == 200
    first_use = _last_used(rt, "Husleiesystemet")
    assert first_use is not None
    clock.set(clock() + timedelta(seconds=30))
    assert api_get(client, secret).status_code == 200
    assert _last_used(rt, "Husleiesystemet") == first_use  # not a write per request
    clock.set(clock() + timedelta(seconds=61))
    assert api_get(client, secret).status_code == 200
    assert _last_used(rt, "Husleiesystemet") > first_use
    # Revoked: the next request fails; the other key still works.
    key_id = _key_id(rt, "Husleiesystemet")
    token = csrf_token(client, "/utleier/nokler")
    revoked = client.post(f"/utleier/nokler/{key_id}/trekk-tilbake", data={"csrf_token": token})
    assert revoked.status_code == 302
    assert api_get(client, secret).status_code == 401
    assert api_get(client, other).status_code == 200
    actions = audit_actions(rt, landlord.id)
    assert actions.count("key_created") == 2 and actions.count("key_revoked") == 1


def test_a_suspended_landlords_keys_stop_at_once(app: Any, client: Any, rt: Any) -> None:
    apply(client)
    landlord = landlord_named(rt)
    nav = admin(app, rt)
    decide(nav, landlord.id, "approve")
    _response, secret = new_key(client)
    assert api_get(client, secret).status_code == 200
    decide(nav, landlord.id, "suspend", "Kontrakten er sagt opp")
    for answer in (
        api_get(client, secret),
        client.post(
            "/api/v1/landlord/warnings",
            json=warning(),
            headers={"Authorization": f"Bearer {secret}"},
        ),
    ):
        assert answer.status_code == 403
        body = answer.get_json()
        assert body["error"] == "landlord_not_approved"
        assert "suspended" in body["message"]
    decide(nav, landlord.id, "reopen")
    assert api_get(client, secret).get_json()["error"] == "landlord_not_approved"
    decide(nav, landlord.id, "approve")
    assert api_get(client, secret).status_code == 200


def test_a_refused_org_cannot_make_keys(rt: Any) -> None:
    from outreach.landlords import keys

    with rt.session() as session:
        landlord = ensure_landlord(session, ORG, "Boligbygg Oslo KF")
        account = ensure_account(session, landlord, "a@example.no", "A", PASSWORD)
        landlord.status = "refused"
        session.commit()
        with pytest.raises(keys.KeyProblem) as refused:
            keys.create_key(session, landlord, account, "x", rt.now())
        assert refused.value.code == "not_approved"


def test_create_landlord_script_makes_an_approved_landlord(rt: Any) -> None:
    with rt.session() as session:
        landlord = ensure_landlord(session, ORG, "Boligbygg Oslo KF")
        session.commit()
        assert landlord.status == "approved" and accounts.may_send(landlord)
        entry = session.scalar(select(LandlordAuditEntry))
        assert entry is not None and entry.action == "approved"
        assert entry.detail == "outreach create-landlord"


def test_only_administrators_manage_landlords_and_read_the_log(app: Any, rt: Any) -> None:
    make_user(rt, "kari", roles="caseworker,district_lead")
    cw = app.test_client()
    staff_login(cw, "kari")
    for path in ("/staff/utleiere", "/staff/utleiere/logg"):
        assert cw.get(path).status_code == 403
    nav = admin(app, rt)
    assert nav.get("/staff/utleiere/logg").status_code == 200
    assert nav.get("/staff/utleiere/999").status_code == 404


def _last_used(rt: Any, name: str) -> Any:
    with rt.session() as session:
        return session.scalar(select(ApiToken.last_used_at).where(ApiToken.name == name))


def _key_id(rt: Any, name: str) -> int:
    with rt.session() as session:
        found = session.scalar(select(ApiToken.id).where(ApiToken.name == name))
        assert found is not None
        return int(found)


def test_the_demo_has_an_approved_landlord_and_an_application_waiting(rt: Any) -> None:
    from outreach.demo import DEMO_APPLICANT_LOGIN, seed_demo

    with rt.session() as session:
        seed_demo(session, rt)
        seed_demo(session, rt)  # again: nothing doubled
        statuses = sorted((row.name, row.status) for row in session.scalars(select(Landlord)))
    assert statuses == [("Demo Torshov Utleie AS", "approved"), ("Per Hansen", "pending")]
    assert DEMO_APPLICANT_LOGIN == "soker@example.no"


def test_the_application_and_its_terms_in_english(client: Any) -> None:
    page = text_of(client.get(APPLY, headers={"Accept-Language": "en"}))
    assert "Apply for access to warn NAV" in page
    assert "The tenant gets a copy." in page and "Reservations are respected." in page
    refused = apply(client, accepts_terms="", org_number="123")
    assert refused.status_code == 422
