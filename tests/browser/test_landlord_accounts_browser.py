"""A landlord applies, NAV approves, the landlord makes an API key – in real Chromium (issue 14).

Two browsers side by side: the landlord in the portal (no login to apply; a
mistake corrected on the way; the application's status and nothing else until
NAV decides), the administrator on the staff pages (the application first in
the list, approved with a click). The landlord then makes a key, sees it once,
and the key works against the API. Screenshots go to
docs/screens/20-landlord-apply.png, 21-landlord-approve.png, 22-landlord-keys.png.
"""

from __future__ import annotations

import json
import re
import urllib.request
from typing import Any

import pytest

from outreach.config import REPO_ROOT
from outreach.web.screens import LiveServer, launch_chromium
from tests.test_staff_support import PASSWORD, make_user

pytestmark = pytest.mark.browser

SCREENS = REPO_ROOT / "docs" / "screens"
DESKTOP = {"width": 1100, "height": 900}


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_apply_approve_and_make_a_key(app: Any, rt: Any) -> None:
    make_user(rt, "admin1", roles="admin", districts="")
    with LiveServer(app) as server, launch_chromium() as browser:
        base = server.url
        landlord = browser.new_context(locale="nb-NO", viewport=DESKTOP).new_page()
        landlord.set_default_timeout(10_000)

        # Apply: from the login page, with a wrong org number first.
        landlord.goto(f"{base}/utleier/logg-inn")
        landlord.get_by_role("link", name="Søk om tilgang").click()
        landlord.get_by_label("En virksomhet").check()
        landlord.get_by_label("Navn på virksomheten").fill("Boligbygg Oslo KF")
        landlord.get_by_label("Organisasjonsnummer").fill("974 760 674")
        landlord.get_by_label("E-postadresse").fill("kari@boligbygg.example")
        landlord.get_by_label("Ditt navn").fill("Kari Nordmann")
        landlord.get_by_label("Passord (minst 12 tegn)").fill(PASSWORD)
        landlord.get_by_label("Gjenta passordet").fill(PASSWORD)
        landlord.get_by_role("button", name="Send søknaden").click()
        summary = landlord.get_by_role("alert")
        assert "Ugyldig organisasjonsnummer" in summary.inner_text()
        assert "godta vilkårene" in summary.inner_text()
        org = landlord.get_by_label("Organisasjonsnummer")
        assert org.get_attribute("aria-invalid") == "true"
        assert landlord.get_by_label("Navn på virksomheten").input_value() == "Boligbygg Oslo KF"
        landlord.screenshot(path=str(SCREENS / "20-landlord-apply.png"), full_page=True)
        org.fill("974 760 673")
        # Passwords are never sent back to the browser: typed again.
        landlord.get_by_label("Passord (minst 12 tegn)").fill(PASSWORD)
        landlord.get_by_label("Gjenta passordet").fill(PASSWORD)
        landlord.get_by_label("Jeg har lest og godtar vilkårene").check()
        landlord.get_by_role("button", name="Send søknaden").click()
        landlord.wait_for_url(f"{base}/utleier/soknad/status")
        assert "Søknaden er til behandling hos NAV" in landlord.inner_text("main")
        assert landlord.get_by_role("link", name="Nytt varsel").count() == 0

        # NAV approves.
        nav = browser.new_context(locale="nb-NO", viewport=DESKTOP).new_page()
        nav.set_default_timeout(10_000)
        nav.goto(f"{base}/staff/logg-inn")
        nav.get_by_label("Brukernavn").fill("admin1")
        nav.get_by_label("Passord").fill(PASSWORD)
        nav.get_by_role("button", name="Logg inn").click()
        nav.get_by_role("link", name="Utleiere", exact=True).click()
        first = nav.get_by_role("row").nth(1)
        assert "Søknad til behandling" in first.inner_text()
        first.get_by_role("link", name="Boligbygg Oslo KF").click()
        nav.get_by_role("button", name="Avslå").click()  # a refusal needs a reason
        assert "Skriv en begrunnelse" in nav.inner_text("main")
        nav.screenshot(path=str(SCREENS / "21-landlord-approve.png"), full_page=True)
        nav.get_by_role("button", name="Godkjenn").click()
        assert "Boligbygg Oslo KF: Godkjent." in nav.get_by_role("status").inner_text()
        assert "Godkjent av NAV" in nav.inner_text("main")

        # The landlord, approved, makes a key and sees it once.
        landlord.goto(f"{base}/utleier/")
        landlord.get_by_role("link", name="API-nøkler").click()
        landlord.get_by_label("Navn på nøkkelen").fill("Husleiesystemet")
        landlord.get_by_role("button", name="Lag nøkkel").click()
        secret = landlord.get_by_label("Ny nøkkel").input_value()
        assert re.fullmatch(r"otk_[\w-]{40,}", secret)
        assert (
            "Ikke brukt"
            in landlord.get_by_role("row").filter(has_text="Husleiesystemet").inner_text()
        )
        landlord.screenshot(path=str(SCREENS / "22-landlord-keys.png"), full_page=True)

        request = urllib.request.Request(
            f"{base}/api/v1/landlord/warnings", headers={"Authorization": f"Bearer {secret}"}
        )
        with urllib.request.urlopen(request, timeout=10) as answer:
            assert answer.status == 200
            assert json.load(answer) == []
        landlord.reload()
        assert landlord.get_by_label("Ny nøkkel").count() == 0  # once
        assert (
            "Ikke brukt"
            not in landlord.get_by_role("row").filter(has_text="Husleiesystemet").inner_text()
        )
