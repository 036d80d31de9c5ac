"""The job's body: claim the step, run it, and count a crash of our own code.

``execute_step`` is what ``jobs.run_step`` (the RQ job), ``simulate`` and the
tests call; it never raises for a step that was not ours to run.
"""

from __future__ import annotations

from outreach.jobs.execute.claim import claim
from outreach.jobs.execute.crash import record_crash
from outreach.jobs.execute.outcome import Outcome
from outreach.jobs.execute.route import run_claimed
from outreach.runtime import Runtime


def execute_step(rt: Runtime, step_id: int) -> Outcome:
    session = rt.new_session()
    claimed = False
    try:
        now = rt.now()
        if not claim(session, rt, step_id, now):
            return Outcome(step_id, "not_claimed")
        claimed = True
        return run_claimed(session, rt, step_id)
    except Exception as exc:
        session.rollback()
        if claimed:
            record_crash(rt, step_id, exc)
        raise  # RQ still records the failure, with its traceback
    except BaseException:
        # The process is going away (SIGTERM, Ctrl-C): the step stays
        # ``running`` and the tick hands it out again after the lease.
        session.rollback()
        raise
    finally:
        session.close()
