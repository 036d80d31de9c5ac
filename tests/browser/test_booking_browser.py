"""The tenant's booking page in real Chromium, right to left (issue 4, "Tests").

An Arabic-speaking tenant on a small phone: types the code from the letter,
picks a time (or asks to be called, or says it is sorted out), and reads the
confirmation in Arabic. No JavaScript is needed;
the page is served by werkzeug in a thread against the test's database.
Screenshots go to docs/screens/booking-ar*.png.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import select

from outreach.config import REPO_ROOT
from outreach.web.screens import LiveServer, launch_chromium
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
        from outreach.models import Case, Event

        kinds = session.scalars(select(Event.kind).where(Event.case_id == case_id)).all()
        assert "booking_appointment" in kinds
        assert session.get(Case, case_id).ladder_state == "responded"


@contextmanager
def _signed_in(app: Any, code: str) -> Iterator[Any]:
    """An Arabic phone browser, past the code page, at the three choices."""
    with LiveServer(app) as server, launch_chromium() as browser:
        context = browser.new_context(
            locale="ar", viewport=PHONE, device_scale_factor=2, java_script_enabled=False
        )
        page = context.new_page()
        page.set_default_timeout(10_000)
        page.goto(f"{server.url}/b")
        page.get_by_label("رمزك").fill(code)
        page.get_by_role("button", name="متابعة").click()
        page.get_by_role("heading", name="ماذا تريد أن تفعل؟").wait_for()
        yield page
        context.close()


def _kinds(rt: Any, case_id: int) -> list[str]:
    from outreach.models import Event

    with rt.session() as session:
        return list(session.scalars(select(Event.kind).where(Event.case_id == case_id)))


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_arabic_tenant_asks_to_be_called(app: Any, rt: Any) -> None:
    from outreach.models import Case, Task

    case_id = new_case(rt, language="ar")
    with _signed_in(app, issue(rt, case_id)) as page:
        page.get_by_role("radio", name=re.compile("في الصباح")).check()
        phone = page.get_by_label("رقم الهاتف (اختياري)")
        assert phone.get_attribute("dir") == "ltr"  # a number reads left to right
        phone.fill("123")  # too short: refused, the choice kept
        page.get_by_role("button", name="اتصلوا بي").click()
        assert "تحقق من رقم الهاتف" in page.get_by_role("alert").inner_text()
        assert page.get_by_role("radio", name=re.compile("في الصباح")).is_checked()
        assert page.locator("html").get_attribute("dir") == "rtl"
        page.get_by_label("رقم الهاتف (اختياري)").fill("412 34 567")
        page.get_by_role("button", name="اتصلوا بي").click()
        status = page.get_by_role("status")
        assert "سنتصل بك في أقرب وقت ممكن" in status.inner_text()
        assert "طلبت أن نتصل بك بين" in page.inner_text("main")
        assert page.locator("html").get_attribute("dir") == "rtl"

    assert "booking_call_me" in _kinds(rt, case_id)
    with rt.session() as session:
        assert session.get(Case, case_id).ladder_state == "responded"
        [task] = session.scalars(
            select(Task).where(Task.case_id == case_id, Task.status == "open")
        ).all()
        assert task.kind == "phone_call" and "41234567" in task.note
        assert task.scheduled_for is not None  # the morning window was asked for


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_arabic_tenant_says_it_is_sorted_out(app: Any, rt: Any) -> None:
    from outreach.models import Case

    case_id = new_case(rt, language="ar")
    with _signed_in(app, issue(rt, case_id)) as page:
        page.get_by_role("button", name="تمت تسوية الأمر").click()
        assert "شكرًا لإخبارنا" in page.get_by_role("status").inner_text()
        assert page.locator("html").get_attribute("dir") == "rtl"
        assert "Hagegata 28" in page.inner_text("main")  # where to turn later

    assert "booking_sorted" in _kinds(rt, case_id)
    with rt.session() as session:
        case = session.get(Case, case_id)
        assert case.ladder_state == "responded" and case.status == "open"  # staff decide
