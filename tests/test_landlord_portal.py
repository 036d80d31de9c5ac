"""The landlords' portal at /utleier: login, warning form, receipts, reservations.

The portal is its own surface: a landlord session opens no staff page and a
staff session no portal page; every POST needs a CSRF token; the form puts
the API schema's messages on its fields in Norwegian; what the landlord sees
after sending is a receipt and nothing about the case.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from outreach.landlords.warnings import ensure_account, ensure_landlord
from outreach.models import Case, Trigger
from outreach.models.landlord import LandlordWarning, WarningReservation
from tests.test_staff_support import PASSWORD, csrf_token, make_user, text_of
from tests.test_staff_support import login as staff_login

LOGIN = "/utleier/logg-inn"


def make_landlord(rt: Any, org: str = "921184530", username: str = "ulla@example.no") -> None:
    with rt.session() as session:
        landlord = ensure_landlord(session, org, "Torshov Utleie AS")
        ensure_account(session, landlord, username, "Ulla Utleier", PASSWORD)
        session.commit()


def login(client: Any, username: str = "ulla@example.no", password: str = PASSWORD) -> Any:
    token = csrf_token(client, LOGIN)
    return client.post(
        LOGIN, data={"csrf_token": token, "username": username, "password": password}
    )


def form(**overrides: str) -> dict[str, str]:
    data = {
        "kind": "unpaid_rent_warning",
        "reference": "HL-2026-117",
        "tenant_name": "Nora Berg",
        "birth_date": "14.05.1979",
        "street": "Tøyengata 12",
        "postal_code": "0190",
        "city": "Oslo",
        "phone": "912 34 567",
        "language": "so",
        "children": "4, 9",
        "arrears_amount": "kr 24 500",
        "arrears_since": "2026-09-01",
        "tenant_not_reserved": "y",
        "tenant_informed": "y",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v != ""}


def count(rt: Any, model: Any) -> int:
    with rt.session() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_login_sends_a_warning_and_shows_the_receipt(client: Any, rt: Any) -> None:
    make_landlord(rt)
    assert client.get("/utleier/").status_code == 302
    response = login(client)
    assert response.status_code == 302 and response.headers["Location"].endswith("/utleier/")
    page = client.get("/utleier/varsel/nytt")
    assert page.status_code == 200
    token = csrf_token(client, "/utleier/varsel/nytt")
    sent = client.post("/utleier/varsel/nytt", data={"csrf_token": token, **form()})
    assert sent.status_code == 302, text_of(sent)
    receipt_page = client.get(sent.headers["Location"])
    text = text_of(receipt_page)
    assert "Kvittering for varsel" in text
    assert "HL-2026-117" in text
    assert "24 500 kr" in text
    assert "tirsdag 15. desember" in text  # earliest petition date, § 9-11
    for secret in ("Gamle Oslo", "OUT-2026", "030101", "saksbehandler"):
        assert secret not in text
    with rt.session() as session:
        trig = session.scalar(select(Trigger))
        assert trig is not None and trig.source_type == "landlord"
        case = session.get(Case, trig.case_id)
        assert case is not None and case.children_ages == [4, 9]
        assert case.person.phone == "+4791234567"
        assert case.person.language == "so"
    listing = text_of(client.get("/utleier/"))
    assert "HL-2026-117" in listing and "Varsel om ubetalt husleie" in listing


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"tenant_not_reserved": ""}, "Må bekreftes før NAV kan ta imot varselet."),
        ({"birth_date": ""}, "Oppgi fødselsdato eller fødselsnummer."),
        ({"postal_code": "019"}, "Postnummeret må ha fire sifre."),
        ({"arrears_amount": ""}, "Må fylles ut for et varsel om husleie."),
        ({"children": "fire"}, "Skriv alderen i hele år"),
        ({"reference": "ref med ; semikolon"}, "Bruk 1–80 tegn"),
        ({"kind": "eviction_completed"}, "Oppgi datoen utkastelsen ble gjennomført."),
    ],
)
def test_form_errors_name_the_field_and_keep_the_input(
    client: Any, rt: Any, overrides: dict[str, str], message: str
) -> None:
    make_landlord(rt)
    login(client)
    token = csrf_token(client, "/utleier/varsel/nytt")
    response = client.post("/utleier/varsel/nytt", data={"csrf_token": token, **form(**overrides)})
    assert response.status_code == 422
    text = text_of(response)
    assert 'role="alert"' in text and message in text
    assert 'value="Tøyengata 12"' in text  # kept
    assert count(rt, Trigger) == count(rt, LandlordWarning) == 0


def test_reservation_refuses_the_next_warning_and_can_be_withdrawn(client: Any, rt: Any) -> None:
    make_landlord(rt)
    login(client)
    token = csrf_token(client, "/utleier/reservasjoner")
    bad = client.post(
        "/utleier/reservasjoner", data={"csrf_token": token, "label": "K-4411", "name": "Nora"}
    )
    assert bad.status_code == 422 and "Oppgi fødselsdato" in text_of(bad)
    made = client.post(
        "/utleier/reservasjoner",
        data={
            "csrf_token": token,
            "label": "Kontrakt 4411",
            "name": "Nora Berg",
            "birth_date": "1979-05-14",
        },
    )
    assert made.status_code == 302
    page = text_of(client.get("/utleier/reservasjoner"))
    assert "Kontrakt 4411" in page and "Nora" not in page.split("Reservasjoner som gjelder")[1]

    token = csrf_token(client, "/utleier/varsel/nytt")
    refused = client.post("/utleier/varsel/nytt", data={"csrf_token": token, **form()})
    assert refused.status_code == 409
    assert "reservert seg" in text_of(refused)
    assert count(rt, Trigger) == 0

    with rt.session() as session:
        reservation_id = session.scalar(select(WarningReservation.id))
    token = csrf_token(client, "/utleier/reservasjoner")
    client.post(
        f"/utleier/reservasjoner/{reservation_id}/trekk-tilbake", data={"csrf_token": token}
    )
    assert "Ingen reservasjoner er registrert." in text_of(client.get("/utleier/reservasjoner"))
    token = csrf_token(client, "/utleier/varsel/nytt")
    assert (
        client.post("/utleier/varsel/nytt", data={"csrf_token": token, **form()}).status_code == 302
    )


def test_every_post_needs_a_csrf_token(client: Any, rt: Any) -> None:
    make_landlord(rt)
    assert (
        client.post(LOGIN, data={"username": "ulla@example.no", "password": PASSWORD}).status_code
        == 400
    )
    login(client)
    for path in (
        "/utleier/varsel/nytt",
        "/utleier/reservasjoner",
        "/utleier/reservasjoner/1/trekk-tilbake",
        "/utleier/logg-ut",
        "/utleier/sprak",
    ):
        response = client.post(path, data=form())
        assert response.status_code == 400, path
    assert count(rt, Trigger) == 0


def test_landlord_and_staff_sessions_do_not_open_each_others_pages(client: Any, rt: Any) -> None:
    make_landlord(rt)
    make_user(rt)
    login(client)
    staff_page = client.get("/staff/")
    assert staff_page.status_code == 302 and "/staff/logg-inn" in staff_page.headers["Location"]
    staff_login(client)
    assert client.get("/staff/").status_code == 200
    portal = client.get("/utleier/")
    assert portal.status_code == 302 and LOGIN in portal.headers["Location"]


def test_wrong_password_and_the_rate_limit(client: Any, rt: Any) -> None:
    make_landlord(rt)
    rt.redis().delete(*rt.redis().keys(f"{rt.settings.redis_namespace}:landlord-login:*") or ["-"])
    for _ in range(5):
        assert login(client, password="feil-passord").status_code == 401
    assert login(client).status_code == 429
    keys = rt.redis().keys(f"{rt.settings.redis_namespace}:landlord-login:*")
    assert keys and not any(b"ulla" in key for key in keys)
    rt.redis().delete(*keys)


def test_one_landlords_receipt_is_a_404_for_another(client: Any, rt: Any) -> None:
    make_landlord(rt)
    make_landlord(rt, org="987654325", username="per@example.no")
    login(client)
    token = csrf_token(client, "/utleier/varsel/nytt")
    sent = client.post("/utleier/varsel/nytt", data={"csrf_token": token, **form()})
    receipt_url = sent.headers["Location"]
    token = csrf_token(client, "/utleier/")
    client.post("/utleier/logg-ut", data={"csrf_token": token})
    login(client, "per@example.no")
    assert client.get(receipt_url).status_code == 404
    assert "HL-2026-117" not in text_of(client.get("/utleier/"))


def test_english_on_request(client: Any, rt: Any) -> None:
    make_landlord(rt)
    page = client.get(LOGIN, headers={"Accept-Language": "en"})
    assert "Log in as a landlord" in text_of(page)


def test_required_fields_are_marked_and_a_post_shows_only_the_chosen_kinds_section(
    client: Any, rt: Any
) -> None:
    """Review, point 11: like the staff forms; each section says when it applies."""
    make_landlord(rt)
    login(client)
    url = "/utleier/varsel/nytt"
    first = text_of(client.get(url))
    assert 'for="reference">Deres referanse <span class="required">(må fylles ut)</span>' in first
    assert 'aria-required="true"' in first
    assert "Fylles ut bare ved varsel om ubetalt husleie" in first
    assert "Fylles ut bare ved melding om gjennomført utkastelse" in first
    failed = client.post(
        url,
        data={"csrf_token": csrf_token(client, url), **form(kind="eviction_completed")},
    )
    assert failed.status_code == 422
    page = text_of(failed)
    assert "Fylles ut bare ved melding om gjennomført utkastelse" in page
    assert "Fylles ut bare ved varsel om ubetalt husleie" not in page
    assert 'name="arrears_amount"' not in page
    empty = client.post(url, data={"csrf_token": csrf_token(client, url), **form(postal_code="")})
    assert "Postnummer: Må fylles ut." in text_of(empty)
