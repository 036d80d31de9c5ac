"""The caseworker's day in real Chromium (issue 5, "Done means").

Log in, create a case through the form with a validation error corrected on
the way, see it in the queue, open the timeline, register a contact and see
the pending steps cancelled, decide a flag. The app runs on a real server in
a thread (werkzeug on 127.0.0.1, an ephemeral port) against the test's
database and Redis.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from outreach.cases.flags import raise_flag
from outreach.models import Case
from outreach.web.screens import LiveServer, launch_chromium
from outreach.workdays import parse_offset
from tests.test_staff_support import PASSWORD, make_user, new_case

pytestmark = pytest.mark.browser


def test_caseworker_flow(app: Any, rt: Any) -> None:
    kari = make_user(rt)
    flagged = new_case(rt, tenant={"name": "Familien Berg"}, source={"reference": "NF-FLAG"})
    with rt.session() as session:
        case = session.get(Case, flagged.case_id)
        case.caseworker_id = kari  # the named caseworker decides the flag (issue 13, item 7)
        raise_flag(session, rt, case, "child_welfare_assessment", rt.now(), parse_offset("2wd"))

    with LiveServer(app) as server, launch_chromium() as browser:
        context = browser.new_context(locale="nb-NO")
        page = context.new_page()
        page.set_default_timeout(10_000)
        base = server.url

        page.goto(f"{base}/staff/")
        assert "/staff/logg-inn" in page.url
        page.keyboard.press("Tab")
        assert (
            page.evaluate("document.activeElement.textContent").strip() == "Hopp til hovedinnholdet"
        )
        page.get_by_label("Brukernavn").fill("kari")
        page.get_by_label("Passord").fill(PASSWORD)
        page.get_by_role("button", name="Logg inn").click()
        page.wait_for_url(f"{base}/staff/")

        # The intake form, with a mistake on the way.
        page.get_by_role("link", name="Ny melding").click()
        page.get_by_label("Type melding").select_option("eviction_petition")
        page.get_by_label("Avsender (må fylles ut)").select_option("bailiff")  # no preselection
        page.get_by_label("Avsenderens navn").fill("Oslo namsfogdkontor")
        page.get_by_label("Avsenderens saksnummer").fill("NF-BROWSER-1")
        page.get_by_label("Navn (må fylles ut)", exact=True).fill("Sara Lunde")
        page.get_by_label("Fødselsdato").fill("1984-03-09")
        page.get_by_label("Gateadresse (må fylles ut)").fill("Tøyengata 30")
        page.get_by_label("Postnummer (må fylles ut)").fill("019")
        page.get_by_label("Barnas alder").fill("7")
        page.get_by_role("button", name="Registrer meldingen").click()
        summary = page.get_by_role("alert")
        assert "Postnummeret må ha fire sifre." in summary.inner_text()
        postal = page.get_by_label("Postnummer (må fylles ut)")
        assert postal.get_attribute("aria-invalid") == "true"
        assert page.get_by_label("Gateadresse (må fylles ut)").input_value() == "Tøyengata 30"
        postal.fill("0190")
        page.get_by_role("button", name="Registrer meldingen").click()
        page.wait_for_url(re.compile(r".*/staff/saker/\d+.*"))
        assert "er opprettet" in page.get_by_role("status").inner_text()

        # The queue shows it, with the reason.
        page.get_by_role("link", name="Kø", exact=True).click()
        row = page.get_by_role("row").filter(has_text="Sara Lunde")
        assert "1 barn" in row.inner_text()
        row.get_by_role("link", name="Sara Lunde").click()

        # The timeline and what happens next.
        timeline = page.locator("ol.timeline")
        assert "Melding mottatt" in timeline.inner_text()
        next_steps = page.locator("section[aria-labelledby=next-heading]")
        assert "Brev til leietaker" in next_steps.inner_text()
        assert "med mindre vi hører fra leietakeren" in next_steps.inner_text()

        # A contact stops the ladder: the letter is cancelled, before it went out.
        page.get_by_label("Hvordan fikk vi kontakt?").select_option("walk_in")
        page.get_by_label("Kort notat (valgfritt)").fill("Kom innom med brevet fra namsfogden.")
        page.get_by_role("button", name="Registrer kontakt", exact=True).click()
        assert "steg er stoppet" in page.get_by_role("status").inner_text()
        assert "Avlyst: Brev til leietaker" in timeline.inner_text()
        assert "Brev til leietaker" not in next_steps.inner_text()
        assert "Kontakt med leietaker registrert" in timeline.inner_text()

        # A flag is decided with its reason.
        page.goto(f"{base}/staff/mitt-arbeid")
        page.get_by_role("link", name="Familien Berg").first.click()
        page.get_by_label("Beslutning").select_option("no_report")
        page.get_by_label("Begrunnelse (minst 10 tegn)").fill(
            "Familien har fått hjelp med husleien; ingen bekymring for barna."
        )
        page.get_by_role("button", name="Lagre vurderingen").click()
        assert "Vurderingen er lagret" in page.get_by_role("status").inner_text()
        assert "Vurdering besluttet" in timeline.inner_text()
        assert page.get_by_role("button", name="Lagre vurderingen").count() == 0
        context.close()
