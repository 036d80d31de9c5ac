"""The only module that speaks RQ: enqueue a step, ask what became of its job.

Job ids come from step ids (``step-<id>-g<generation>``) so a duplicate
enqueue of the same hand-out is refused by RQ and a later hand-out after a
lost job gets a fresh id. Only the step id travels through Redis – never a
name or number (TECH-NOTES: failed jobs keep their arguments for a year).
"""

from __future__ import annotations

from typing import Any

from redis import Redis
from rq import Queue, Retry
from rq.exceptions import NoSuchJobError
from rq.job import Job, JobStatus
from rq.registry import StartedJobRegistry

from outreach.runtime import Runtime

JOB_TIMEOUT = 300  # seconds; a letter batch render is bounded, a hang is not


def step_job_id(rt: Runtime, step_id: int, generation: int) -> str:
    """Derived from the step: a re-run of the same hand-out has the same id.

    The queue name is part of it so that two deployments (or two test runs)
    sharing one Redis never mistake each other's jobs for their own.
    """
    return f"{rt.settings.queue_name}-step-{step_id}-g{generation}"


def queue_for(rt: Runtime) -> Queue:
    return Queue(rt.settings.queue_name, connection=rt.redis())


def enqueue_step(rt: Runtime, step_id: int, job_id: str) -> None:
    queue_for(rt).enqueue(
        "outreach.jobs.run_step.run_step",
        step_id,
        job_id=job_id,
        job_timeout=JOB_TIMEOUT,
        result_ttl=3600,
        failure_ttl=7 * 24 * 3600,
        # A worker killed mid-job is noticed by RQ's maintenance and the job
        # re-run once; the tick recovers it anyway (TECH-NOTES: RQ).
        retry=Retry(max=1),
    )


def render_job_id(rt: Runtime, batch_id: int) -> str:
    return f"{rt.settings.queue_name}-print-batch-{batch_id}"


def enqueue_render(rt: Runtime, batch_id: int) -> str:
    """Render a print batch off the request path; one job per batch at a time."""
    job_id = render_job_id(rt, batch_id)
    queue_for(rt).enqueue(
        "outreach.jobs.render_batch.render_print_batch",
        batch_id,
        job_id=job_id,
        job_timeout=1800,  # 200 letters at a few per second, with room
        result_ttl=3600,
    )
    return job_id


def list_job_id(rt: Runtime, list_id: int) -> str:
    return f"{rt.settings.queue_name}-landlord-list-{list_id}"


def enqueue_list(rt: Runtime, list_id: int) -> str:
    """A landlord's arrears list, off the request path; the same id while it runs."""
    job_id = list_job_id(rt, list_id)
    queue_for(rt).enqueue(
        "outreach.jobs.landlord_lists.run_landlord_list",
        list_id,
        job_id=job_id,
        job_timeout=1800,  # 20,000 rows with room; a chunk at a time, resumable
        result_ttl=3600,
        failure_ttl=7 * 24 * 3600,
        retry=Retry(max=2),  # a killed worker: the rows still pending are done again
    )
    return job_id


def job_state(rt: Runtime, job_id: str) -> str:
    """``missing`` when Redis lost the job (a flush, a restart without persistence)."""
    try:
        job = Job.fetch(job_id, connection=rt.redis())
    except NoSuchJobError:
        return "missing"
    status = job.get_status(refresh=True)
    return str(status.value if isinstance(status, JobStatus) else status or "missing")


def clean_started_registry(rt: Runtime) -> None:
    """Move jobs of dead workers out of "started" so their steps can be re-run."""
    StartedJobRegistry(rt.settings.queue_name, connection=rt.redis()).cleanup()


def ping(redis: Redis | Any) -> bool:
    try:
        return bool(redis.ping())
    except Exception:
        return False
