"""Attach a document to an existing case from the case page.

Later papers arrive after intake (the bailiff's eviction date, a court's
decision, a payment plan): issue 5 wants the source documents «stored with
the case». Same storage and checks as the intake upload
(``actions.add_document``: a PDF within the size limit under
``var/uploads/<case>/``, a ``document_added`` timeline event); the case is
loaded through ``visible_case`` (another district's case is a 404) and the
blueprint checks the CSRF token.
"""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, url_for
from flask_babel import gettext as _

from outreach.cases.errors import CaseActionError
from outreach.web.context import db_session, rt
from outreach.web.staff import actions, bp
from outreach.web.staff.auth import current_user, login_required
from outreach.web.staff.forms import DocumentForm
from outreach.web.staff.views_case import case_form, render_case, visible_case


@bp.post("/saker/<int:case_id>/dokument")
@login_required
def add_case_document(case_id: int) -> Any:
    case = visible_case(case_id)
    user = current_user()
    assert user is not None
    form = case_form(DocumentForm)
    storage = form.document.data
    if not form.validate() or storage is None or not getattr(storage, "filename", ""):
        if not form.document.errors:
            form.document.errors = [_("Velg en PDF-fil.")]
        return render_case(case, 400, document_form=form)
    data = storage.stream.read(actions.MAX_UPLOAD_BYTES + 1)
    storage.close()
    session = db_session()
    try:
        actions.add_document(session, rt(), case, filename=storage.filename, data=data, actor=user)
    except CaseActionError as exc:
        session.rollback()
        problem = str(exc)
        form.document.errors = [
            _("Filen er for stor. Høyst 10 MB.")
            if problem == "too_large"
            else _("Filen må være en PDF.")
        ]
        return render_case(case, 400, document_form=form)
    session.commit()
    flash(_("Dokumentet er lagt til i saken."), "success")
    return redirect(url_for("staff.case", case_id=case.id, via="action"))
