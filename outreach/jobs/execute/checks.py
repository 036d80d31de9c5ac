"""The ladder's checks: is the letter overdue, is the household unreachable.

A check sends nothing; it moves the ladder (the other channels stop waiting
for a late letter) or raises flags for a caseworker to decide (seeds/000:
people decide, the system reminds).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from outreach import timeline
from outreach.cases.flags import raise_flag
from outreach.ladder import facts as ladder_facts
from outreach.ladder import planning
from outreach.ladder import steps as ladder_steps
from outreach.models import Case, Step
from outreach.policy import Rule
from outreach.policy.plan import unreachable_flags
from outreach.reach.base import local
from outreach.runtime import Runtime
from outreach.workdays import parse_offset


def _to_tenant(rt: Runtime, step: Step) -> bool:
    rule = rt.policy.by_name.get(step.rule)
    return rule is None or rule.audience == "tenant"


def run_check(
    session: Session, rt: Runtime, case: Case, step: Step, rule: Rule, now: datetime
) -> str:
    if rule.check == "letter_overdue":
        letters = session.scalars(
            select(Step).where(
                Step.case_id == case.id,
                Step.trigger_id == step.trigger_id,
                Step.channel == "letter",
            )
        ).all()
        # Skipped letters count too (no postal address, a protected address):
        # no letter went out unless staff sent the manual one (issue 2 audit).
        # Only the tenant's letter is the duty: a copy goes with it, and a copy
        # skipped for want of an address must not make a letter withdrawn after
        # a response "overdue" (issue 12, item 14).
        late = [
            s
            for s in letters
            if s.status in ("planned", "queued", "running", "waiting", "failed", "skipped")
            and _to_tenant(rt, s)
        ]
        from outreach.models import Task

        manual_open = session.scalars(
            select(Task)
            .join(Step, Step.id == Task.step_id)
            .where(
                Task.case_id == case.id,
                Task.kind == "manual_letter",
                Task.status == "open",
                Step.trigger_id == step.trigger_id,
            )
        ).all()
        if case.letter_sent_at is not None and not manual_open:
            late = [s for s in late if s.status != "skipped"]  # the manual letter went
        late_ids = [s.id for s in late] + [t.step_id for t in manual_open if t.step_id is not None]
        if late_ids:
            # The other channels must not wait for this letter: the planner
            # counts from its deadline now (ladder_facts.letter_fallback).
            planning.replan(session, rt, case, now)
            timeline.record(
                session,
                case.id,
                "letter_overdue",
                now,
                channel="letter",
                step_id=late_ids[0],
                deadline=step.due_at.isoformat(),
            )
        ladder_steps.finish_step(step, "done", now, "overdue" if late_ids else "letter on time")
        return "done"
    if rule.check == "unreachable":
        facts = ladder_facts.case_facts(session, case)
        flags = unreachable_flags(rt.policy, facts, local(now).date())
        timeline.record(
            session, case.id, "unreachable", now, round=case.ladder_round, flags=flags or None
        )
        overdue_after = rule.flag_overdue_after or parse_offset("2wd")
        for kind in flags:
            raise_flag(session, rt, case, kind, now, overdue_after)
        ladder_steps.finish_step(step, "done", now)
        return "done"
    ladder_steps.finish_step(step, "failed", now, f"unknown check {rule.check!r}")
    return "failed"
