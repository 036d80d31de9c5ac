"""Run the real engine on a virtual clock, to show what will happen and when.

Principle 4: time is injected, so the same intake, planner, jobs and
channels that production runs can be driven through three weeks in a second.
A throwaway SQLite database and the outbox channels stand in for the world;
no Redis is needed because due steps are executed directly, in due order.
Human tasks are treated as unanswered – a call ends "no answer" and a visit
"not home" at their planned time – unless ``respond_at`` comes first.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select, update

from outreach import runtime as runtime_module
from outreach import timeline
from outreach.cases.pause import pause_ladder, resume_ladder
from outreach.cases.response import register_response
from outreach.cases.tasks import record_outcome
from outreach.config import Settings
from outreach.db import Base, get_engine
from outreach.demo import seed_districts
from outreach.intake.accept import accept_trigger
from outreach.intake.schema import load_trigger
from outreach.jobs.execute.run import execute_step
from outreach.ladder.planning import ends_passed_crises
from outreach.models import Case, Event, Step, Task, User
from outreach.reach.letter.batches import open_batches, post_batch, render_batch
from outreach.runtime import Runtime
from outreach.wiring import build_runtime

OSLO = ZoneInfo("Europe/Oslo")
MAX_ITERATIONS = 10_000
UNANSWERED = {"phone_call": "no_answer", "home_visit": "not_home"}


class VirtualClock:
    def __init__(self, start: datetime) -> None:
        self.at = start

    def __call__(self) -> datetime:
        return self.at


@contextmanager
def simulation_runtime(
    settings: Settings, start: datetime
) -> Iterator[tuple[Runtime, VirtualClock]]:
    with tempfile.TemporaryDirectory(prefix="outreach-sim-") as tmp:
        sim_settings = replace(
            settings,
            var_dir=Path(tmp),
            database_url=f"sqlite:///{tmp}/simulation.sqlite3",
            provider_settings={},  # outbox channels only: a simulation sends nothing
        )
        clock = VirtualClock(start)
        rt = build_runtime(sim_settings, clock=clock)
        Base.metadata.create_all(get_engine(sim_settings.database))
        previous = runtime_module._current
        runtime_module.install(rt)
        try:
            yield rt, clock
        finally:
            runtime_module.install(previous)
            get_engine(sim_settings.database).dispose()


POSTING_TIME = time(16, 0)


def next_posting(rt: Runtime, after: datetime) -> datetime | None:
    """Print batches go in the post at 16:00 on working days (issue 3)."""
    with rt.session() as session:
        if not open_batches(session):
            return None
    day = after.astimezone(OSLO).date()
    for _ in range(30):
        if rt.calendar.is_working_day(day):
            moment = datetime.combine(day, POSTING_TIME, tzinfo=OSLO)
            if moment >= after:
                return moment
        day += timedelta(days=1)
    return None


def post_batches(rt: Runtime, now: datetime) -> None:
    local = now.astimezone(OSLO)
    if local.time() != POSTING_TIME or not rt.calendar.is_working_day(local.date()):
        return
    with rt.session() as session:
        for batch in open_batches(session):
            if batch.status == "open":
                render_batch(session, rt, batch.id, pdf=False)
            post_batch(session, rt, batch.id, posted_at=now, actor="simulation")


def _next_moment(rt: Runtime, case_id: int, after: datetime) -> datetime | None:
    posting = next_posting(rt, after)
    with rt.session() as session:
        step_due = session.scalar(
            select(func.min(Step.due_at)).where(Step.case_id == case_id, Step.status == "planned")
        )
        task_due = session.scalar(
            select(func.min(func.coalesce(Task.scheduled_for, Task.due_at))).where(
                Task.case_id == case_id, Task.status == "open", Task.kind.in_(tuple(UNANSWERED))
            )
        )
    candidates = [t for t in (step_due, task_due, posting) if t is not None]
    if not candidates:
        return None
    return max(min(candidates), after)


def _run_due(rt: Runtime, case_id: int, now: datetime) -> int:
    ran = 0
    with rt.session() as session:
        due = list(
            session.scalars(
                select(Step.id)
                .where(Step.case_id == case_id, Step.status == "planned", Step.due_at <= now)
                .order_by(Step.due_at, Step.id)
            )
        )
        for step_id in due:
            session.execute(update(Step).where(Step.id == step_id).values(status="queued"))
    for step_id in due:
        execute_step(rt, step_id)
        ran += 1
    with rt.session() as session:
        tasks = session.scalars(
            select(Task).where(
                Task.case_id == case_id,
                Task.status == "open",
                Task.kind.in_(tuple(UNANSWERED)),
                func.coalesce(Task.scheduled_for, Task.due_at) <= now,
            )
        ).all()
        for task in tasks:
            record_outcome(session, rt, task, outcome=UNANSWERED[task.kind], actor="simulation")
            ran += 1
    return ran


def _staff_action(rt: Runtime, case_id: int, *, pause: bool) -> None:
    """A caseworker pauses or resumes the ladder (``--pause-at``, ``--resume-at``)."""
    with rt.session() as session:
        case = session.get(Case, case_id)
        assert case is not None
        actor = session.scalar(select(User).where(User.username == "simulation"))
        if actor is None:
            actor = User(username="simulation", display_name="Simulering", roles="caseworker")
            session.add(actor)
        if pause and case.status == "open":
            pause_ladder(session, rt, case, reason="simulation: paused by staff", actor=actor)
        elif not pause and case.status == "paused":
            resume_ladder(session, rt, case, actor=actor)


def simulate(
    settings: Settings,
    trigger_document: dict[str, Any],
    *,
    days: int = 21,
    respond_at: datetime | None = None,
    extra_triggers: list[dict[str, Any]] | None = None,
    pause_at: datetime | None = None,
    resume_at: datetime | None = None,
) -> list[dict[str, Any]]:
    data = load_trigger(trigger_document, simulation=True)
    start = data.get("received_at") or datetime.now(UTC)
    data["received_at"] = start
    end = start + timedelta(days=days)
    with simulation_runtime(settings, start) as (rt, clock):
        with rt.session() as session:
            seed_districts(session)
        session = rt.new_session()
        try:
            result = accept_trigger(session, rt, data, actor="simulation")
        finally:
            session.close()
        case_id = result.case_id
        pending = sorted(
            (load_trigger(t, simulation=True) for t in (extra_triggers or [])),
            key=lambda t: t["received_at"],
        )
        for _ in range(MAX_ITERATIONS):
            moments = [m for m in (_next_moment(rt, case_id, clock.at),) if m is not None]
            if respond_at is not None:
                moments.append(max(respond_at, clock.at))
            if pending:
                moments.append(max(pending[0]["received_at"], clock.at))
            staff = [m for m in (pause_at, resume_at) if m is not None]
            moments += [max(m, clock.at) for m in staff]
            if not moments or min(moments) > end:
                break
            clock.at = min(moments)
            if respond_at is not None and clock.at >= respond_at:
                with rt.session() as session:
                    case = session.get(Case, case_id)
                    assert case is not None
                    if case.status != "closed":
                        register_response(
                            session, rt, case, channel="phone", at=respond_at, actor="simulation"
                        )
                respond_at = None
            if pause_at is not None and clock.at >= pause_at:
                _staff_action(rt, case_id, pause=True)
                pause_at = None
            if resume_at is not None and clock.at >= resume_at and pause_at is None:
                _staff_action(rt, case_id, pause=False)
                resume_at = None
            while pending and pending[0]["received_at"] <= clock.at:
                trigger = pending.pop(0)
                session = rt.new_session()
                try:
                    accept_trigger(session, rt, trigger, actor="simulation")
                finally:
                    session.close()
            _run_due(rt, case_id, clock.at)
            post_batches(rt, clock.at)
            ends_passed_crises(rt, clock.at)  # as the tick does when the day changes
        with rt.session() as session:
            events = session.scalars(
                select(Event).where(Event.case_id == case_id).order_by(Event.at, Event.id)
            ).all()
            return [timeline.as_json(e, actor=False) for e in events]


def format_table(events: list[dict[str, Any]]) -> str:
    lines = []
    for e in events:
        if e["event"] in {"step_planned"}:
            continue
        at = datetime.fromisoformat(e["at"])
        extra = ", ".join(
            f"{k}={v}"
            for k, v in e.items()
            if k not in {"at", "event", "channel"} and v is not None
        )
        channel = e.get("channel") or ""
        lines.append(f"{at:%a %d.%m.%Y %H:%M}  {e['event']:<24} {channel:<11} {extra}".rstrip())
    return "\n".join(lines)
