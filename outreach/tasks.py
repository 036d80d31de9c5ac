"""Work for people: calls, visits, assessments, reviews – and their outcomes.

A phone call or a home visit is an attempt to reach the tenant like an SMS
is, so each outcome is recorded as an ``Attempt`` on the timeline; reaching
the tenant is a response that stops the ladder (issue 2, issue 4).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from outreach import timeline
from outreach.cases import CaseActionError, register_response
from outreach.models import Attempt, AttemptStatus, Case, Step, Task
from outreach.runtime import Runtime

PHONE_OUTCOMES = ("reached", "no_answer", "voicemail", "wrong_number", "refused")
VISIT_OUTCOMES = ("met", "not_home", "refused", "moved_out")
TASK_OUTCOMES = ("done",)
REACHED = {"reached", "met"}


def priority_of(case: Case, today_age: int | None, elderly_age: int) -> int:
    """Higher first: crisis, children, elderly, repeat case (004, Oslo's priorities)."""
    score = 0
    if case.crisis_since is not None:
        score += 8
    if any(a < 18 for a in case.children_ages or ()):
        score += 4
    if today_age is not None and today_age >= elderly_age:
        score += 2
    if case.is_repeat:
        score += 1
    return score


def create_task_for_step(
    session: Session,
    rt: Runtime,
    case: Case,
    step: Step,
    *,
    kind: str,
    title: str,
    assignee_role: str,
    due_at: datetime,
    scheduled_for: datetime | None = None,
) -> Task:
    existing = session.scalar(select(Task).where(Task.step_id == step.id))
    if existing is not None:
        return existing
    from outreach.ladder import case_facts

    facts = case_facts(session, case)
    age = facts.age_on(rt.now().date())
    task = Task(
        case_id=case.id,
        step_id=step.id,
        kind=kind,
        title=title,
        assignee_id=case.caseworker_id if assignee_role == "caseworker" else None,
        assignee_role=assignee_role,
        district_code=case.district_code,
        due_at=due_at,
        scheduled_for=scheduled_for,
        priority=priority_of(case, age, rt.policy.elderly_age),
        status="open",
    )
    session.add(task)
    session.flush()
    return task


def record_outcome(
    session: Session,
    rt: Runtime,
    task: Task,
    *,
    outcome: str,
    note: str = "",
    at: datetime | None = None,
    actor: str | None = None,
) -> None:
    allowed = {
        "phone_call": PHONE_OUTCOMES,
        "home_visit": VISIT_OUTCOMES,
    }.get(task.kind, TASK_OUTCOMES)
    if outcome not in allowed:
        raise CaseActionError(f"Must be one of: {', '.join(allowed)}.", "outcome")
    if task.status != "open":
        raise CaseActionError("The task is no longer open.", "outcome")
    now = rt.now()
    at = at or now
    case = session.get(Case, task.case_id)
    assert case is not None
    task.status = "done"
    task.outcome = outcome
    task.note = note
    task.completed_at = at
    if task.kind in {"phone_call", "home_visit"} and task.step_id is not None:
        try_no = (
            session.scalar(select(func.max(Attempt.try_no)).where(Attempt.step_id == task.step_id))
            or 0
        ) + 1
        attempt = Attempt(
            step_id=task.step_id,
            case_id=case.id,
            try_no=try_no,
            channel="phone" if task.kind == "phone_call" else "visit",
            recipient="",
            language=case.person.language,
            status=outcome,
            created_at=at,
            updated_at=at,
        )
        session.add(attempt)
        session.flush()
        session.add(AttemptStatus(attempt_id=attempt.id, status=outcome, at=at))
    event = {"phone_call": "phone_task_outcome", "home_visit": "home_visit_outcome"}.get(
        task.kind, "task_done"
    )
    timeline.record(
        session,
        case.id,
        event,
        at,
        channel={"phone_call": "phone", "home_visit": "visit"}.get(task.kind),
        actor=actor,
        task_id=task.id,
        task_kind=task.kind,
        outcome=outcome,
        note=note or None,
    )
    if outcome in REACHED and case.status != "closed":
        register_response(
            session,
            rt,
            case,
            channel="phone" if task.kind == "phone_call" else "visit",
            at=at,
            actor=actor,
        )
