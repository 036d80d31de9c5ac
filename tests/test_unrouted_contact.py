"""Issue 12, item 6: an address the table does not know must not lose the letter.

An unrouted case is central intake's: its letters go out by the deadline with
central intake's contact person and number; routed later, what is still to come
names the district's contact; and no text is ever rendered with an empty slot.
"""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pypdf import PdfReader
from sqlalchemy import select

from outreach.cases.forwarding import assign_district
from outreach.districts import central_intake
from outreach.jobs.tick import tick
from outreach.letters import LANGUAGES
from outreach.letters.slots import EmptySlot, is_blank
from outreach.messages import SMS_PURPOSES, render_email, render_sms
from outreach.models import Case, District, Step
from tests.test_jobs import open_case, outbox_files, post_letters, print_items, steps, work

TRONDHEIMSVEIEN = {
    "tenant": {"address": {"street": "Trondheimsveien 100", "postal_code": "0565"}},
}


def pdf_text(path: str | None) -> str:
    return " ".join(p.extract_text() for p in PdfReader(Path(path or "")).pages)


def sms_bodies(rt: Any) -> list[str]:
    return [json.loads(f.read_text())["body"] for f in outbox_files(rt, "sms")]


def test_an_unrouted_petition_gets_its_letters_with_central_intakes_contact(
    rt: Any, clock: Any
) -> None:
    central = central_intake()
    case_id = open_case(rt, **TRONDHEIMSVEIEN)
    with rt.session() as s:
        case = s.get(Case, case_id)
        assert case is not None and case.district_code is None
    tick(rt)
    work(rt)
    by_rule = steps(rt, case_id)
    # Old code: both failed at once, "missing_contact_person".
    assert by_rule["letter"].status == "waiting"
    assert by_rule["copy_bailiff"].status == "waiting"
    clock.set(clock() + timedelta(hours=6))
    post_letters(rt, pdf=True)
    tenant, copy = print_items(rt)
    assert (tenant.status, copy.status) == ("posted", "posted")
    for item in (tenant, copy):
        text = pdf_text(item.pdf_path)
        assert central.duty_contact_name in text
    with rt.session() as s:
        case = s.get(Case, case_id)
        assert case is not None and case.letter_sent_at == clock()
        letter = s.scalar(select(Step).where(Step.case_id == case_id, Step.rule == "letter"))
        assert letter is not None and letter.deadline_at is not None
        assert case.letter_sent_at <= letter.deadline_at
    # A week later the SMS names central intake's number, never "ring ." with none.
    clock.set(clock() + timedelta(days=7))
    tick(rt)
    work(rt)
    (body,) = sms_bodies(rt)
    assert central.duty_contact_phone in body


def test_routing_later_moves_what_is_still_to_come_to_the_district(rt: Any, clock: Any) -> None:
    case_id = open_case(rt, **TRONDHEIMSVEIEN)
    tick(rt)
    work(rt)
    # The letters wait in central intake's batch when staff find the district.
    with rt.session() as s:
        case = s.get(Case, case_id)
        assert case is not None
        assign_district(
            s, rt, case, district="030102", reason="Trondheimsveien 100 er på Grünerløkka"
        )
        s.commit()
        grunerlokka = case.district
        assert grunerlokka is not None
        name, phone = grunerlokka.duty_contact_name, grunerlokka.duty_contact_phone
    clock.set(clock() + timedelta(hours=6))
    post_letters(rt, pdf=True)
    tenant, copy = print_items(rt)
    assert tenant.status == "posted" and copy.status == "posted"
    assert name in pdf_text(tenant.pdf_path)
    assert central_intake().duty_contact_name not in pdf_text(tenant.pdf_path)
    clock.set(clock() + timedelta(days=7))
    tick(rt)
    work(rt)
    (body,) = sms_bodies(rt)
    assert phone in body and central_intake().duty_contact_phone not in body


def test_a_letter_with_an_empty_slot_is_blocked_alone_not_the_batch(rt: Any) -> None:
    with rt.session() as s:
        district = s.get(District, "030101")
        assert district is not None
        district.opening_hours = ""  # an office's edit left the hours empty
    blank = open_case(rt)
    other = open_case(
        rt,
        source={"reference": "NF-2"},
        tenant={"name": "Ola Nordmann", "birth_date": "1970-05-17", "phone": "+4741234568"},
    )
    tick(rt)
    work(rt)
    post_letters(rt, pdf=True)
    items = {(i.case_id, i.audience): i for i in print_items(rt)}
    assert items[(blank, "tenant")].status == "blocked"
    assert items[(other, "tenant")].status == "blocked"
    # The copies name no opening hours: they print; the batch did not fail.
    assert items[(blank, "copy_bailiff")].status == "posted"
    assert steps(rt, blank)["letter"].detail == "empty_slot"


def test_an_sms_with_no_number_is_refused_not_sent() -> None:
    with pytest.raises(EmptySlot, match="phone"):
        render_sms("first_contact", "nb", contact_phone="", office_name="NAV Grünerløkka")
    with pytest.raises(EmptySlot, match="office"):
        render_email("letter", "ar", office_name=" ", contact_phone="+4721000102")


# Values a reader would see as nothing: empty, spaces, direction marks and isolates.
_BLANK = st.text(alphabet=" \t\n\u200e\u200f\u2066\u2069", max_size=4)
_VALUE = st.one_of(
    _BLANK,
    st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=12),
)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    language=st.sampled_from(LANGUAGES),
    purpose=st.sampled_from([p for p in SMS_PURPOSES if p == "first_contact" or p == "reminder"]),
    phone=_VALUE,
    office=_VALUE,
    email=st.booleans(),
)
def test_no_rendered_text_has_an_empty_slot(
    language: str, purpose: str, phone: str, office: str, email: bool
) -> None:
    """Every language, SMS or e-mail: a blank value is refused, a real one is shown."""
    try:
        if email:
            rendered = render_email("letter", language, office_name=office, contact_phone=phone)
            text = rendered.subject + rendered.body
        else:
            text = render_sms(purpose, language, contact_phone=phone, office_name=office).text
    except EmptySlot as refused:
        assert refused.slot in {"phone", "office"}
        assert is_blank(phone) or is_blank(office)
        return
    assert not is_blank(phone) and not is_blank(office)
    assert phone.strip() in text or not email


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    language=st.sampled_from(LANGUAGES),
    audience=st.sampled_from(["tenant", "copy_bailiff"]),
    name=_VALUE,
    phone=_VALUE,
    hours=_VALUE,
)
def test_no_letter_is_rendered_with_an_empty_slot(
    language: str, audience: str, name: str, phone: str, hours: str
) -> None:
    """The letter's contact person, number and opening hours: shown, or the letter refused."""
    from dataclasses import replace

    from outreach.letters import ContactPerson, render_letter_html
    from outreach.letters.samples import SAMPLE_OFFICE, sample_letter

    data = sample_letter(
        language=language,
        audience=audience,
        contact=ContactPerson(name, phone),
        office=replace(SAMPLE_OFFICE, opening_hours=hours),
    )
    try:
        html = render_letter_html(data)
    except EmptySlot:
        assert is_blank(name) or is_blank(phone) or (audience == "tenant" and is_blank(hours))
        return
    assert not is_blank(name) and not is_blank(phone)
    assert audience != "tenant" or not is_blank(hours)
    assert html.startswith("<!") or "<html" in html
