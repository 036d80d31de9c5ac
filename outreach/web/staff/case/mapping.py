"""The mapping on the case page (issue 15): a notice's plaintiff, reason and petition outcome,
and the «system failure» marker with its reason.

Both feed the figures rather than the case's course, so neither touches the
ladder; each change is on the timeline (``outreach.cases.mapping``).
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _

from outreach.cases import errors as cases_errors
from outreach.cases import mapping
from outreach.models import Trigger
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
from outreach.web.staff.forms import NoticeMappingForm, SystemFailureForm


@bp.post("/saker/<int:case_id>/kartlegging")
@allowed(Action.RECORD_MAPPING)
def record_mapping(case_id: int) -> Any:
    case = visible_case(case_id)
    form = case_form(NoticeMappingForm)
    form.fill_choices()
    notice = None
    if (form.trigger_id.data or "").isdigit():
        notice = db_session().get(Trigger, int(form.trigger_id.data))
    if not form.validate() or notice is None or notice.case_id != case.id:
        if notice is not None and notice.case_id == case.id:
            return render_case(case, 400, mapping_form=form)
        return action_failed(case, cases_errors.CaseActionError(_("Velg en melding.")), form,
                             "_schema", "mapping_form")  # fmt: skip
    session, now, actor = db_session(), rt().now(), acting_user().username
    try:
        changed = mapping.set_notice_mapping(
            session, case, notice, plaintiff_type=form.plaintiff_type.data or None,
            reason=form.reason.data or None, at=now, actor=actor,
        )  # fmt: skip
        if notice.kind in mapping.PETITION_KINDS:
            outcome = form.petition_outcome.data or None
            if outcome != notice.petition_outcome or (
                outcome is not None and notice.petition_outcome_source != "staff"
            ):
                mapping.set_petition_outcome(session, case, notice, outcome, now, actor=actor)
                changed.append("petition_outcome")
    except cases_errors.CaseActionError as exc:
        return action_failed(case, exc, form, exc.field, "mapping_form")
    if not changed:
        return action_done(_("Ingenting å endre: opplysningene var de samme."), case)
    return action_done(_("Kartleggingen er lagret."), case)


@bp.post("/saker/<int:case_id>/systemsvikt")
@allowed(Action.RECORD_MAPPING)
def mark_system_failure(case_id: int) -> Any:
    case = visible_case(case_id)
    form = case_form(SystemFailureForm)
    if not form.validate():
        return render_case(case, 400, failure_form=form)
    reason = None if form.clear.data else (form.reason.data or "")
    try:
        changed = mapping.mark_system_failure(
            db_session(), case, reason, rt().now(), actor=acting_user().username
        )
    except cases_errors.CaseActionError as exc:
        return action_failed(case, exc, form, exc.field, "failure_form")
    if not changed:
        return action_done(_("Ingenting å endre."), case)
    if reason is None:
        return action_done(_("Merket systemsvikt er fjernet."), case)
    return action_done(_("Saken er merket som systemsvikt."), case)
