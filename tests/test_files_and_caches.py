"""Issue 13, items 10 and 12: what files and answers leave behind.

- the staff search goes by POST: a tenant's name is in no URL (access logs,
  proxies, browser history);
- PDFs and API JSON answer ``Cache-Control: no-store``;
- an uploaded PDF with active content is refused, stored ones are served as
  attachments;
- what the app writes is readable by its own user only;
- a protected address is hidden on the doubtful-match page and the letter
  preview as on the case page.
"""

from __future__ import annotations

import io
import os
import stat
from typing import Any

import pytest
from pypdf import PdfReader, PdfWriter
from pypdf.generic import ArrayObject, DictionaryObject, NameObject, TextStringObject

from outreach.cases import documents
from outreach.models import Case, MatchReview, User
from outreach.models.staff import CaseDocument
from outreach.runtime import build_runtime
from tests.test_staff_support import csrf_token, login, make_user, new_case, search, text_of


def _pdf(change: Any = None) -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    if change is not None:
        change(writer)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _open_action(writer: PdfWriter) -> None:
    writer._root_object[NameObject("/OpenAction")] = DictionaryObject(
        {
            NameObject("/S"): NameObject("/JavaScript"),
            NameObject("/JS"): TextStringObject("app.alert('hei')"),
        }
    )


def _names_javascript(writer: PdfWriter) -> None:
    script = DictionaryObject(
        {NameObject("/S"): NameObject("/JavaScript"), NameObject("/JS"): TextStringObject("1")}
    )
    tree = DictionaryObject({NameObject("/Names"): ArrayObject([TextStringObject("a"), script])})
    writer._root_object[NameObject("/Names")] = DictionaryObject(
        {NameObject("/JavaScript"): writer._add_object(tree)}
    )


def _page_action(writer: PdfWriter) -> None:
    writer.pages[0][NameObject("/AA")] = DictionaryObject()


def _launch(writer: PdfWriter) -> None:
    writer._root_object[NameObject("/OpenAction")] = DictionaryObject(
        {NameObject("/S"): NameObject("/Launch"), NameObject("/F"): TextStringObject("calc")}
    )


ACTIVE = {
    "document JavaScript": _names_javascript,
    "/OpenAction /JavaScript": _open_action,
    "a page's /AA": _page_action,
    "/Launch": _launch,
    "an embedded file": lambda w: w.add_attachment("x.exe", b"MZ"),
}


@pytest.mark.parametrize("kind", sorted(ACTIVE))
def test_active_content_is_refused(kind: str) -> None:
    assert documents.check_pdf(_pdf(ACTIVE[kind])) == "active_content"


def test_a_plain_pdf_with_a_link_is_accepted() -> None:
    from pypdf.annotations import Link

    def link(writer: PdfWriter) -> None:
        writer.add_annotation(0, Link(rect=(50, 50, 200, 80), url="https://www.nav.no"))

    assert documents.check_pdf(_pdf(link)) is None


@pytest.fixture
def kari(rt: Any) -> int:
    return make_user(rt)


def test_the_case_page_refuses_a_scripted_pdf_with_a_clear_error(
    client: Any, rt: Any, kari: int
) -> None:
    result = new_case(rt)
    login(client)
    page = f"/staff/saker/{result.case_id}"
    response = client.post(
        f"{page}/dokument",
        data={
            "csrf_token": csrf_token(client, page),
            "document-document": (io.BytesIO(_pdf(_open_action)), "begjaering.pdf"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert "aktivt innhold" in text_of(response)
    with rt.session() as session:
        assert session.query(CaseDocument).count() == 0


def _store(rt: Any, runtime: Any, case_id: int, user_id: int) -> tuple[int, Any]:
    """A stored document through ``runtime`` (its var dir): (id, path)."""
    with rt.session() as session:
        doc = documents.add_document(
            session,
            runtime,
            session.get(Case, case_id),
            filename="begjaering.pdf",
            data=_pdf(),
            actor=session.get(User, user_id),
        )
        session.commit()
        return doc.id, documents.document_path(runtime, doc)


def test_stored_documents_are_attachments_and_no_store(client: Any, rt: Any, kari: int) -> None:
    result = new_case(rt)
    doc_id, _path = _store(rt, rt, result.case_id, kari)
    login(client)
    response = client.get(f"/staff/saker/{result.case_id}/dokumenter/{doc_id}")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert response.headers["Cache-Control"] == "no-store"
    response.close()


def test_api_json_is_no_store(client: Any, rt: Any, staff_token: str) -> None:
    result = new_case(rt)
    auth = {"Authorization": f"Bearer {staff_token}"}
    for url in (f"/api/v1/cases/{result.case_id}", "/api/v1/cases/999999"):
        assert client.get(url, headers=auth).headers["Cache-Control"] == "no-store"
    assert client.post("/api/v1/triggers", json={}).headers["Cache-Control"] == "no-store"


def test_search_keeps_the_query_out_of_the_url(client: Any, rt: Any, kari: int) -> None:
    new_case(rt)
    login(client)
    queue = text_of(client.get("/staff/"))
    assert 'method="post" action="/staff/sok"' in queue
    found = search(client, "Amina")
    assert found.status_code == 200 and "Amina Hassan" in text_of(found)
    assert "1 treff" in text_of(found)
    # A name in a URL (an old bookmark, a link) searches nothing.
    assert "treff" not in text_of(client.get("/staff/?q=Amina"))


def _mode(path: Any) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_what_the_app_writes_is_private(rt: Any, tmp_path: Any, kari: int) -> None:
    var = tmp_path / "var"
    var.mkdir(mode=0o755)
    var.chmod(0o755)
    os.umask(0o022)  # as a shell leaves it
    runtime = build_runtime(rt.settings.with_overrides({"var_dir": var}))
    assert _mode(var) == 0o700
    _doc_id, path = _store(rt, runtime, new_case(rt).case_id, kari)
    assert _mode(path) == 0o600 and _mode(path.parent) == 0o700
    import sqlite3

    sqlite3.connect(var / "outreach.sqlite3").close()
    assert _mode(var / "outreach.sqlite3") == 0o600


def _protected_pair(rt: Any) -> tuple[int, int]:
    first = new_case(rt, tenant={"protected_address": True})
    second = new_case(rt, source={"reference": "NF-2"}, tenant={"name": "Amina H. Hassan"})
    with rt.session() as session:
        review = MatchReview(
            trigger_id=second.trigger_id,
            case_id=second.case_id,
            candidate_case_id=first.case_id,
            confidence=0.8,
        )
        session.add(review)
        session.commit()
        return first.case_id, review.id


def test_a_protected_address_is_hidden_on_the_match_page_and_the_letter_preview(
    client: Any, rt: Any
) -> None:
    make_user(rt, roles="caseworker,district_lead")
    case_id, review_id = _protected_pair(rt)
    login(client)
    case_page = text_of(client.get(f"/staff/saker/{case_id}"))
    assert "Tøyengata" not in case_page and "Fortrolig adresse" in case_page
    match_page = text_of(client.get(f"/staff/dobbeltsjekk/{review_id}"))
    assert "Fortrolig adresse" in match_page
    assert match_page.count("Tøyengata") == 1  # the other person's, not the protected one
    preview = client.get(f"/staff/saker/{case_id}/brev.pdf")
    assert preview.status_code == 200
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(preview.data)).pages)
    preview.close()
    assert "Tøyengata" not in text and "0190" not in text
