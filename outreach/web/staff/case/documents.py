"""The case's files: its source documents, the letter as previewed and as printed.

Later papers arrive after intake (the bailiff's eviction date, a court's
decision, a payment plan): issue 5 wants the source documents «stored with
the case», so a document can be attached from the case page with the same
storage and checks as the intake upload (``cases_documents.add_document``: a PDF within
the size limit under ``var/uploads/<case>/``, a ``document_added`` timeline
event). Each file opened is written to the access log like opening the case.
"""

from __future__ import annotations

from io import BytesIO
from typing import Any

from flask import abort, flash, redirect, request, send_file
from flask_babel import gettext as _

from outreach.cases import documents as cases_documents
from outreach.cases.errors import CaseActionError
from outreach.models import PrintItem
from outreach.models.staff import CaseDocument
from outreach.permissions import Action
from outreach.reach.base import message_language
from outreach.reach.letter.moves import stored_letter_path
from outreach.web.context import db_session, rt
from outreach.web.staff import bp, labels
from outreach.web.staff.auth import acting_user, allowed
from outreach.web.staff.case.page import case_form, case_url, log_page, render_case, visible_case
from outreach.web.staff.forms import DocumentForm
from outreach.web.staff.letter_preview import render_case_letter


@bp.post("/saker/<int:case_id>/dokument")
@allowed(Action.ADD_DOCUMENT)
def add_case_document(case_id: int) -> Any:
    case = visible_case(case_id)
    user = acting_user()
    form = case_form(DocumentForm)
    storage = form.document.data
    if not form.validate() or storage is None or not getattr(storage, "filename", ""):
        if not form.document.errors:
            form.document.errors = [_("Velg en PDF-fil.")]
        return render_case(case, 400, document_form=form)
    data = storage.stream.read(cases_documents.MAX_UPLOAD_BYTES + 1)
    storage.close()
    session = db_session()
    try:
        cases_documents.add_document(
            session, rt(), case, filename=storage.filename, data=data, actor=user
        )
    except CaseActionError as exc:
        session.rollback()
        form.document.errors = [labels.upload_problem(str(exc))]
        return render_case(case, 400, document_form=form)
    session.commit()
    flash(_("Dokumentet er lagt til i saken."), "success")
    return redirect(case_url(case))


@bp.get("/saker/<int:case_id>/dokumenter/<int:document_id>")
@allowed(Action.READ_CASE)
def document(case_id: int, document_id: int) -> Any:
    case = visible_case(case_id)
    doc = db_session().get(CaseDocument, document_id)
    if doc is None or doc.case_id != case.id:
        abort(404)
    try:
        path = cases_documents.document_path(rt(), doc)
    except FileNotFoundError:
        abort(404)
    if not path.exists():
        abort(404)
    log_page(case, "document")
    # Uploaded by someone outside NAV: saved, never opened in the browser's PDF
    # viewer inside our origin (issue 13, item 12; active content is refused at upload).
    return send_file(
        path, mimetype="application/pdf", download_name=doc.filename, as_attachment=True
    )


@bp.get("/saker/<int:case_id>/brev.pdf")
@allowed(Action.READ_CASE)
def letter_preview(case_id: int) -> Any:
    case = visible_case(case_id)
    language = request.args.get("sprak") or message_language(case.person.language)
    pdf = render_case_letter(db_session(), rt(), case, language)
    if isinstance(pdf, str):
        flash(pdf, "error")
        return redirect(case_url(case))
    log_page(case, "letter_preview")
    return send_file(
        BytesIO(pdf), mimetype="application/pdf", download_name=f"{case.reference}-{language}.pdf"
    )


@bp.get("/saker/<int:case_id>/brev/<int:item_id>.pdf")
@allowed(Action.READ_CASE)
def stored_letter(case_id: int, item_id: int) -> Any:
    """The letter as it was printed and posted (its own PDF cut from the batch)."""
    case = visible_case(case_id)
    item = db_session().get(PrintItem, item_id)
    if item is None or item.case_id != case.id:
        abort(404)
    path = stored_letter_path(rt(), item)
    if path is None:
        abort(404)
    log_page(case, "letter")
    return send_file(
        path,
        mimetype="application/pdf",
        download_name=f"{case.reference}-brev-{item.id}.pdf",
        as_attachment=False,
    )
