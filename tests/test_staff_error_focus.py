"""After a failed submit the page says so first and focus lands on the summary (point 9).

No script: ``autofocus`` on the summary (it has tabindex=-1) and "Feil: " at the
start of the <title>. A failed case action renders at the action's URL; opening
that URL afterwards (a bookmark, the address bar) goes to the case page.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.test_landlord_portal import form as landlord_form
from tests.test_landlord_portal import login as landlord_login
from tests.test_landlord_portal import make_landlord
from tests.test_staff_intake_queue import form as intake_form
from tests.test_staff_intake_queue import submit
from tests.test_staff_support import csrf_token, login, make_user, new_case, text_of


def _title(page: str) -> str:
    found = re.search(r"<title>(.*?)</title>", page, re.S)
    assert found
    return found[1].strip()


@pytest.fixture
def kari(client: Any, rt: Any) -> int:
    user_id = make_user(rt)
    assert login(client).status_code == 302
    return user_id


def test_a_failed_case_action_titles_the_page_and_focuses_the_summary(
    client: Any, rt: Any, kari: int
) -> None:
    case_id = new_case(rt).case_id
    case = f"/staff/saker/{case_id}"
    assert not _title(text_of(client.get(case))).startswith("Feil:")
    failed = client.post(
        f"{case}/videresend",
        data={"csrf_token": csrf_token(client, case), "forward-district": "030102"},
    )
    assert failed.status_code == 400
    page = text_of(failed)
    assert _title(page).startswith("Feil: ")
    assert re.search(r'<div class="error-summary"[^>]*\bautofocus\b', page)
    # The action's address opened as a page goes to the case, not a 405.
    opened = client.get(f"{case}/videresend")
    assert opened.status_code == 302 and opened.headers["Location"].endswith(case)


def test_a_failed_intake_titles_the_page(client: Any, rt: Any, kari: int) -> None:
    page = text_of(submit(client, intake_form(tenant_name="")))
    assert _title(page).startswith("Feil: ")
    assert 'id="error-summary" autofocus' in page


def test_a_failed_landlord_warning_titles_the_page(client: Any, rt: Any) -> None:
    make_landlord(rt)
    assert landlord_login(client).status_code == 302
    url = "/utleier/varsel/nytt"
    failed = client.post(
        url, data={"csrf_token": csrf_token(client, url), **landlord_form(street="")}
    )
    assert failed.status_code == 422
    page = text_of(failed)
    assert _title(page).startswith("Feil: ")
    assert 'id="error-summary" autofocus' in page
