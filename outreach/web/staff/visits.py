"""Home visits in the staff app: the district's visit list, move, cancel, the .ics file.

And the call sheet of a phone task (number, language, interpreter, script).
Handlers follow the case page (``case``): load through ``visible_case`` (another
district's visit is a 404), validate, call one action in ``outreach.reach.visit``,
commit; the staff invitation goes out after the commit.
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from outreach.cases.tasks import language_name, needs_interpreter
from outreach.models import Case, Task, User
from outreach.models.visits import HomeVisit
from outreach.permissions import Action
from outreach.reach.visit import actions, ical
from outreach.reach.visit import calendar as visit_calendar
from outreach.web.context import db_session, rt
from outreach.web.i18n import OSLO
from outreach.web.staff import bp, labels
from outreach.web.staff.auth import allowed, current_user, principal
from outreach.web.staff.case.page import log_page, visible_case


def _me() -> User:
    user = current_user()
    assert user is not None
    return user


def _visit(visit_id: int) -> tuple[HomeVisit, Case]:
    visit = db_session().get(HomeVisit, visit_id)
    if visit is None:
        abort(404)
    return visit, visible_case(visit.case_id)


@bp.get("/besok")
@allowed(Action.HOME_VISITS)
def visit_list() -> Any:
    user = _me()
    session = db_session()
    districts = None if "admin" in user.role_set else user.district_set
    since = rt().now().astimezone(OSLO).replace(hour=0, minute=0, second=0, microsecond=0)
    rows = [
        v for v in visit_calendar.visits_for(session, districts, since) if v.status != "cancelled"
    ]
    cases = {
        c.id: c for c in session.scalars(select(Case).where(Case.id.in_({v.case_id for v in rows})))
    }
    rows = [v for v in rows if v.case_id in cases and principal().can_see(cases[v.case_id])]
    return render_template(
        "staff/visits.html",
        rows=rows,
        cases=cases,
        staff={v.id: visit_calendar.staff_of(session, v) for v in rows},
    )


def _render_visit(visit: HomeVisit, case: Case, status: int = 200, **errors: str) -> Any:
    session = db_session()
    local = visit.starts_at.astimezone(OSLO)
    return (
        render_template(
            "staff/visits_detail.html",
            visit=visit,
            case=case,
            staff=visit_calendar.staff_of(session, visit),
            team=visit_calendar.team(session, visit.district_code),
            local=local,
            errors=errors,
            form=request.form if request.method == "POST" else {},
        ),
        status,
    )


@bp.get("/besok/<int:visit_id>")
@allowed(Action.HOME_VISITS)
def visit_page(visit_id: int) -> Any:
    visit, case = _visit(visit_id)
    log_page(case, "visit")
    return _render_visit(visit, case)


def _parse_start(form: Any) -> datetime | None:
    try:
        day = date.fromisoformat(form.get("date", ""))
        clock = time.fromisoformat(form.get("time", ""))
    except ValueError:
        return None
    return datetime.combine(day, clock, tzinfo=OSLO)


@bp.post("/besok/<int:visit_id>/flytt")
@allowed(Action.HOME_VISITS)
def move_visit(visit_id: int) -> Any:
    visit, case = _visit(visit_id)
    starts_at = _parse_start(request.form)
    if starts_at is None:
        return _render_visit(visit, case, 400, starts_at=_("Skriv dato og klokkeslett."))
    chosen = [request.form.get("staff1", ""), request.form.get("staff2", "")]
    staff_ids: list[int] | None
    if request.form.get("keep_staff") == "1":
        staff_ids = None
    elif all(not c for c in chosen):
        staff_ids = []
    else:
        try:
            staff_ids = [int(c) for c in chosen if c]
        except ValueError:
            staff_ids = [0]
    try:
        actions.move_visit(
            db_session(), rt(), visit, starts_at, actor=_me().username, staff_ids=staff_ids
        )
    except visit_calendar.VisitError as exc:
        db_session().rollback()
        return _render_visit(visit, case, 400, **{exc.field: labels.visit_error(str(exc))})
    db_session().commit()
    flash(_("Besøket er flyttet. Invitasjonen er sendt på nytt."), "success")
    return redirect(url_for("staff.visit_page", visit_id=visit.id))


@bp.post("/besok/<int:visit_id>/avlys")
@allowed(Action.HOME_VISITS)
def cancel_visit(visit_id: int) -> Any:
    visit, case = _visit(visit_id)
    try:
        actions.cancel_visit(
            db_session(), rt(), visit, reason=request.form.get("reason", ""), actor=_me().username
        )
    except visit_calendar.VisitError as exc:
        db_session().rollback()
        return _render_visit(visit, case, 400, **{exc.field: labels.visit_error(str(exc))})
    db_session().commit()
    flash(_("Besøket er avlyst. De ansatte har fått beskjed."), "success")
    return redirect(url_for("staff.visit_page", visit_id=visit.id))


@bp.get("/besok/<int:visit_id>/invitasjon.ics")
@allowed(Action.HOME_VISITS)
def visit_ics(visit_id: int) -> Any:
    visit, _case = _visit(visit_id)
    session = db_session()
    return Response(
        ical.ics(session, visit),
        mimetype="text/calendar",
        headers={
            "Content-Disposition": f'attachment; filename="{ical.ics_filename(session, visit)}"',
            "Cache-Control": "no-store",
        },
    )


@bp.get("/oppgaver/<int:task_id>/samtale")
@allowed(Action.RECORD_TASK_OUTCOME)
def call_sheet(task_id: int) -> Any:
    task = db_session().get(Task, task_id)
    if task is None or task.kind != "phone_call":
        abort(404)
    case = visible_case(task.case_id)
    log_page(case, "call_sheet")
    person = case.person
    return render_template(
        "staff/visits_call.html",
        task=task,
        labels=labels,
        case=case,
        phone=task.call_number or person.phone,
        language=person.language,
        language_label=language_name(person.language),
        interpreter=needs_interpreter(person.language),
    )
