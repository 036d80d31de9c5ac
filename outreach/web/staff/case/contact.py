"""The case's course, as a caseworker records it: contact with the tenant (which
stops the contact ladder), a note, pausing and resuming the ladder, closing the case.
"""

from __future__ import annotations

from typing import Any

from flask import flash, redirect
from flask_babel import gettext as _
from flask_babel import ngettext

from outreach.cases import errors as cases_errors
from outreach.cases import notes, response
from outreach.cases import pause as cases_pause
from outreach.permissions import Action
from outreach.web.context import db_session, rt
from outreach.web.staff import bp
from outreach.web.staff.auth import acting_user, allowed
from outreach.web.staff.case.page import (
    action_done,
    action_failed,
    action_message,
    case_form,
    case_url,
    render_case,
    visible_case,
)
from outreach.web.staff.forms import CloseForm, ContactForm, NoteForm, PauseForm


@bp.post("/saker/<int:case_id>/kontakt")
@allowed(Action.RECORD_CONTACT)
def register_contact(case_id: int) -> Any:
    case = visible_case(case_id)
    form = case_form(ContactForm)
    form.fill_choices()
    if not form.validate():
        return render_case(case, 400, contact_form=form)
    try:
        cancelled = response.register_response(
            db_session(),
            rt(),
            case,
            channel=form.channel.data,
            note=form.note.data or "",
            actor=acting_user().username,
        )
    except cases_errors.CaseActionError as exc:
        return action_failed(case, exc, form, exc.field, "contact_form")
    return action_done(
        ngettext(
            "Kontakt registrert. %(num)d planlagt steg er stoppet.",
            "Kontakt registrert. %(num)d planlagte steg er stoppet.",
            cancelled,
        ),
        case,
    )


@bp.post("/saker/<int:case_id>/notat")
@allowed(Action.RECORD_CONTACT)
def add_note(case_id: int) -> Any:
    case = visible_case(case_id)
    form = case_form(NoteForm)
    if not form.validate():
        return render_case(case, 400, note_form=form)
    try:
        notes.add_note(db_session(), rt(), case, text=form.text.data or "", actor=acting_user())
    except cases_errors.CaseActionError as exc:
        return action_failed(case, exc, form, exc.field, "note_form")
    return action_done(_("Notatet er lagret."), case)


@bp.post("/saker/<int:case_id>/pause")
@allowed(Action.PAUSE_LADDER)
def pause(case_id: int) -> Any:
    case = visible_case(case_id)
    form = case_form(PauseForm)
    if not form.validate():
        return render_case(case, 400, pause_form=form)
    try:
        count = cases_pause.pause_ladder(
            db_session(), rt(), case, reason=form.reason.data or "", actor=acting_user()
        )
    except cases_errors.CaseActionError as exc:
        return action_failed(case, exc, form, exc.field, "pause_form")
    return action_done(
        ngettext(
            "Kontaktstigen er satt på pause. %(num)d planlagt steg venter.",
            "Kontaktstigen er satt på pause. %(num)d planlagte steg venter.",
            count,
        ),
        case,
    )


@bp.post("/saker/<int:case_id>/fortsett")
@allowed(Action.PAUSE_LADDER)
def resume(case_id: int) -> Any:
    case = visible_case(case_id)
    try:
        cases_pause.resume_ladder(db_session(), rt(), case, actor=acting_user())
    except cases_errors.CaseActionError as exc:
        db_session().rollback()
        flash(action_message(exc), "error")
        return redirect(case_url(case))
    return action_done(_("Kontaktstigen går igjen."), case)


@bp.post("/saker/<int:case_id>/avslutt")
@allowed(Action.CLOSE_CASE)
def close(case_id: int) -> Any:
    case = visible_case(case_id)
    form = case_form(CloseForm)
    form.fill_choices()
    if not form.validate():
        return render_case(case, 400, close_form=form)
    try:
        response.close_case(
            db_session(),
            rt(),
            case,
            outcome=form.outcome.data,
            note=form.note.data or "",
            actor=acting_user().username,
        )
    except cases_errors.CaseActionError as exc:
        return action_failed(case, exc, form, exc.field, "close_form")
    return action_done(_("Saken er avsluttet."), case)
