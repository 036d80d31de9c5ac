"""The work items on the case page: deciding a flag (with its reason), the
follow-up plan (add a measure, mark it done) and an open task's outcome.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _

from outreach.cases import errors as cases_errors
from outreach.cases import followups, measures
from outreach.cases.flags import FLAG_DECISIONS, FlagDecisionError, decide_flag, may_decide
from outreach.cases.tasks import record_outcome
from outreach.models import Case, Flag, Task
from outreach.models.staff import FollowUpItem
from outreach.permissions import Action
from outreach.web.context import db_session, rt
from outreach.web.forms import options
from outreach.web.staff import bp
from outreach.web.staff.auth import acting_user, allowed
from outreach.web.staff.case.page import (
    action_done,
    action_failed,
    action_message,
    case_form,
    case_url,
    outcomes_for,
    render_case,
    visible_case,
)
from outreach.web.staff.forms import FlagDecisionForm, FollowUpForm, TaskOutcomeForm
from outreach.web.staff.timeline_view import district_staff


@bp.post("/vurderinger/<int:flag_id>")
@allowed(Action.DECIDE_FLAG)
def decide(flag_id: int) -> Any:
    flag = db_session().get(Flag, flag_id)
    if flag is None:
        abort(404)
    case = visible_case(flag.case_id)
    if not may_decide(flag, case, acting_user()):
        abort(403)
    form = FlagDecisionForm(
        prefix=f"flag{flag.id}", meta={"csrf": False}
    )  # checked in auth._check_csrf
    form.decision.choices = options(
        [("", "")] + [(d, d) for d in FLAG_DECISIONS.get(flag.kind, ())]
    )
    if not form.validate():
        return render_case(case, 400, flag_forms={flag.id: form})
    try:
        decide_flag(
            db_session(),
            rt(),
            flag,
            decision=form.decision.data,
            reason=form.reason.data or "",
            user=acting_user(),
        )
    except FlagDecisionError as exc:
        return _failed_flag(case, flag, form, exc)
    return action_done(_("Vurderingen er lagret med begrunnelse."), case)


def _failed_flag(case: Case, flag: Flag, form: Any, exc: FlagDecisionError) -> Any:
    db_session().rollback()
    getattr(form, exc.field).errors = [action_message(exc)]
    return render_case(case, 400, flag_forms={flag.id: form})


def _parse_day(text: str | None) -> date | None:
    if not text:
        return None
    text = text.strip()
    try:
        if "." in text:
            day, month, year = (int(p) for p in text.split("."))
            return date(year, month, day)
        return date.fromisoformat(text)
    except ValueError:
        return None


@bp.post("/saker/<int:case_id>/oppfolging")
@allowed(Action.PLAN_FOLLOWUP)
def add_followup(case_id: int) -> Any:
    case = visible_case(case_id)
    session = db_session()
    form = case_form(FollowUpForm)
    owners = district_staff(session, case.district_code)
    form.fill_choices([(str(u.id), u.display_name) for u in owners], followups.kinds_for(case))
    valid = form.validate()
    due_on = _parse_day(form.due_on.data)
    if form.due_on.data and due_on is None:
        form.due_on.errors = [*form.due_on.errors, _("Ugyldig dato.")]
        valid = False
    if not valid or due_on is None:
        return render_case(case, 400, followup_form=form)
    owner = next(u for u in owners if str(u.id) == form.owner.data)
    try:
        measures.add_followup(
            session,
            rt(),
            case,
            kind=form.kind.data,
            due_on=due_on,
            owner=owner,
            note=form.note.data or "",
            actor=acting_user(),
        )
    except cases_errors.CaseActionError as exc:
        return action_failed(case, exc, form, exc.field, "followup_form")
    return action_done(_("Tiltaket er lagt til i oppfølgingsplanen."), case)


@bp.post("/oppfolging/<int:item_id>/utfort")
@allowed(Action.PLAN_FOLLOWUP)
def complete_followup(item_id: int) -> Any:
    item = db_session().get(FollowUpItem, item_id)
    if item is None:
        abort(404)
    case = visible_case(item.case_id)
    try:
        measures.complete_followup(db_session(), rt(), item, actor=acting_user())
    except cases_errors.CaseActionError as exc:
        db_session().rollback()
        flash(action_message(exc), "error")
        return redirect(case_url(case))
    return action_done(_("Tiltaket er merket som utført."), case)


@bp.post("/oppgaver/<int:task_id>")
@allowed(Action.RECORD_TASK_OUTCOME)
def task_outcome(task_id: int) -> Any:
    task = db_session().get(Task, task_id)
    if task is None:
        abort(404)
    case = visible_case(task.case_id)
    form = TaskOutcomeForm(
        prefix=f"task{task.id}", meta={"csrf": False}
    )  # checked in auth._check_csrf
    form.outcome.choices = options([("", "")] + [(o, o) for o in outcomes_for(task)])
    if not form.validate():
        return render_case(case, 400, task_forms={task.id: form})
    try:
        record_outcome(
            db_session(),
            rt(),
            task,
            outcome=form.outcome.data,
            note=form.note.data or "",
            actor=acting_user().username,
        )
    except cases_errors.CaseActionError as exc:
        db_session().rollback()
        form.outcome.errors = [action_message(exc)]
        return render_case(case, 400, task_forms={task.id: form})
    db_session().commit()
    flash(_("Resultatet er registrert."), "success")
    back = request.form.get("back")
    if back == "my_work":
        return redirect(url_for("staff.my_work"))
    return redirect(case_url(case))
