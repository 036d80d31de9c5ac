"""My work (tasks, visits week, flags to decide, overdue) and the district lead's pages."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from flask import render_template, request
from flask_babel import gettext as _
from sqlalchemy import select

from outreach.cases import followups
from outreach.cases.tasks import outcomes_for_kind
from outreach.models import Case, Task, User
from outreach.models.visits import HomeVisit
from outreach.permissions import Action
from outreach.staff import access_log, appointments, queries
from outreach.web.context import db_session, rt
from outreach.web.forms import options
from outreach.web.i18n import OSLO
from outreach.web.staff import bp, labels
from outreach.web.staff.auth import allowed, current_user
from outreach.web.staff.forms import TaskOutcomeForm
from outreach.web.staff.printing.page import ITEM_STATUSES
from outreach.web.staff.timeline_view import district_name


def _task_form(task: Task) -> TaskOutcomeForm:
    form = TaskOutcomeForm(formdata=None, prefix=f"task{task.id}", meta={"csrf": False})
    outcomes = outcomes_for_kind(task.kind)
    form.outcome.choices = options(
        [("", _("– velg –"))] + [(o, labels.label(labels.TASK_OUTCOMES, o)) for o in outcomes]
    )
    return form


@bp.get("/mitt-arbeid")
@allowed(Action.SEE_WORK)
def my_work() -> Any:
    user = current_user()
    assert user is not None
    session = db_session()
    now = rt().now()
    today = now.astimezone(OSLO).date()
    week = request.args.get("uke")
    try:
        monday = queries.week_start(date.fromisoformat(week)) if week else queries.week_start(today)
    except ValueError:
        monday = queries.week_start(today)
    tasks = queries.my_tasks(session, user)
    visits = queries.visits_week(session, user, monday)
    flags = queries.flags_for_decision(session, user)
    followups = queries.my_followups(session, user)
    overdue: dict[str, list[Any]] = {
        "tasks": [t for t in tasks if t.due_at < now],
        "flags": [f for f in flags if f.due_at < now or f.status == "escalated"],
        "followups": [f for f in followups if f.due_on < today],
    }
    # A follow-up measure is a reminder on its own date, not only once it is late.
    due_today = [f for f in followups if f.due_on == today]
    case_ids = (
        {t.case_id for t in tasks} | {f.case_id for f in flags} | {f.case_id for f in followups}
    )
    case_ids |= {t.case_id for day in visits.values() for t in day}
    cases = queries.cases_by_id(session, case_ids, user)
    visit_tasks = [t.id for day in visits.values() for t in day]
    visit_ids = {
        task_id: visit_id
        for task_id, visit_id in session.execute(
            select(HomeVisit.task_id, HomeVisit.id).where(HomeVisit.task_id.in_(visit_tasks))
        )
    }
    return render_template(
        "staff/my_work.html",
        visit_ids=visit_ids,
        tasks=tasks,
        task_forms={t.id: _task_form(t) for t in tasks},
        visits=visits,
        monday=monday,
        previous_week=(monday - timedelta(days=7)).isoformat(),
        next_week=(monday + timedelta(days=7)).isoformat(),
        flags=flags,
        followups=followups,
        overdue=overdue,
        overdue_count=sum(len(v) for v in overdue.values()),
        due_today=due_today,
        cases=cases,
        labels=labels,
        now=now,
        today=today,
    )


@bp.get("/leder")
@allowed(Action.LEAD_OVERVIEW)
def lead() -> Any:
    user = current_user()
    assert user is not None
    session = db_session()
    now = rt().now()
    overview = queries.lead_overview(session, user, now)
    due_followups = followups.due_items(
        session, queries.visible_cases(user), now.astimezone(OSLO).date()
    )
    office_today = appointments.office_day(session, user, now.astimezone(OSLO).date())
    case_ids = (
        {t.case_id for t in office_today}
        | {s.case_id for s in overview.letters_due_today}
        | {s.case_id for s in overview.overdue_steps}
        | {f.case_id for f in overview.undecided_flags}
        | {t.case_id for t in overview.overdue_tasks}
        | {d.item.case_id for d in due_followups}
    )
    users = {u.id: u for u in session.scalars(select(User))}
    return render_template(
        "staff/lead.html",
        overview=overview,
        item_statuses=ITEM_STATUSES,  # the print page's words for a letter in the pile
        due_followups=due_followups,
        office_today=office_today,
        cases=queries.cases_by_id(session, case_ids, user),
        users=users,
        labels=labels,
        now=now,
        district_name=district_name,
    )


ACCESS_PAGE_SIZE = 100


@bp.get("/leder/tilgangslogg")
@allowed(Action.READ_ACCESS_LOG)
def access_log_page() -> Any:
    """Who looked: the lead's districts; central intake and admins also see district-less rows."""
    user = current_user()
    assert user is not None
    session = db_session()
    if "admin" in user.role_set:
        districts = {d for d in session.scalars(select(Case.district_code).distinct()) if d}
        districts |= user.district_set
    elif "district_lead" in user.role_set:
        districts = set(user.district_set)
    else:
        districts = set()  # central intake without a lead role: the unrouted rows only
    reference = (request.args.get("sak") or "").strip()
    username = (request.args.get("bruker") or "").strip()
    try:
        page = max(1, int(request.args.get("side") or 1))
    except ValueError:
        page = 1
    entries = access_log.entries_for(
        session,
        {d for d in districts if d},
        include_unrouted=bool(user.role_set & {"admin", "central_intake"}),
        case_reference=reference or None,
        username=username or None,
        limit=ACCESS_PAGE_SIZE + 1,
        offset=(page - 1) * ACCESS_PAGE_SIZE,
    )
    return render_template(
        "staff/access_log.html",
        entries=entries[:ACCESS_PAGE_SIZE],
        has_next=len(entries) > ACCESS_PAGE_SIZE,
        page=page,
        reference=reference,
        username=username,
        labels=labels,
        district_name=district_name,
    )
