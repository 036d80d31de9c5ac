"""The intake form (the API's schema, Norwegian errors, duplicates, PDF upload); the queue."""

from __future__ import annotations

import io
import re
from datetime import timedelta
from typing import Any

import pytest
from pypdf import PdfWriter
from sqlalchemy import func, select

from outreach.models import Case, Trigger
from outreach.models.staff import CaseDocument
from tests.factories import national_id
from tests.test_staff_support import csrf_token, login, make_user, new_case, search, text_of


@pytest.fixture
def kari(client: Any, rt: Any) -> int:
    user_id = make_user(rt)
    assert login(client).status_code == 302
    return user_id


def pdf_bytes() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def form(**overrides: Any) -> dict[str, Any]:
    data = {
        "kind": "eviction_petition",
        "source_type": "bailiff",
        "source_name": "Oslo namsfogdkontor",
        "source_reference": "NF-77",
        "tenant_name": "Ola Nordmann",
        "birth_date": "1970-05-17",
        "street": "Tøyengata 40",
        "postal_code": "0190",
        "city": "Oslo",
        "phone": "412 34 567",
        "language": "nb",
        "children": "3, 12",
        "client_status": "none",
        "arrears_amount": "24 500,50",
    }
    data.update(overrides)
    return data


def submit(client: Any, data: dict[str, Any], **files: Any) -> Any:
    return client.post(
        "/staff/ny",
        data={"csrf_token": csrf_token(client, "/staff/ny"), **data, **files},
        content_type="multipart/form-data",
    )


def count(rt: Any, model: Any) -> int:
    with rt.session() as session:
        return int(session.scalar(select(func.count()).select_from(model)))


def test_intake_creates_the_same_case_as_the_api(client: Any, rt: Any, kari: int) -> None:
    response = submit(client, form(), document=(io.BytesIO(pdf_bytes()), "begjaering.pdf"))
    assert response.status_code == 302, text_of(response)
    page = text_of(client.get(response.headers["Location"]))
    assert "er opprettet, og brevet er planlagt" in page
    assert "Ola Nordmann" in page and "begjaering.pdf" in page
    with rt.session() as session:
        case = session.scalar(select(Case))
        trigger = session.scalar(select(Trigger))
        document = session.scalar(select(CaseDocument))
        assert case.district_code == "030101"
        assert case.children_ages == [3, 12]
        assert str(trigger.arrears_amount) == "24500.50"
        assert case.person.phone == "+4741234567"
        assert document.trigger_id == trigger.id and document.size > 0
        assert (rt.settings.var_dir / document.stored_path).read_bytes().startswith(b"%PDF-")
    pdf = client.get(f"/staff/saker/{case.id}/dokumenter/{document.id}")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert pdf.get_data().startswith(b"%PDF-")
    pdf.close()


def test_field_errors_in_norwegian_and_nothing_written(client: Any, rt: Any, kari: int) -> None:
    response = submit(
        client,
        form(
            postal_code="019",
            phone="12",
            national_id="12345678901",
            children="fire",
            tenant_name="",
        ),
    )
    assert response.status_code == 400
    page = text_of(response)
    assert "Noe må rettes før skjemaet kan sendes" in page
    assert "Postnummeret må ha fire sifre." in page
    assert "Ugyldig telefonnummer." in page or "Telefonnummeret kan ikke leses." in page
    assert "Kontrollsifrene stemmer ikke" in page
    assert "Skriv alderen i hele år" in page
    assert "Må fylles ut." in page
    assert 'aria-invalid="true"' in page
    assert 'value="Tøyengata 40"' in page  # what was typed is kept
    assert count(rt, Case) == 0 and count(rt, Trigger) == 0


def test_upload_must_be_a_pdf(client: Any, rt: Any, kari: int, monkeypatch: Any) -> None:
    from outreach.cases import documents

    # A small limit keeps the upload in memory (Werkzeug's test client spools big bodies to a file).
    monkeypatch.setattr(documents, "MAX_UPLOAD_BYTES", 4096)
    response = submit(client, form(), document=(io.BytesIO(b"MZ\x90\x00 not a pdf"), "virus.exe"))
    assert response.status_code == 400
    assert "Filen må være en PDF." in text_of(response)
    big = b"%PDF-1.4\n" + b"0" * 5000
    response = submit(client, form(), document=(io.BytesIO(big), "stor.pdf"))
    assert "Filen er for stor." in text_of(response)
    assert count(rt, Case) == 0


def test_duplicate_warning_offers_the_open_case(client: Any, rt: Any, kari: int) -> None:
    existing = new_case(rt)  # Amina Hassan, Gamle Oslo
    doc = form(
        tenant_name="Amina Hassan",
        birth_date="1988-04-12",
        street="Tøyengata 12",
        source_reference="NF-2",
    )
    warned = submit(client, doc)
    assert warned.status_code == 409
    page = text_of(warned)
    assert "Denne personen har allerede en åpen sak i Gamle Oslo" in page
    assert f"/staff/saker/{existing.case_id}" in page
    tag = re.search(r'<input[^>]*name="confirm_duplicate"[^>]*>', page)
    confirmation = re.search(r'value="([0-9a-f]{64})"', tag[0]) if tag else None
    assert confirmation, "the confirmation is tied to the matched case and person"
    assert count(rt, Trigger) == 1
    confirmed = submit(client, {**doc, "confirm_duplicate": confirmation[1]})
    assert confirmed.status_code == 302
    assert count(rt, Case) == 1 and count(rt, Trigger) == 2
    assert "lagt til den åpne saken" in text_of(client.get(confirmed.headers["Location"]))


def test_duplicate_warning_finds_a_moved_tenant_by_the_phone(
    client: Any, rt: Any, kari: int
) -> None:
    """A close name, the same birth date, another address, the same mobile: ask first."""
    existing = new_case(rt)  # Amina Hassan, Tøyengata 12, +47 412 34 567
    doc = form(
        tenant_name="Amina Demo Hassan",
        birth_date="1988-04-12",
        street="Kjølberggata 3",
        postal_code="0653",
        phone="412 34 567",
        source_reference="NF-3",
    )
    warned = submit(client, doc)
    assert warned.status_code == 409
    assert f"/staff/saker/{existing.case_id}" in text_of(warned)
    assert count(rt, Trigger) == 1


def test_every_trigger_kind_can_be_registered(client: Any, rt: Any, kari: int) -> None:
    kinds = [
        "unpaid_rent_warning",
        "eviction_petition",
        "forced_sale_notice",
        "eviction_scheduled",
        "eviction_completed",
        "lacks_capacity",
    ]
    for i, kind in enumerate(kinds):
        data = form(
            kind=kind,
            tenant_name=f"Person Nummer{i}",
            source_reference=f"REF-{i}",
            birth_date=f"19{60 + i}-01-0{i + 1}",
            street=f"Tøyengata {i + 1}",
            eviction_date="2026-12-20" if kind == "eviction_scheduled" else "",
            counterpart_name="Borettslaget Tøyen" if kind == "forced_sale_notice" else "",
        )
        assert submit(client, data).status_code == 302, kind
    assert count(rt, Case) == len(kinds)


def test_case_of_another_district_goes_there(client: Any, rt: Any, kari: int) -> None:
    response = submit(client, form(district="030105", street="Bogstadveien 10", postal_code="0355"))
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/staff/")
    assert "sendt dit" in text_of(client.get("/staff/"))


def test_queue_order_and_reasons(client: Any, rt: Any, kari: int, clock: Any) -> None:
    today = clock().date()
    # A plain case, a repeat case, someone 67+, a family, and a near eviction date.
    plain = new_case(
        rt,
        tenant={
            "name": "Vanlig Sak",
            "birth_date": "1990-01-01",
            "address": {"street": "Tøyengata 1"},
        },
        household={"children": []},
        source={"reference": "Q1"},
    )
    elderly = new_case(
        rt,
        tenant={
            "name": "Eldre Person",
            "birth_date": "1950-01-01",
            "address": {"street": "Tøyengata 2"},
        },
        household={"children": []},
        source={"reference": "Q2"},
    )
    family = new_case(
        rt,
        tenant={
            "name": "Barne Familie",
            "birth_date": "1985-01-01",
            "address": {"street": "Tøyengata 3"},
        },
        household={"children": [6]},
        source={"reference": "Q3"},
    )
    crisis = new_case(
        rt,
        tenant={
            "name": "Krise Sak",
            "birth_date": "1991-01-01",
            "address": {"street": "Tøyengata 4"},
        },
        household={"children": []},
        source={"reference": "Q4"},
        eviction_date=(today + timedelta(days=9)).isoformat(),
    )
    page = text_of(client.get("/staff/"))
    order = [
        page.index(name) for name in ("Krise Sak", "Barne Familie", "Eldre Person", "Vanlig Sak")
    ]
    assert order == sorted(order)
    assert "om 9 dager" in page and "1 barn" in page and "76 år" in page
    filtered = text_of(client.get("/staff/?grunn=children"))
    assert "Barne Familie" in filtered and "Vanlig Sak" not in filtered
    assert {plain.case_id, elderly.case_id, family.case_id, crisis.case_id}


def test_search_by_national_id_and_reference(client: Any, rt: Any, kari: int) -> None:
    nid = national_id(12, 4, 1988)
    result = new_case(rt, tenant={"national_id": nid})
    assert "Amina Hassan" in text_of(search(client, nid))
    assert "Amina Hassan" in text_of(search(client, result.case_reference))
    assert "0 treff" in text_of(search(client, "Ingen Slik"))
