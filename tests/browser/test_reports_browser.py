"""The mapping's dashboard in real Chromium with no internet (issue 15, "Done means").

A year of notices (tests/report_year.py); a district lead reads their district,
filters by quarter and downloads a CSV; an analyst logs in, lands on the
dashboard and reads the city with small numbers hidden. Every request that
does not go to the app is refused and recorded: the page must not need one.
Screenshots go to docs/screens/30-reports-dashboard.png and 31-reports-city.png.

``OUTREACH_AXE_JS=/path/to/axe.min.js`` (``npm install axe-core``) also runs
axe-core's WCAG 2 A/AA rules on both pages.
"""

from __future__ import annotations

import json
import os
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from outreach.config import REPO_ROOT
from outreach.web.screens import LiveServer, launch_chromium
from tests.report_year import fill_year
from tests.test_staff_support import PASSWORD, make_user

pytestmark = pytest.mark.browser

SCREENS = REPO_ROOT / "docs" / "screens"


def _axe(page: Any) -> list[str]:
    script = os.environ.get("OUTREACH_AXE_JS")
    if not script:
        return []
    # Evaluated by the driver, not as an inline <script>: the page's CSP stays as it is.
    page.evaluate(Path(script).read_text() + "\n;true")
    result = page.evaluate(
        "async () => (await axe.run(document, {runOnly: ['wcag2a', 'wcag2aa']})).violations"
        ".map(v => v.id + ': ' + v.nodes.map(n => n.target.join(' ')).slice(0, 3).join(', '))"
    )
    return list(result)


def _log_in(page: Any, base: str, username: str) -> None:
    page.goto(f"{base}/staff/logg-inn")
    page.get_by_label("Brukernavn").fill(username)
    page.get_by_label("Passord").fill(PASSWORD)
    page.get_by_role("button", name="Logg inn").click()


def test_the_dashboard_for_a_lead_and_an_analyst(app: Any, rt: Any, tmp_path: Path) -> None:
    with rt.session() as session:
        fill_year(session, year_start=date(2026, 1, 1), cases=900, attempts_per_case=0)
    make_user(rt, "lise", roles="caseworker,district_lead", districts="030101")
    make_user(rt, "anders", roles="analyst", districts="")
    outside: list[str] = []

    with LiveServer(app) as server, launch_chromium() as browser:
        base = server.url

        def refuse_the_world(route: Any) -> None:
            if route.request.url.startswith(base):
                route.continue_()
            else:
                outside.append(route.request.url)
                route.abort()

        context = browser.new_context(
            locale="nb-NO", viewport={"width": 1200, "height": 900}, accept_downloads=True
        )
        context.route("**/*", refuse_the_world)
        page = context.new_page()
        page.set_default_timeout(15_000)

        _log_in(page, base, "lise")
        page.wait_for_url(f"{base}/staff/")
        page.get_by_role("link", name="Rapporter").click()
        page.wait_for_url(f"{base}/staff/rapporter")
        assert page.get_by_role("heading", level=1).inner_text() == "Kartlegging: Gamle Oslo"
        figures = page.locator("section.report-figure")
        assert figures.count() >= 1
        first = figures.first
        chart = first.locator("svg[role=img]")
        assert chart.is_visible()
        # The served stylesheet is applied (the CSP forbids pygal's inline copy): bars are blue
        # (the first figure may be a line over the periods; some figure is a bar chart).
        bars = page.locator("section.report-figure svg[role=img] rect.rect")
        fill = bars.first.evaluate("e => getComputedStyle(e).fill")
        # NAV's blue, red, green, ... (charts._COLOURS), not pygal's own palette.
        assert fill in {"rgb(0, 103, 197)", "rgb(195, 0, 0)", "rgb(6, 137, 58)"}, fill
        described = chart.get_attribute("aria-describedby")
        assert described and page.locator(f"#{described}").inner_text().strip()
        assert first.locator("table th[scope=col]").count() >= 2
        page.screenshot(path=str(SCREENS / "30-reports-dashboard.png"), full_page=True)
        assert _axe(page) == []

        page.get_by_label("Inndeling").select_option("quarter")
        page.get_by_role("button", name="Vis").click()
        page.wait_for_url("**inndeling=quarter**")
        assert "per kvartal" in page.locator("p.lead-text").inner_text()
        with page.expect_download() as download_info:
            first.locator("a", has_text="Last ned tabellen som CSV").first.click()
        download = download_info.value
        assert download.suggested_filename.endswith(".csv")
        saved = tmp_path / download.suggested_filename
        download.save_as(saved)
        assert saved.read_bytes().startswith(b"\xef\xbb\xbf")

        page.get_by_role("button", name="Logg ut").click()
        _log_in(page, base, "anders")
        page.wait_for_url(f"{base}/staff/rapporter")
        nav = page.get_by_role("navigation", name="Hovedmeny")
        assert [link.strip() for link in nav.get_by_role("link").all_inner_texts()] == ["Rapporter"]
        assert page.get_by_role("heading", level=1).inner_text() == "Kartlegging: Oslo"
        assert "vises som «<5»" in page.locator("#suppression-note").inner_text()
        page.screenshot(path=str(SCREENS / "31-reports-city.png"), full_page=True)
        assert _axe(page) == []
        page.get_by_label("Bydel", exact=True).select_option(label="Gamle Oslo")
        page.get_by_role("button", name="Vis").click()
        page.wait_for_url("**bydel=030101**")
        assert page.get_by_role("heading", level=1).inner_text() == "Kartlegging: Gamle Oslo"
        context.close()
    assert outside == [], json.dumps(outside)
