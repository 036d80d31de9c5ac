"""Who holds the case: forward it to another district, take it («Ta saken»), or
have a district lead give it to a caseworker («Tildel saksbehandler»).
"""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, url_for
from flask_babel import gettext as _

from outreach.cases import caseworker as cases_caseworker
from outreach.cases import errors as cases_errors
from outreach.cases import forwarding
from outreach.models import Case, User
from outreach.permissions import Action
from outreach.web.context import db_session, rt
from outreach.web.staff import bp
from outreach.web.staff.auth import acting_user, allowed, principal
from outreach.web.staff.case.page import (
    action_done,
    action_failed,
    action_message,
    can_assign,
    case_caseworkers,
    case_form,
    case_url,
    render_case,
    visible_case,
)
from outreach.web.staff.forms import CaseworkerForm, ForwardForm
from outreach.web.staff.timeline_view import district_name


@bp.post("/saker/<int:case_id>/videresend")
@allowed(Action.FORWARD_CASE)
def forward(case_id: int) -> Any:
    case = visible_case(case_id)
    form = case_form(ForwardForm)
    form.fill_choices()
    if not form.validate():
        return render_case(case, 400, forward_form=form)
    try:
        forwarding.assign_district(
            db_session(),
            rt(),
            case,
            district=form.district.data,
            reason=form.reason.data or "",
            actor=acting_user().username,
        )
    except cases_errors.CaseActionError as exc:
        return action_failed(case, exc, form, exc.field, "forward_form")
    db_session().commit()
    flash(_("Saken er sendt til %(d)s.", d=district_name(case.district_code)), "success")
    if principal().can_see(case):
        return redirect(case_url(case))
    return redirect(url_for("staff.queue"))


@bp.post("/saker/<int:case_id>/ta")
@allowed(Action.TAKE_CASE)
def take_case(case_id: int) -> Any:
    """«Ta saken»: the caseworker names themselves (issue 5: "my cases").

    A case already theirs, or closed, is a message on the case page
    (``_assign``), not a refusal: who may take it is the table's and the district's.
    """
    case = visible_case(case_id)
    me = acting_user()
    if not cases_caseworker.may_assign_caseworker(me, case, me):
        abort(403)
    return _assign(case, acting_user(), None)


@bp.post("/saker/<int:case_id>/saksbehandler")
@allowed(Action.ASSIGN_CASEWORKER)
def assign_caseworker(case_id: int) -> Any:
    """«Tildel saksbehandler»: a district lead gives the case to a district caseworker."""
    case = visible_case(case_id)
    if not can_assign(case):
        abort(403)
    session = db_session()
    form = case_form(CaseworkerForm)
    people = case_caseworkers(session, case)
    form.fill_choices([(str(u.id), u.display_name) for u in people])
    if not form.validate():
        return render_case(case, 400, caseworker_form=form)
    chosen = next(u for u in people if str(u.id) == form.caseworker.data)
    return _assign(case, chosen, form)


def _assign(case: Case, caseworker: User, form: Any) -> Any:
    try:
        cases_caseworker.assign_caseworker(
            db_session(), rt(), case, caseworker=caseworker, actor=acting_user().username
        )
    except cases_errors.CaseActionError as exc:
        if form is None:
            db_session().rollback()
            flash(action_message(exc), "error")
            return redirect(case_url(case))
        return action_failed(case, exc, form, exc.field, "caseworker_form")
    return action_done(_("%(who)s er saksbehandler for saken.", who=caseworker.display_name), case)
