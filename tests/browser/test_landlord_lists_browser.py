"""A municipal landlord uploads its monthly arrears list in real Chromium (issue 14).

Picks the file, confirms the two declarations, watches the progress page refresh
itself (no JavaScript) while a real RQ worker processes the list, and downloads
the refused rows. Screenshots: docs/screens/23-landlord-list-upload.png,
24-landlord-list-progress.png, 25-landlord-list-done.png.
"""

from __future__ import annotations

from typing import Any

import pytest

from outreach.config import REPO_ROOT
from outreach.web.screens import LiveServer, launch_chromium
from tests.landlord_lists_support import csv_list, csv_row, work
from tests.test_landlord_portal import make_landlord
from tests.test_staff_support import PASSWORD

pytestmark = pytest.mark.browser

SCREENS = REPO_ROOT / "docs" / "screens"


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_landlord_uploads_a_list_watches_it_and_downloads_the_refused_rows(
    app: Any, rt: Any, tmp_path: Any
) -> None:
    make_landlord(rt)
    upload = tmp_path / "restanser-desember.csv"
    rows = [csv_row(i) for i in range(1, 9)]
    rows[3] = csv_row(4, amount="tolv tusen")
    rows[6] = csv_row(7).replace("0190", "19O")
    upload.write_bytes(csv_list(rows))

    with LiveServer(app) as server, launch_chromium() as browser:
        context = browser.new_context(
            locale="nb-NO", viewport={"width": 1200, "height": 900}, java_script_enabled=False,
            accept_downloads=True,
        )  # fmt: skip
        page = context.new_page()
        page.set_default_timeout(10_000)
        page.goto(f"{server.url}/utleier/logg-inn")
        page.get_by_label("Brukernavn").fill("ulla@example.no")
        page.get_by_label("Passord").fill(PASSWORD)
        page.get_by_role("button", name="Logg inn").click()
        page.get_by_role("link", name="Restanselister").click()
        page.get_by_label("Restanselisten (CSV eller JSON)").set_input_files(str(upload))
        page.get_by_label("Ingen av leietakerne på listen har reservert seg").check()
        page.get_by_label("Alle leietakerne på listen har fått beskjed").check()
        page.screenshot(path=str(SCREENS / "23-landlord-list-upload.png"), full_page=True)
        page.get_by_role("button", name="Last opp listen").click()

        page.get_by_text("Behandles …").wait_for()
        assert "0 av 8 rader" not in page.inner_text("main")  # the refused rows count as done
        page.screenshot(path=str(SCREENS / "24-landlord-list-progress.png"), full_page=True)
        work(rt)
        page.get_by_text("Ferdig behandlet").wait_for(timeout=15_000)  # the page refreshed itself
        assert "8 av 8 rader behandlet" in page.inner_text("main")
        page.screenshot(path=str(SCREENS / "25-landlord-list-done.png"), full_page=True)
        with page.expect_download() as caught:
            page.get_by_role("link", name="Last ned avviste rader (CSV)").click()
        report = caught.value.path().read_text(encoding="utf-8-sig")
        assert "5;BB-4;arrears_amount" in report and "8;BB-7;postal_code" in report
        context.close()
