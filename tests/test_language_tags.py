"""A tenant's full BCP 47 tag is kept; pages and letters use the nearest catalog."""

from __future__ import annotations

from typing import Any

from tests.test_booking import issue, new_case
from tests.test_booking_web import enter, text


def test_booking_page_speaks_the_primary_language_of_a_regional_tag(client: Any, rt: Any) -> None:
    case_id = new_case(rt, language="ar-SY")
    assert enter(client, issue(rt, case_id)).status_code == 303
    html = text(client.get("/b"))
    assert 'lang="ar"' in html and 'dir="rtl"' in html


def test_booking_page_gives_dari_for_afghan_persian(client: Any, rt: Any) -> None:
    case_id = new_case(rt, language="fa-AF")
    assert enter(client, issue(rt, case_id)).status_code == 303
    assert 'lang="prs"' in text(client.get("/b"))
