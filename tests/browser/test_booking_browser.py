"""The tenant's booking page in real Chromium, right to left (issue 4, "Tests").

An Arabic-speaking tenant on a small phone: types the code from the letter,
picks a time, and reads the confirmation in Arabic. No JavaScript is needed;
the page is served by werkzeug in a thread against the test's database.
Screenshots go to docs/screens/booking-ar*.png.
"""

from __future__ import annotations

from typing import Any

import pytest

from outreach.config import REPO_ROOT
from outreach.web.staff.screens import LiveServer, launch_chromium
from tests.test_booking import issue, new_case

pytestmark = pytest.mark.browser

SCREENS = REPO_ROOT / "docs" / "screens"
PHONE = {"width": 360, "height": 740}  # a small, cheap Android phone


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_arabic_tenant_books_a_time(app: Any, rt: Any) -> None:
    case_id = new_case(rt, language="ar")
    code = issue(rt, case_id)

    with LiveServer(app) as server, launch_chromium() as browser:
        context = browser.new_context(
            locale="ar", viewport=PHONE, device_scale_factor=2, java_script_enabled=False
        )
        page = context.new_page()
        page.set_default_timeout(10_000)
        page.goto(f"{server.url}/b")
        # Before the code, the phone's language decides: Arabic, right to left.
        assert page.locator("html").get_attribute("dir") == "rtl"
        page.get_by_label("رمزك").fill("ABCD-2345")  # a typo first: nothing revealed
        page.get_by_role("button", name="متابعة").click()
        assert "لم نجد هذا الرمز" in page.get_by_role("alert").inner_text()
        page.screenshot(path=str(SCREENS / "booking-ar-code.png"), full_page=True)
        page.get_by_label("رمزك").fill(code.lower().replace("-", " "))
        page.get_by_role("button", name="متابعة").click()

        page.get_by_role("heading", name="ماذا تريد أن تفعل؟").wait_for()
        assert page.locator("html").get_attribute("lang") == "ar"
        first_day = page.locator("fieldset").first
        first_day.get_by_role("radio").nth(1).check()
        page.screenshot(path=str(SCREENS / "booking-ar-times.png"), full_page=True)
        page.get_by_role("button", name="احجز هذا الموعد").click()

        status = page.get_by_role("status")
        assert "موعدك يوم" in status.inner_text()
        assert page.locator("html").get_attribute("dir") == "rtl"
        assert "Hagegata 28" in page.inner_text("main")
        page.screenshot(path=str(SCREENS / "booking-ar.png"), full_page=True)
        context.close()

    with rt.session() as session:
        from sqlalchemy import select

        from outreach.models import Case, Event

        kinds = session.scalars(select(Event.kind).where(Event.case_id == case_id)).all()
        assert "booking_appointment" in kinds
        assert session.get(Case, case_id).ladder_state == "responded"
