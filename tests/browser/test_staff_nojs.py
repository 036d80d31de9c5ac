"""The staff pages with JavaScript turned off (issue 5: «working without JavaScript»).

Chromium with ``java_script_enabled=False``: the main pages render and their
menus work, and the intake form submits, shows its errors (summary linked to
the fields, aria-invalid), keeps what was typed and the chosen PDF, and
creates the case once corrected – plain HTML forms, no script.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from outreach.models import Case
from outreach.models.staff import CaseDocument
from outreach.web.screens import LiveServer, launch_chromium
from tests.test_staff_intake_queue import pdf_bytes
from tests.test_staff_support import PASSWORD, make_user, new_case

pytestmark = pytest.mark.browser


def test_main_pages_and_intake_without_javascript(app: Any, rt: Any, tmp_path: Path) -> None:
    make_user(rt)
    existing = new_case(rt)
    upload = tmp_path / "begjaering.pdf"
    upload.write_bytes(pdf_bytes())

    with LiveServer(app) as server, launch_chromium() as browser:
        context = browser.new_context(locale="nb-NO", java_script_enabled=False)
        page = context.new_page()
        page.set_default_timeout(10_000)
        base = server.url
        page.goto(f"{base}/staff/")
        page.get_by_label("Brukernavn").fill("kari")
        page.get_by_label("Passord").fill(PASSWORD)
        page.get_by_role("button", name="Logg inn").click()
        page.wait_for_url(f"{base}/staff/")

        # The main pages render and are reached through the menu.
        for link, heading in [
            ("Mitt arbeid", "Mitt arbeid"),
            ("Hjemmebesøk", "Hjemmebesøk"),
            ("Kø", None),
        ]:
            page.get_by_role("navigation").get_by_role("link", name=link, exact=True).click()
            if heading:
                assert page.get_by_role("heading", level=1).inner_text() == heading
        page.goto(f"{base}/staff/saker/{existing.case_id}")
        assert page.get_by_role("heading", name="Tidslinje").count() == 1

        # The intake form: nothing chosen for kind and sender, a wrong postcode, a PDF.
        page.get_by_role("link", name="Ny melding").click()
        assert page.get_by_label("Type melding (må fylles ut)").input_value() == ""
        page.get_by_label("Avsenderens navn").fill("Oslo namsfogdkontor")
        page.get_by_label("Avsenderens saksnummer").fill("NF-NOJS-1")
        page.get_by_label("Navn (må fylles ut)", exact=True).fill("Nora Uten Skript")
        page.get_by_label("Fødselsdato").fill("1979-06-01")
        page.get_by_label("Gateadresse (må fylles ut)").fill("Tøyengata 31")
        page.get_by_label("Postnummer (må fylles ut)").fill("019")
        page.get_by_label("Kildedokument (PDF, høyst 10 MB)").set_input_files(str(upload))
        page.get_by_role("button", name="Registrer meldingen").click()

        summary = page.locator("#error-summary")
        text = summary.inner_text()
        assert "Velg type melding." in text and "Velg avsender." in text
        assert "Postnummeret må ha fire sifre." in text
        postal = page.get_by_label("Postnummer (må fylles ut)")
        assert postal.get_attribute("aria-invalid") == "true"
        assert postal.get_attribute("aria-required") == "true"
        assert page.get_by_label("Gateadresse (må fylles ut)").input_value() == "Tøyengata 31"
        assert "begjaering.pdf" in page.locator("#pending-document").inner_text()
        # The summary's links go to the fields (plain anchors, no script).
        summary.get_by_role("link", name=re.compile("Postnummer")).click()
        assert page.url.endswith("#postal_code")

        page.get_by_label("Type melding (må fylles ut)").select_option("eviction_petition")
        page.get_by_label("Avsender (må fylles ut)").select_option("bailiff")
        postal.fill("0190")
        page.get_by_role("button", name="Registrer meldingen").click()
        page.wait_for_url(re.compile(r".*/staff/saker/\d+.*"))
        assert "er opprettet" in page.get_by_role("status").inner_text()
        assert "begjaering.pdf" in page.locator("ol.timeline").inner_text()
        context.close()

    with rt.session() as session:
        case = session.scalar(select(Case).where(Case.id != existing.case_id))
        assert case is not None
        assert session.scalar(select(CaseDocument.filename)) == "begjaering.pdf"
