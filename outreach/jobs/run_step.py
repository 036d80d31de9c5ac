"""The RQ job: thin by design – it runs one step by id and nothing else."""

from __future__ import annotations

from outreach import runtime
from outreach.jobs.execute.run import execute_step


def run_step(step_id: int) -> str:
    return execute_step(runtime.current(), step_id).result
