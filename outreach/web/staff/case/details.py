"""Correcting the tenant's contact details and reopening a case closed by mistake.

Both change what the case is about rather than its course, so both need a
reason or name what changed on the timeline (issue 12, item 14).
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _

from outreach.cases import contact_details
from outreach.cases import errors as cases_errors
from outreach.cases.reopen import reopen_case
from outreach.intake.matching import address_key
from outreach.permissions import Action
from outreach.web.context import db_session, rt
from outreach.web.staff import bp
from outreach.web.staff.auth import acting_user, allowed
from outreach.web.staff.case.page import (
    action_done,
    action_failed,
    case_form,
    render_case,
    visible_case,
)
from outreach.web.staff.forms import ContactDetailsForm, ReopenForm


@bp.post("/saker/<int:case_id>/kontaktopplysninger")
@allowed(Action.CORRECT_CONTACT)
def correct_contact(case_id: int) -> Any:
    case = visible_case(case_id)
    form = case_form(ContactDetailsForm)
    form.fill_choices()
    if not form.validate():
        return render_case(case, 400, details_form=form)
    details = contact_details.ContactDetails(
        street=form.street.data or "",
        postal_code=form.postal_code.data or "",
        city=form.city.data or "",
        phone=form.phone.data or "",
        language=form.language.data or "nb",
    )
    try:
        changed = contact_details.correct_contact(
            db_session(), rt(), case, details, actor=acting_user(), address_key=address_key
        )
    except cases_errors.CaseActionError as exc:
        return action_failed(case, exc, form, exc.field, "details_form")
    if not changed:
        return action_done(_("Ingenting å rette: opplysningene var de samme."), case)
    return action_done(_("Kontaktopplysningene er rettet."), case)


@bp.post("/saker/<int:case_id>/gjenapne")
@allowed(Action.REOPEN_CASE)
def reopen(case_id: int) -> Any:
    case = visible_case(case_id)
    form = case_form(ReopenForm)
    if not form.validate():
        return render_case(case, 400, reopen_form=form)
    try:
        reopen_case(db_session(), rt(), case, reason=form.reason.data or "", actor=acting_user())
    except cases_errors.CaseActionError as exc:
        return action_failed(case, exc, form, exc.field, "reopen_form")
    return action_done(_("Saken er åpnet igjen. Kontaktstigen starter ikke av seg selv."), case)
