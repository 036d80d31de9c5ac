"""The case page's "Hva skjer videre" and letter entries say what will really happen.

Review, point 3: a letter already in the print pile was listed as upcoming at a
time already past; after a contact the three-working-day check stayed though the
letter it watched was cancelled; a withdrawn letter kept its preview link.
Point 2: a copy with no postal address says it will not be sent.
"""

from __future__ import annotations

import html as html_lib
import re
from typing import Any

import pytest
from rq import Queue, SimpleWorker

from outreach.jobs.tick import tick
from tests.test_staff_support import csrf_token, login, make_user, new_case, text_of


def _work(rt: Any) -> None:
    queue = Queue(rt.settings.queue_name, connection=rt.redis())
    SimpleWorker([queue], connection=rt.redis()).work(burst=True)


def _section(page: str, start: str, end: str) -> str:
    part = page[page.index(start) :]
    part = part[: part.index(end)]
    return " ".join(html_lib.unescape(re.sub(r"<[^>]+>", " ", part)).split())


def _next(client: Any, case_id: int) -> str:
    return _section(
        text_of(client.get(f"/staff/saker/{case_id}")), 'id="next-heading"', "</section>"
    )


def _timeline(client: Any, case_id: int) -> str:
    page = text_of(client.get(f"/staff/saker/{case_id}"))
    return page[page.index('<ol class="timeline"') :].split("</ol>")[0]


@pytest.fixture
def kari(client: Any, rt: Any) -> int:
    user_id = make_user(rt)
    assert login(client).status_code == 302
    return user_id


def test_a_letter_in_the_print_pile_goes_when_the_pile_is_posted(
    client: Any, rt: Any, kari: int
) -> None:
    case_id = new_case(rt).case_id
    tick(rt)
    _work(rt)
    text = _next(client, case_id)
    assert "Brev til leietaker: i utskriftsbunken, sendes når bunken er postlagt" in text
    assert "Kopi av brevet til namsfogden: i utskriftsbunken" in text
    assert "tirsdag 1. desember 10:00" not in text  # the due time, now past


def test_after_a_contact_the_deadline_of_a_cancelled_letter_is_not_shown(
    client: Any, rt: Any, kari: int
) -> None:
    case_id = new_case(rt, source={"address": None}).case_id
    tick(rt)
    _work(rt)
    case = f"/staff/saker/{case_id}"
    before = _next(client, case_id)
    assert "Frist for brevet (tre virkedager)" in before
    # No sender address: the copy to the bailiff is skipped, and the page says so.
    assert "Kopi av brevet til namsfogden: sendes ikke – mottakeren mangler postadresse" in before
    response = client.post(
        f"{case}/kontakt",
        data={"csrf_token": csrf_token(client, case), "contact-channel": "phone"},
    )
    assert response.status_code == 302
    after = _next(client, case_id)
    assert "Frist for brevet" not in after
    assert "i utskriftsbunken" not in after
    timeline = _timeline(client, case_id)
    assert "forhåndsvis" not in timeline  # the withdrawn letter has no preview link
    assert "tatt ut – blir ikke sendt" in timeline


def test_a_planned_copy_without_postal_address_says_it_will_not_be_sent(
    client: Any, rt: Any, kari: int
) -> None:
    case_id = new_case(rt, source={"address": None}).case_id
    text = _next(client, case_id)
    assert "Kopi av brevet til namsfogden" in text
    assert "sendes ikke: mottakeren mangler postadresse" in text
