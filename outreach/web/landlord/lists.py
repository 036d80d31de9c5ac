"""The portal's monthly arrears lists: upload, watch the progress, download the refused rows.

The same actions as ``POST /api/v1/landlord/lists`` (``jobs.landlord_lists.submit_list``).
The progress page refreshes itself (``<meta http-equiv="refresh">``) until the list
is done, so it works without JavaScript. A template and a short guide sit beside
the form, in the portal's language.
"""

from __future__ import annotations

from typing import Any

from flask import Response, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from outreach.jobs.landlord_lists import submit_list
from outreach.landlords import lists
from outreach.landlords.lists_parse import MAX_BYTES, ListFileError, parse_list
from outreach.landlords.warnings import LandlordError
from outreach.models.landlord import Landlord
from outreach.web import form_input
from outreach.web.context import db_session, rt
from outreach.web.landlord import bp
from outreach.web.landlord.auth import current_account, login_required
from outreach.web.landlord.forms import ListUploadForm

TEMPLATE_CSV = (
    "\ufeffReferanse;Navn;Fødselsdato;Fødselsnummer;Adresse;Postnummer;Poststed;Telefon;"
    "Restanse;Måneder\r\n"
    "BB-2026-117;Nora Berg;14.05.1979;;Tøyengata 12;0190;Oslo;91234567;12 345,50;2\r\n"
)
_FILE_MESSAGES = {
    "too_large": lambda: _("Filen er for stor (høyst 5 MB). Del listen i flere filer."),
    "wrong_type": lambda: _(
        "Dette er ikke en CSV- eller JSON-fil. Lagre regnearket som CSV og last opp på nytt."
    ),
    "empty": lambda: _("Filen er tom, eller har overskrifter men ingen rader."),
    "no_header": lambda: _(
        "Fant ingen overskriftslinje. Første linje skal navngi kolonnene, som i malen."
    ),
    "missing_column": lambda: _("Listen mangler en kolonne som må være med (se malen)."),
    "invalid_json": lambda: _("Filen er ikke gyldig JSON."),
    "too_many": lambda: _("Listen har for mange rader (høyst 20 000)."),
}


def _landlord() -> Landlord:
    account = current_account()
    assert account is not None
    return account.landlord


@bp.route("/restanselister", methods=["GET", "POST"])
@login_required
def lists_page() -> Any:
    form = ListUploadForm()
    status = 200
    general: list[str] = []
    if form.is_submitted():
        form.validate()
        upload = form.file.data
        for name in ("tenant_not_reserved", "tenant_informed"):
            if not getattr(form, name).data:
                form_input.add_error(form, name, _("Må bekreftes før NAV kan ta imot listen."))
        if upload is None or not getattr(upload, "filename", ""):
            form_input.add_error(form, "file", _("Velg filen med restanselisten."))
        if any(f.errors for f in form):
            status = 422
        else:
            try:
                content = upload.read(MAX_BYTES + 1)
                parsed = parse_list(content, content_type=upload.mimetype)
                account = current_account()
                assert account is not None
                received = submit_list(
                    db_session(), rt(), _landlord(), parsed, content,
                    filename=upload.filename or "", via="portal", account_id=account.id,
                )  # fmt: skip
            except ListFileError as exc:
                message = _FILE_MESSAGES[exc.code]() if exc.code in _FILE_MESSAGES else str(exc)
                form_input.add_error(form, "file", message)
                status = 422
            except LandlordError:
                abort(403)
            else:
                if received.duplicate:
                    flash(_("Dere har lastet opp nøyaktig denne listen før."), "info")
                return redirect(url_for("landlord.list_status", list_id=received.list.id))
    recent = lists.recent_lists(db_session(), _landlord())
    return render_template(
        "landlord/lists.html", form=form, recent=recent, general=general,
        page_errors=status != 200,
    ), status  # fmt: skip


@bp.get("/restanselister/<int:list_id>")
@login_required
def list_status(list_id: int) -> Any:
    found = lists.find_list(db_session(), _landlord(), list_id)
    if found is None:
        abort(404)
    counts = lists.counts(db_session(), found)
    done = sum(n for status, n in counts.items() if status != "pending")
    return render_template("landlord/list_status.html", listing=found, counts=counts, done=done)


@bp.get("/restanselister/<int:list_id>/avviste-rader.csv")
@login_required
def list_report(list_id: int) -> Any:
    found = lists.find_list(db_session(), _landlord(), list_id)
    if found is None:
        abort(404)
    return Response(
        lists.refused_report(db_session(), found),
        mimetype="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="restanseliste-{found.id}-avvist.csv"'
        },
    )


@bp.get("/restanselister/mal.csv")
@login_required
def list_template() -> Any:
    return Response(
        TEMPLATE_CSV,
        mimetype="text/csv",
        headers={"Content-Disposition": 'attachment; filename="restanseliste-mal.csv"'},
    )
