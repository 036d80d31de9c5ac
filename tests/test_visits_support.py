"""Helpers for the phone, visit and email tests (no tests here): cases, steps, the outbox."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select, update

from outreach.demo import ensure_user
from outreach.intake.accept import accept_trigger
from outreach.intake.schema import load_trigger
from outreach.jobs.execute.outcome import Outcome
from outreach.jobs.execute.run import execute_step
from outreach.models import Step
from outreach.reach.letter.batches import open_batches, post_batch, render_batch
from tests.factories import trigger

OSLO = ZoneInfo("Europe/Oslo")


def oslo(*args: int) -> datetime:
    return datetime(*args, tzinfo=OSLO)


def team_member(rt: Any, username: str, district: str = "030101") -> int:
    with rt.session() as session:
        user = ensure_user(
            session, username, username.title() + " Oppsøkende", roles="outreach_team",
            districts=district,
        )  # fmt: skip
        return int(user.id)


def open_case(rt: Any, n: int = 1, **overrides: Any) -> int:
    """A case for household ``n``: different tenants do not match each other."""
    if n != 1:
        overrides = {
            "source": {"reference": f"NF-{n}"},
            "tenant": {
                "name": f"Leietaker Nummer{n}",
                "birth_date": f"19{60 + n}-0{1 + n % 9}-1{n % 10}",
                "address": {"street": f"Tøyengata {10 + n}", "postal_code": "0190"},
                "phone": f"+4741234{n:03d}",
            },
            **overrides,
        }
    session = rt.new_session()
    try:
        return accept_trigger(session, rt, load_trigger(trigger(**overrides), now=rt.now())).case_id
    finally:
        session.close()


def step_of(rt: Any, case_id: int, rule: str) -> Step:
    with rt.session() as session:
        step = session.scalars(
            select(Step).where(Step.case_id == case_id, Step.rule == rule).order_by(Step.id.desc())
        ).first()
        assert step is not None, f"no {rule} step"
        return step


def run(rt: Any, step_id: int) -> Outcome:
    """What the tick and the worker do for one step."""
    with rt.session() as session:
        session.execute(update(Step).where(Step.id == step_id).values(status="queued"))
    return execute_step(rt, step_id)


def post_letters(rt: Any, *, pdf: bool = False) -> None:
    with rt.session() as session:
        for batch in open_batches(session):
            if batch.status == "open":
                render_batch(session, rt, batch.id, pdf=pdf)
            post_batch(session, rt, batch.id, actor="kari")


def letter_posted(rt: Any, clock: Any, case_id: int, *, pdf: bool = False) -> None:
    """Tue 1 Dec: the letter is batched at 10:00 and posted at 16:00."""
    run(rt, step_of(rt, case_id, "letter").id)
    clock.set(oslo(2026, 12, 1, 16, 0))
    post_letters(rt, pdf=pdf)


def contact_started(rt: Any, clock: Any, case_id: int) -> None:
    """A week after the letter: the SMS rung runs and starts the contact ladder."""
    letter_posted(rt, clock, case_id)
    clock.set(oslo(2026, 12, 8, 16, 0))
    run(rt, step_of(rt, case_id, "sms").id)


def visit_step_due(rt: Any, clock: Any, case_id: int) -> Step:
    contact_started(rt, clock, case_id)
    step = step_of(rt, case_id, "home_visit")
    clock.set(step.due_at)
    return step


def outbox(rt: Any, channel: str) -> list[dict[str, Any]]:
    files = sorted(
        Path(rt.settings.outbox_dir / channel).glob("*.json"), key=lambda p: p.stat().st_mtime_ns
    )
    return [json.loads(p.read_text(encoding="utf-8")) for p in files]


def later(clock: Any, **kw: Any) -> None:
    clock.set(clock() + timedelta(**kw))
