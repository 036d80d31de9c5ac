"""A crash of our own code (not a channel error) is counted on the step and retried.

After ``max_step_tries`` crashes the step fails with ``internal_error`` and
the ladder moves on; RQ still sees the exception.
"""

from __future__ import annotations

import logging

from outreach import timeline
from outreach.attempts import mark_unknown
from outreach.jobs.execute.claim import open_attempt
from outreach.jobs.execute.outcome import BACKOFF
from outreach.jobs.execute.record import note_retry
from outreach.ladder import planning
from outreach.ladder import steps as ladder_steps
from outreach.models import Case, Step
from outreach.runtime import Runtime

log = logging.getLogger(__name__)


def record_crash(rt: Runtime, step_id: int, exc: Exception) -> None:
    """Count a crash of our own code on the step, and plan a retry or give up.

    Without this a step whose composing or recording raises stays ``running``
    and the tick hands it out again after every lease, for ever. The crash is
    counted in ``step.params["crashes"]`` (not ``step.tries``, which counts
    provider attempts); after ``max_step_tries`` crashes the step fails with
    ``internal_error`` and the ladder moves on. An attempt left ``sending`` is
    not marked failed – the provider may have been called – so the next run
    settles it. Only the exception's type goes on the timeline: its message
    may quote personal data.
    """
    session = rt.new_session()
    try:
        now = rt.now()
        step = session.get(Step, step_id)
        if step is None or step.status != "running":
            return  # someone else moved it on (a response, a close): nothing to plan
        case = session.get(Case, step.case_id)
        assert case is not None
        crashes = int((step.params or {}).get("crashes", 0)) + 1
        step.params = {**(step.params or {}), "crashes": crashes}
        error = type(exc).__name__
        log.error("step %s (%s) crashed (%s), crash %d", step.id, step.rule, error, crashes)
        if crashes < rt.settings.max_step_tries:
            delay = BACKOFF[min(crashes - 1, len(BACKOFF) - 1)]
            ladder_steps.reopen(step, now + delay)
            note_retry(session, case, step, now, reason="internal_error", error=error)
        else:
            attempt = open_attempt(session, step)
            if attempt is not None:
                # Maybe sent: neither failed nor settled (staff or a receipt decide).
                mark_unknown(session, case, step, attempt, now)
            ladder_steps.finish_step(step, "failed", now, "internal_error")
            timeline.record(
                session,
                case.id,
                "step_failed",
                now,
                channel=step.channel,
                step_id=step.id,
                rule=step.rule,
                reason="internal_error",
                error=error,
            )
            rule = rt.policy.by_name.get(step.rule)
            if rule is not None and case.status != "closed":
                planning.advance(session, rt, case, rule.on_fail_advance, now)
        session.commit()
    except Exception:
        session.rollback()
        log.exception("could not record the crash of step %s", step_id)
    finally:
        session.close()
