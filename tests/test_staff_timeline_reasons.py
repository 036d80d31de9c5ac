"""Every reason code on the case timeline is said in Norwegian, never as the code.

The reviewer saw "årsak: tenant responded" and "årsak: no_postal_address" on
the timeline; a caseworker reads bokmål (STYLE.md), and an unknown code gives a
neutral text, not the code.
"""

from __future__ import annotations

import html as html_lib
import re
from typing import Any

import pytest

from outreach import timeline
from outreach.web.staff import reasons
from tests.test_staff_support import login, make_user, new_case, text_of

# The kinds that carry a ``reason`` code and how the timeline reaches them.
_KINDS = (
    ("step_cancelled", {"rule": "letter"}),
    ("step_skipped", {"rule": "copy_bailiff"}),
    ("step_failed", {"rule": "sms"}),
    ("step_deferred", {"rule": "sms"}),
    ("step_retry", {"rule": "sms"}),
    ("letter_withdrawn", {"audience": "tenant"}),
    ("letter_blocked", {"audience": "tenant"}),
    ("task_cancelled", {"task_kind": "phone_call"}),
    ("attempt_unsettled", {}),
    ("visit_needs_staffing", {}),
    ("visit_tenant_not_told", {"notice": "visit_notice"}),
    ("sms_number_unusable", {}),
    ("forwarded", {"to_district": "030102"}),
    ("unrouted", {}),
)


def _timeline_text(page: str) -> str:
    part = page[page.index('<ol class="timeline"') :]
    part = part[: part.index("</ol>")]
    return html_lib.unescape(re.sub(r"<[^>]+>", " ", part))


@pytest.fixture
def case_id(client: Any, rt: Any) -> int:
    make_user(rt)
    assert login(client).status_code == 302
    return int(new_case(rt).case_id)


def test_every_known_reason_is_said_in_norwegian(client: Any, rt: Any, case_id: int) -> None:
    codes = list(reasons.REASONS)
    with rt.session() as session:
        for code in codes:
            for kind, extra in _KINDS:
                timeline.record(session, case_id, kind, rt.now(), reason=code, **extra)
        session.commit()
    text = _timeline_text(text_of(client.get(f"/staff/saker/{case_id}")))
    for code in codes:
        assert code not in text, code
        assert str(reasons.REASONS[code]) in text, code
    assert "årsak:" in text


def test_an_unknown_code_gives_a_neutral_text(client: Any, rt: Any, case_id: int) -> None:
    with rt.session() as session:
        for kind, extra in _KINDS:
            # A forward's or a cancelled visit's task's reason may be typed by staff.
            if kind not in {"forwarded", "task_cancelled"}:
                timeline.record(session, case_id, kind, rt.now(), reason="zz_new_code", **extra)
        timeline.record(
            session,
            case_id,
            "step_cancelled",
            rt.now(),
            rule="phone_task",
            reason="no longer applies: has_phone",
        )
        session.commit()
    text = _timeline_text(text_of(client.get(f"/staff/saker/{case_id}")))
    assert "zz_new_code" not in text and "has_phone" not in text
    assert "annen årsak" in text
    assert "gjelder ikke lenger for saken" in text


def test_a_reason_typed_by_staff_is_shown_as_typed(client: Any, rt: Any, case_id: int) -> None:
    with rt.session() as session:
        timeline.record(
            session, case_id, "visit_cancelled", rt.now(), reason="Leietaker ringte og avlyste"
        )
        timeline.record(session, case_id, "visit_cancelled", rt.now(), reason="case forwarded")
        session.commit()
    text = _timeline_text(text_of(client.get(f"/staff/saker/{case_id}")))
    assert "Leietaker ringte og avlyste" in text
    assert "saken er sendt til en annen bydel" in text and "case forwarded" not in text


def test_the_english_ui_says_reasons_in_english(client: Any, rt: Any, case_id: int) -> None:
    with rt.session() as session:
        timeline.record(
            session, case_id, "step_cancelled", rt.now(), rule="letter", reason="tenant responded"
        )
        session.commit()
    with client.session_transaction() as browser:
        browser["lang"] = "en"
    text = _timeline_text(text_of(client.get(f"/staff/saker/{case_id}")))
    assert "the tenant has been in touch" in text
