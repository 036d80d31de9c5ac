"""The intake form's second look: duplicate confirmations, kept uploads, per-kind fields."""

from __future__ import annotations

import io
import re
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from outreach.models import Case, Trigger
from outreach.models.staff import CaseDocument
from outreach.web.staff import pending_uploads
from tests.test_staff_intake_queue import count, form, pdf_bytes, submit
from tests.test_staff_support import login, make_user, new_case, text_of


@pytest.fixture
def kari(client: Any, rt: Any) -> int:
    user_id = make_user(rt)
    assert login(client).status_code == 302
    return user_id


def hidden(page: str, name: str) -> str:
    tag = re.search(rf'<input[^>]*name="{name}"[^>]*>', page)
    assert tag, name
    value = re.search(r'value="([^"]*)"', tag[0])
    return value[1] if value else ""


def _amina(**overrides: Any) -> dict[str, Any]:
    data = form(
        tenant_name="Amina Hassan",
        birth_date="1988-04-12",
        street="Tøyengata 12",
        source_reference="NF-2",
    )
    data.update(overrides)
    return data


def test_confirmation_holds_only_for_the_person_it_was_given_for(
    client: Any, rt: Any, kari: int
) -> None:
    new_case(rt)  # Amina Hassan, Tøyengata 12, Gamle Oslo
    warned = submit(client, _amina())
    assert warned.status_code == 409
    token = hidden(text_of(warned), "confirm_duplicate")
    assert re.fullmatch(r"[0-9a-f]{64}", token)
    # The old "1" no longer skips the check.
    assert submit(client, {**_amina(), "confirm_duplicate": "1"}).status_code == 409
    # Same name, another address: still a possible match, but not the confirmed one.
    moved = submit(client, {**_amina(street="Tøyengata 14"), "confirm_duplicate": token})
    assert moved.status_code == 409
    assert hidden(text_of(moved), "confirm_duplicate") not in ("", token)
    assert count(rt, Trigger) == 1
    # The confirmation for exactly this person goes through.
    confirmed = submit(client, {**_amina(), "confirm_duplicate": token})
    assert confirmed.status_code == 302
    assert count(rt, Trigger) == 2


def test_confirmation_for_one_person_does_not_carry_to_another_match(
    client: Any, rt: Any, kari: int
) -> None:
    new_case(rt)  # Amina Hassan
    new_case(
        rt,
        tenant={
            "name": "Per Hansen",
            "birth_date": "1950-02-02",
            "address": {"street": "Kolstadgata 1", "postal_code": "0652", "city": "Oslo"},
        },
        source={"type": "bailiff", "name": "Oslo namsfogdkontor", "reference": "NF-9"},
    )
    token = hidden(text_of(submit(client, _amina())), "confirm_duplicate")
    per = form(
        tenant_name="Per Hansen",
        birth_date="1950-02-02",
        street="Kolstadgata 1",
        postal_code="0652",
        source_reference="NF-10",
    )
    response = submit(client, {**per, "confirm_duplicate": token})
    assert response.status_code == 409, "Per's open case must be shown, not skipped"
    assert "Denne personen har allerede en åpen sak" in text_of(response)


def test_upload_is_kept_through_a_validation_error(client: Any, rt: Any, kari: int) -> None:
    failed = submit(
        client, form(tenant_name=""), document=(io.BytesIO(pdf_bytes()), "begjaering.pdf")
    )
    assert failed.status_code == 400
    page = text_of(failed)
    assert "Dokumentet «begjaering.pdf» er tatt vare på" in page
    token = hidden(page, "pending_document")
    assert len(token) >= 32
    assert count(rt, CaseDocument) == 0
    # Corrected without choosing the file again: the kept file goes with the case.
    done = submit(client, {**form(), "pending_document": token})
    assert done.status_code == 302
    with rt.session() as session:
        doc = session.scalar(select(CaseDocument))
        assert doc is not None and doc.filename == "begjaering.pdf"
    assert pending_uploads.load(rt, token, user_id=kari) is None  # used up


def test_kept_upload_is_the_uploaders_and_expires(
    client: Any, rt: Any, kari: int, clock: Any
) -> None:
    token = pending_uploads.save(rt, user_id=kari, filename="a.pdf", data=pdf_bytes())
    assert pending_uploads.load(rt, token, user_id=kari) is not None
    assert pending_uploads.load(rt, token, user_id=kari + 1) is None
    assert pending_uploads.load(rt, "../../etc/passwd", user_id=kari) is None
    clock.set(clock() + pending_uploads.PENDING_TTL + timedelta(minutes=1))
    assert pending_uploads.load(rt, token, user_id=kari) is None
    other = pending_uploads.save(rt, user_id=kari, filename="b.pdf", data=pdf_bytes())
    assert len(list((rt.settings.var_dir / "uploads" / "pending").glob("*.pdf"))) == 1
    assert pending_uploads.load(rt, other, user_id=kari) is not None


def test_kept_upload_survives_the_duplicate_warning(client: Any, rt: Any, kari: int) -> None:
    new_case(rt)
    warned = submit(client, _amina(), document=(io.BytesIO(pdf_bytes()), "kopi.pdf"))
    assert warned.status_code == 409
    page = text_of(warned)
    assert "Dokumentet «kopi.pdf» er tatt vare på" in page
    data = {
        **_amina(),
        "confirm_duplicate": hidden(page, "confirm_duplicate"),
        "pending_document": hidden(page, "pending_document"),
    }
    assert submit(client, data).status_code == 302
    with rt.session() as session:
        assert session.scalar(select(CaseDocument.filename)) == "kopi.pdf"


def test_eviction_scheduled_needs_a_date_and_forced_sale_a_plaintiff(
    client: Any, rt: Any, kari: int
) -> None:
    scheduled = submit(client, form(kind="eviction_scheduled", eviction_date=""))
    assert scheduled.status_code == 400
    page = text_of(scheduled)
    assert "Må fylles ut for denne meldingstypen." in page
    assert 'href="#eviction_date"' in page  # in the error summary, linked to the field
    sale = submit(client, form(kind="forced_sale_notice", source_reference="TS-1"))
    assert sale.status_code == 400
    assert 'href="#counterpart_name"' in text_of(sale)
    assert count(rt, Case) == 0
    ok = submit(
        client,
        form(
            kind="forced_sale_notice",
            source_reference="TS-1",
            counterpart_name="Tøyen borettslag",
            counterpart_street="Tøyengata 1",
            counterpart_postal_code="0190",
        ),
    )
    assert ok.status_code == 302
    with rt.session() as session:
        trigger = session.scalar(select(Trigger))
        assert trigger is not None
    assert count(rt, Case) == 1


def test_kind_and_sender_are_chosen_not_preselected(client: Any, rt: Any, kari: int) -> None:
    page = text_of(client.get("/staff/ny"))
    kind = page[page.index('id="kind"') : page.index("</select>", page.index('id="kind"'))]
    assert (
        '<option selected value="">' in kind
        or 'value="" selected' in kind
        or ("selected" not in kind)
    )
    assert "Velg type melding …" in kind
    source = page[page.index('id="source_type"') :]
    source = source[: source.index("</select>")]
    assert "Velg avsender …" in source and "selected" not in source.replace('selected value=""', "")
    missing = submit(client, form(kind="", source_type=""))
    assert missing.status_code == 400
    text = text_of(missing)
    assert "Velg type melding." in text and "Velg avsender." in text
    assert count(rt, Case) == 0


def test_document_added_to_an_existing_case(client: Any, rt: Any, kari: int) -> None:
    from outreach.models import Event
    from tests.test_staff_support import csrf_token

    result = new_case(rt)
    case = f"/staff/saker/{result.case_id}"
    token = csrf_token(client, case)
    empty = client.post(
        f"{case}/dokument", data={"csrf_token": token}, content_type="multipart/form-data"
    )
    assert empty.status_code == 400
    assert "Velg en PDF-fil." in text_of(empty)
    assert 'id="error-summary"' in text_of(empty)
    wrong = client.post(
        f"{case}/dokument",
        data={"csrf_token": token, "document-document": (io.BytesIO(b"GIF89a"), "bilde.gif")},
        content_type="multipart/form-data",
    )
    assert wrong.status_code == 400 and "Filen må være en PDF." in text_of(wrong)
    ok = client.post(
        f"{case}/dokument",
        data={"csrf_token": token, "document-document": (io.BytesIO(pdf_bytes()), "dom.pdf")},
        content_type="multipart/form-data",
    )
    assert ok.status_code == 302
    with rt.session() as session:
        doc = session.scalar(select(CaseDocument))
        assert doc is not None and doc.filename == "dom.pdf" and doc.trigger_id is None
        event = session.scalar(select(Event).where(Event.kind == "document_added"))
        assert event is not None and event.data["document_id"] == doc.id
    page = text_of(client.get(case))
    assert "Dokument lagt til" in page and "dom.pdf" in page
    pdf = client.get(f"{case}/dokumenter/{doc.id}")
    assert pdf.status_code == 200
    pdf.close()
    # Another district's caseworker cannot add to (or see) the case.
    make_user(rt, "nils", districts="030102")
    login(client, "nils")
    other = client.post(
        f"{case}/dokument",
        data={
            "csrf_token": csrf_token(client, "/staff/"),
            "document-document": (io.BytesIO(pdf_bytes()), "x.pdf"),
        },
        content_type="multipart/form-data",
    )
    assert other.status_code == 404
    assert count(rt, CaseDocument) == 1


def test_the_senders_postal_address_is_taken_and_the_copy_goes_there(
    client: Any, rt: Any, kari: int
) -> None:
    """Review, point 2: a petition registered by hand could never get its copy posted."""
    response = submit(
        client,
        form(source_street="Postboks 8024 Dep", source_postal_code="0030", source_city="Oslo"),
    )
    assert response.status_code == 302
    page = text_of(client.get(response.headers["Location"]))
    assert "sendes ikke" not in page
    with rt.session() as session:
        trigger = session.scalar(select(Trigger))
        assert (trigger.source_street, trigger.source_postal_code, trigger.source_city) == (
            "Postboks 8024 Dep",
            "0030",
            "Oslo",
        )


def test_without_the_senders_address_the_form_says_the_copy_is_skipped(
    client: Any, rt: Any, kari: int
) -> None:
    response = submit(client, form())
    assert response.status_code == 302
    page = text_of(client.get(response.headers["Location"]))
    assert "Kopi av brevet til namsfogden sendes ikke" in page  # the flash at submit
    assert "sendes ikke: mottakeren mangler postadresse" in page  # "Hva skjer videre"


def test_a_bad_sender_postal_code_lands_on_its_field(client: Any, rt: Any, kari: int) -> None:
    response = submit(client, form(source_street="Postboks 8024 Dep", source_postal_code="30"))
    assert response.status_code == 400
    page = text_of(response)
    assert 'href="#source_postal_code"' in page


def test_an_empty_postal_code_must_be_filled_in(client: Any, rt: Any, kari: int) -> None:
    """Review, point 10: an empty field says "Må fylles ut", not "must have four digits"."""
    page = text_of(submit(client, form(postal_code="")))
    assert "Postnummer: Må fylles ut." in page
    assert "Postnummeret må ha fire sifre." not in page
