"""Every look at a person's data is logged and shown (issue 5); the letter as it was sent."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from sqlalchemy import select

from outreach.models import Case, PrintItem, Task
from outreach.models.staff import CaseAccess
from tests.test_staff_intake_queue import form, pdf_bytes, submit
from tests.test_staff_support import login, make_user, new_case, search, text_of
from tests.test_visits_support import letter_posted, open_case


def _purposes(rt: Any) -> list[tuple[str, str, str | None]]:
    with rt.session() as session:
        return [
            (r.action, r.purpose, r.district_code)
            for r in session.scalars(select(CaseAccess).order_by(CaseAccess.id))
        ]


def test_document_preview_and_call_sheet_are_logged_with_the_page_as_reason(
    client: Any, rt: Any
) -> None:
    make_user(rt)
    login(client)
    created = submit(client, form(), document=(io.BytesIO(pdf_bytes()), "nf.pdf"))
    assert created.status_code == 302
    with rt.session() as session:
        case = session.scalar(select(Case))
        task = Task(
            case_id=case.id,
            kind="phone_call",
            title="Ring",
            district_code="030101",
            due_at=rt.now(),
            status="open",
        )
        session.add(task)
        session.flush()
        case_id, task_id = case.id, task.id
        session.execute(CaseAccess.__table__.delete())
    page = text_of(client.get(f"/staff/saker/{case_id}"))
    [doc_url] = [part.split('"')[0] for part in page.split('href="')[1:] if "/dokumenter/" in part][
        :1
    ]
    document = client.get(doc_url)
    assert document.status_code == 200
    document.close()
    assert client.get(f"/staff/saker/{case_id}/brev.pdf").status_code == 200
    assert client.get(f"/staff/oppgaver/{task_id}/samtale").status_code == 200
    assert _purposes(rt) == [
        ("view", "link", "030101"),
        ("view", "document", "030101"),
        ("view", "letter_preview", "030101"),
        ("view", "call_sheet", "030101"),
    ]


def test_the_intake_duplicate_check_is_logged_as_a_search(client: Any, rt: Any) -> None:
    make_user(rt)
    login(client)
    new_case(rt)
    warned = submit(
        client,
        form(
            tenant_name="Amina Hassan",
            birth_date="1988-04-12",
            street="Tøyengata 12",
            source_reference="NF-2",
        ),
    )
    assert warned.status_code == 409
    with rt.session() as session:
        row = session.scalar(select(CaseAccess))
        assert (row.action, row.purpose, row.query_kind, row.hits, row.district_code) == (
            "search",
            "new_notice",
            "name",
            1,
            "030101",
        )


def test_searches_without_a_district_are_shown_to_central_intake_with_filters(
    client: Any, rt: Any
) -> None:
    make_user(rt, "mottak", roles="central_intake", districts="")
    make_user(rt, "lead", roles="caseworker,district_lead")
    new_case(rt)
    login(client, "mottak")
    assert "1 treff" not in text_of(search(client, "hassan"))  # not routed to her
    log = client.get("/staff/leder/tilgangslogg")
    assert log.status_code == 200
    page = text_of(log)
    assert "Søkte på navn (0 treff)" in page and "mottak" in page
    assert "Søkte på navn" not in text_of(client.get("/staff/leder/tilgangslogg?bruker=lead"))
    assert "Søkte på navn" in text_of(client.get("/staff/leder/tilgangslogg?bruker=mottak"))
    # The Gamle Oslo lead does not see a search that is not about the district.
    other = client.application.test_client()
    login(other, "lead")
    assert "Søkte på navn" not in text_of(other.get("/staff/leder/tilgangslogg"))


def test_access_log_pages_and_filters_by_case(client: Any, rt: Any) -> None:
    from outreach.web.staff import views_work

    make_user(rt, "lead", roles="caseworker,district_lead")
    first = new_case(rt)
    second = open_case(rt, 2)
    login(client, "lead")
    for _ in range(views_work.ACCESS_PAGE_SIZE):
        client.get(f"/staff/saker/{first.case_id}")
    client.get(f"/staff/saker/{second}")
    page_one = text_of(client.get("/staff/leder/tilgangslogg"))
    assert "Eldre" in page_one and "Nyere" not in page_one
    page_two = text_of(client.get("/staff/leder/tilgangslogg?side=2"))
    assert page_two.count("Åpnet sak") == 1 and "Nyere" in page_two
    with rt.session() as session:
        reference = session.get(Case, second).reference
    only = text_of(client.get(f"/staff/leder/tilgangslogg?sak={reference.lower()}"))
    assert only.count("Åpnet sak") == 1 and reference in only


def test_the_timeline_links_the_letter_as_printed_and_logs_its_opening(
    client: Any, rt: Any, clock: Any
) -> None:
    make_user(rt)
    make_user(rt, "nils", districts="030102")
    case_id = open_case(rt)
    letter_posted(rt, clock, case_id, pdf=True)
    with rt.session() as session:
        item = session.scalar(
            select(PrintItem).where(PrintItem.case_id == case_id, PrintItem.audience == "tenant")
        )
        item_id, stored = item.id, Path(item.pdf_path).read_bytes()
    login(client)
    page = text_of(client.get(f"/staff/saker/{case_id}"))
    url = f"/staff/saker/{case_id}/brev/{item_id}.pdf"
    assert f'href="{url}"' in page and "se brevet (PDF)" in page
    assert "forhåndsvis (PDF, datert i dag)" in page
    response = client.get(url)
    assert response.status_code == 200 and response.data == stored
    assert response.mimetype == "application/pdf"
    response.close()
    assert _purposes(rt)[-1] == ("view", "letter", "030101")
    assert client.get(f"/staff/saker/{case_id}/brev/{item_id + 999}.pdf").status_code == 404
    other = client.application.test_client()
    login(other, "nils")
    assert other.get(url).status_code == 404
