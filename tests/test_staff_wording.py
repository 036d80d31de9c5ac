"""Wording on the case page (review, points 4 and 10).

The display name rather than the login, a readable phone number, plurals by
ngettext in both languages, and which letter each "in the print pile" line is.
"""

from __future__ import annotations

from typing import Any

import pytest
from rq import Queue, SimpleWorker

from outreach.jobs.tick import tick
from outreach.web.i18n import format_phone
from tests.test_staff_support import csrf_token, login, make_user, new_case, text_of


@pytest.fixture
def kari(client: Any, rt: Any) -> int:
    user_id = make_user(rt)
    assert login(client).status_code == 302
    return user_id


def _contact(client: Any, case_id: int) -> str:
    case = f"/staff/saker/{case_id}"
    response = client.post(
        f"{case}/kontakt", data={"csrf_token": csrf_token(client, case), "contact-channel": "phone"}
    )
    assert response.status_code == 302
    return text_of(client.get(response.headers["Location"]))


def test_phone_numbers_are_grouped_for_reading() -> None:
    assert format_phone("+4741234567") == "+47 412 34 567"
    assert format_phone("+4722334455") == "+47 22 33 44 55"
    assert format_phone("+46701234567") == "+46 70 123 45 67"
    assert format_phone("not a number") == "not a number"
    assert format_phone(None) == ""


def test_actor_display_name_phone_and_singular(client: Any, rt: Any, kari: int) -> None:
    case_id = new_case(rt).case_id
    page = _contact(client, case_id)
    assert "Kontakt registrert. 1 planlagt steg er stoppet." in page
    assert "av Kari Testesen" in page and "av kari<" not in page
    assert "+47 412 34 567" in page and "+4741234567" not in page
    assert "Språk</dt><dd>somali</dd>" in page


def test_english_plural_and_dates(client: Any, rt: Any, kari: int) -> None:
    case_id = new_case(rt).case_id
    with client.session_transaction() as browser:
        browser["lang"] = "en"
    page = _contact(client, case_id)
    assert "Contact registered. 1 planned step stopped." in page
    assert "1 Dec 2026" in page and "1/12/2026" not in page
    assert "Language</dt><dd>Somali</dd>" in page


def test_the_two_letters_in_the_print_pile_say_who_they_are_for(
    client: Any, rt: Any, kari: int
) -> None:
    case_id = new_case(rt).case_id
    tick(rt)
    SimpleWorker(
        [Queue(rt.settings.queue_name, connection=rt.redis())], connection=rt.redis()
    ).work(burst=True)
    page = text_of(client.get(f"/staff/saker/{case_id}"))
    assert "Brev lagt i utskriftsbunken – leietaker" in page
    assert "Brev lagt i utskriftsbunken – kopi til namsfogden" in page
