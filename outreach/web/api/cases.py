"""``/api/v1/cases`` and the actions on a case, its flags and its tasks, for staff tokens.

A case outside the caller's districts is a 404 (``common.case_for``), so its
existence is not revealed; the same holds for a flag or a task of such a case.
"""

from __future__ import annotations

from typing import Any

from flask import g, jsonify
from sqlalchemy import select
from sqlalchemy.orm import Session

from outreach import timeline
from outreach.cases import forwarding, response
from outreach.cases.flags import decide_flag, may_decide
from outreach.cases.tasks import record_outcome
from outreach.models import Case, Event, Flag, Step, Task
from outreach.permissions import Action
from outreach.staff.access_log import log_view
from outreach.web.api import bp
from outreach.web.api.auth import require_token
from outreach.web.api.common import act, case_for, error, iso, load
from outreach.web.api.schemas import (
    CloseSchema,
    ContactSchema,
    DistrictSchema,
    FlagDecisionSchema,
    TaskOutcomeSchema,
)
from outreach.web.context import db_session, rt


def case_json(case: Case) -> dict[str, Any]:
    person = case.person
    return {
        "id": case.id,
        "reference": case.reference,
        "status": case.status,
        "district": case.district_code,
        "opened_at": iso(case.opened_at),
        "closed_at": iso(case.closed_at),
        "outcome": case.outcome,
        "repeat_case": case.is_repeat,
        "first_timer": case.first_timer,
        "system_failure": case.system_failure,
        "system_failure_reason": case.system_failure_reason,
        "crisis": case.crisis,
        "eviction_date": case.eviction_date.isoformat() if case.eviction_date else None,
        "ladder": {
            "round": case.ladder_round,
            "state": case.ladder_state,
            "letter_sent_at": iso(case.letter_sent_at),
            "contact_started_at": iso(case.contact_started_at),
        },
        "household": {"children": case.children_ages, "adults": case.adults},
        "client": {"status": case.client_status, "district": case.client_district},
        "tenant": {
            "name": person.name,
            "birth_date": person.birth_date.isoformat() if person.birth_date else None,
            "language": person.language,
            "has_phone": bool(person.phone),
            "sms_opted_out": person.sms_opted_out_at is not None,
        },
        "needs_match_review": case.needs_match_review,
    }


def _log_read(case: Case) -> None:
    """A case read through the API is an opening like a page's (issue 13, item 8)."""
    user = g.principal.user
    assert user is not None  # require_token(action): staff only
    session = db_session()
    log_view(session, user, case, "api", rt().now())
    session.commit()


@bp.get("/cases/<int:case_id>")
@require_token(Action.READ_CASE)
def get_case(case_id: int) -> Any:
    case = case_for(case_id)
    if case is None:
        return error(404, "not_found", "No such case.")
    _log_read(case)
    steps = db_session().scalars(select(Step).where(Step.case_id == case.id).order_by(Step.due_at))
    body = case_json(case)
    body["steps"] = [
        {
            "id": s.id,
            "rule": s.rule,
            "channel": s.channel,
            "status": s.status,
            "due_at": iso(s.due_at),
            "deadline_at": iso(s.deadline_at),
            "detail": s.detail,
        }
        for s in steps
    ]
    return jsonify(body)


@bp.get("/cases/<int:case_id>/timeline")
@require_token(Action.READ_CASE)
def get_timeline(case_id: int) -> Any:
    case = case_for(case_id)
    if case is None:
        return error(404, "not_found", "No such case.")
    _log_read(case)
    events = db_session().scalars(
        select(Event).where(Event.case_id == case.id).order_by(Event.at, Event.id)
    )
    return jsonify([timeline.as_json(e) for e in events])


@bp.post("/cases/<int:case_id>/contacts")
@require_token(Action.RECORD_CONTACT)
def post_contact(case_id: int) -> Any:
    case = case_for(case_id)
    if case is None:
        return error(404, "not_found", "No such case.")
    data, failure = load(ContactSchema())
    if failure is not None:
        return failure
    assert data is not None

    def action(session: Session) -> Any:
        cancelled = response.register_response(
            session,
            rt(),
            case,
            channel=data["channel"],
            at=data["at"],
            note=data["note"],
            actor=g.principal.label,
        )
        return jsonify(
            {"case_id": case.id, "ladder": case.ladder_state, "cancelled_steps": cancelled}
        ), 201

    return act(action)


@bp.post("/cases/<int:case_id>/close")
@require_token(Action.CLOSE_CASE)
def post_close(case_id: int) -> Any:
    case = case_for(case_id)
    if case is None:
        return error(404, "not_found", "No such case.")
    data, failure = load(CloseSchema())
    if failure is not None:
        return failure
    assert data is not None

    def action(session: Session) -> Any:
        cancelled = response.close_case(
            session, rt(), case, outcome=data["outcome"], note=data["note"], actor=g.principal.label
        )
        return jsonify({"case_id": case.id, "status": case.status, "cancelled_steps": cancelled})

    return act(action)


@bp.post("/cases/<int:case_id>/district")
@require_token(Action.FORWARD_CASE)
def post_district(case_id: int) -> Any:
    case = case_for(case_id)
    if case is None:
        return error(404, "not_found", "No such case.")
    data, failure = load(DistrictSchema())
    if failure is not None:
        return failure
    assert data is not None

    def action(session: Session) -> Any:
        forwarding.assign_district(
            session,
            rt(),
            case,
            district=data["district"],
            reason=data["reason"],
            actor=g.principal.label,
        )
        return jsonify({"case_id": case.id, "district": case.district_code})

    return act(action)


@bp.post("/flags/<int:flag_id>/decision")
@require_token(Action.DECIDE_FLAG)
def post_flag_decision(flag_id: int) -> Any:
    flag = db_session().get(Flag, flag_id)
    case = case_for(flag.case_id) if flag is not None else None
    if flag is None or case is None:
        return error(404, "not_found", "No such flag.")
    if not may_decide(flag, case, g.principal.user):
        return error(403, "forbidden", "Only the named caseworker or the district lead decides.")
    data, failure = load(FlagDecisionSchema())
    if failure is not None:
        return failure
    assert data is not None

    def action(session: Session) -> Any:
        decide_flag(
            session,
            rt(),
            flag,
            decision=data["decision"],
            reason=data["reason"],
            user=g.principal.user,
        )
        return jsonify({"flag_id": flag.id, "status": flag.status, "decision": flag.decision})

    return act(action)


@bp.post("/tasks/<int:task_id>/outcome")
@require_token(Action.RECORD_TASK_OUTCOME)
def post_task_outcome(task_id: int) -> Any:
    task = db_session().get(Task, task_id)
    if task is None or case_for(task.case_id) is None:
        return error(404, "not_found", "No such task.")
    data, failure = load(TaskOutcomeSchema())
    if failure is not None:
        return failure
    assert data is not None

    def action(session: Session) -> Any:
        record_outcome(
            session,
            rt(),
            task,
            outcome=data["outcome"],
            note=data["note"],
            at=data["at"],
            actor=g.principal.label,
        )
        return jsonify({"task_id": task.id, "status": task.status, "outcome": task.outcome})

    return act(action)
