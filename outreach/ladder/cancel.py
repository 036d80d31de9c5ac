"""Stop the ladder: the steps a response stops, or all of them on close.

A running job re-reads the status under lock before it calls a channel, so
a step cancelled here while running will not send; an attempt left
``sending`` on a step that no job will run again becomes ``unknown``.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from outreach.attempts import mark_unknown
from outreach.ladder.steps import cancel_step
from outreach.models import Attempt, Case, Step
from outreach.runtime import Runtime
from outreach.vocabulary import STEP_OPEN

# Steps planned by code, not by a policy rule, that a response must not stop:
# an undecided flag still goes to the district lead (issue 2, rule 5); it ends
# when the flag is decided (flags.decide_flag) or the case is closed.
SURVIVES_RESPONSE = frozenset({"flag_overdue"})


def cancel_pending(
    session: Session,
    rt: Runtime,
    case: Case,
    now: datetime,
    reason: str,
    *,
    everything: bool = False,
    actor: str | None = None,
    keep_deadlines: bool = False,
) -> int:
    """Cancel open steps: those a response stops, or all of them on close.

    ``keep_deadlines`` (a pause): a notice's legal deadline and its check stay
    (``Rule.legal_deadline``); only contact attempts stop.
    A step already ``running`` is cancelled too: the job re-reads the status
    under lock before it calls a channel, so it will not send.
    """
    count = 0
    steps = session.scalars(
        select(Step).where(Step.case_id == case.id, Step.status.in_(STEP_OPEN))
    ).all()
    for step in steps:
        if step.status not in STEP_OPEN:
            continue  # cancelled meanwhile with another (a copy with its tenant letter)
        rule = rt.policy.by_name.get(step.rule)
        if not everything and rule is not None and not rule.stops_on_response:
            continue
        if not everything and step.rule in SURVIVES_RESPONSE:
            continue
        if keep_deadlines and rule is not None and rule.legal_deadline:
            continue
        if step.status != "running":
            # A running job sees the cancel and settles its attempt itself.
            _leave_unsettled(session, case, step, now)
        cancel_step(session, rt, case, step, now, reason, actor=actor)
        count += 1
    return count


def _leave_unsettled(session: Session, case: Case, step: Step, now: datetime) -> None:
    """An attempt still ``sending`` on a cancelled step is nobody's to poll any more.

    A step waiting to settle an attempt of unknown outcome (``execute._settle_later``)
    or to be re-run after a crash mid-send is ``planned`` with its attempt still
    ``sending``. Cancelled, no job runs again: the attempt becomes ``unknown``
    with an ``attempt_unsettled`` event, as when the job itself finds the step
    cancelled; a late receipt still settles it.
    """
    for attempt in session.scalars(
        select(Attempt).where(Attempt.step_id == step.id, Attempt.status == "sending")
    ):
        mark_unknown(session, case, step, attempt, now, "step cancelled while settling")
