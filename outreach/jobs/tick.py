"""The tick: hand due steps to the queue, and recover what the queue lost.

Steps are rows with ``due_at`` (principle 1). The tick marks due ``planned``
steps ``queued`` in the database *first*, commits, then enqueues them – the
step table is the outbox. If Redis loses a job (flush, restart, a worker
killed), the tick notices on a later pass and hands the step out again under
a new job id; the step's attempt row keeps a second run from sending twice.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select, update

from outreach.jobs import queue
from outreach.models import Step
from outreach.runtime import Runtime

log = logging.getLogger(__name__)

BATCH = 500
# A queued step whose job RQ no longer knows is re-queued after this grace,
# so a job enqueued a moment ago by another tick is not doubled.
REQUEUE_GRACE = timedelta(seconds=30)


@dataclass
class TickReport:
    enqueued: list[int] = field(default_factory=list)
    recovered: list[int] = field(default_factory=list)
    invitations: int = 0
    followups_due: int = 0
    crises_ended: int = 0

    def as_json(self) -> dict[str, object]:
        return {"enqueued": len(self.enqueued), "recovered": len(self.recovered)}


def _hand_out(
    rt: Runtime, step_ids: list[int], now: datetime, from_status: str
) -> list[tuple[int, str]]:
    handed: list[tuple[int, str]] = []
    with rt.session() as session:
        for step_id in step_ids:
            result = session.execute(
                update(Step)
                .where(Step.id == step_id, Step.status == from_status)
                .values(
                    status="queued",
                    enqueued_at=now,
                    lease_until=None,
                    job_generation=Step.job_generation + 1,
                )
                .execution_options(synchronize_session=False)
            )
            if getattr(result, "rowcount", 0):
                generation = session.scalar(select(Step.job_generation).where(Step.id == step_id))
                handed.append((step_id, queue.step_job_id(rt, step_id, int(generation or 0))))
    return handed


def tick(rt: Runtime, now: datetime | None = None) -> TickReport:
    now = now or rt.now()
    report = TickReport()
    with rt.session() as session:
        due = list(
            session.scalars(
                select(Step.id)
                .where(Step.status == "planned", Step.due_at <= now)
                .order_by(Step.due_at)
                .limit(BATCH)
            )
        )
    for step_id, job_id in _hand_out(rt, due, now, "planned"):
        queue.enqueue_step(rt, step_id, job_id)
        report.enqueued.append(step_id)
    report.recovered = recover(rt, now)
    # Staff visit invitations an error or a crash left unsent (issue 4).
    from outreach.reach.visit.invitations import deliver_pending_invitations

    report.invitations = deliver_pending_invitations(rt, now)
    # Follow-up measures whose date has come: one timeline event each (issue 5).
    from outreach.cases.followups import record_due

    report.followups_due = record_due(rt, now)
    # A crisis whose eviction date has passed is over, notice or not (issue 12, item 3).
    from outreach.ladder.planning import ends_passed_crises

    report.crises_ended = ends_passed_crises(rt, now)
    # Landlords' arrears lists whose job Redis lost or that failed (issue 14).
    from outreach.jobs.landlord_lists import recover_lists

    recover_lists(rt, now)
    if report.enqueued or report.recovered:
        log.info("tick: enqueued %d, recovered %d", len(report.enqueued), len(report.recovered))
    return report


def recover(rt: Runtime, now: datetime) -> list[int]:
    """Re-queue steps whose job vanished or whose worker died."""
    queue.clean_started_registry(rt)
    recovered: list[int] = []
    with rt.session() as session:
        queued = session.execute(
            select(Step.id, Step.job_generation, Step.enqueued_at).where(Step.status == "queued")
        ).all()
        expired = list(
            session.scalars(select(Step.id).where(Step.status == "running", Step.lease_until < now))
        )
    lost = []
    for step_id, generation, enqueued_at in queued:
        if enqueued_at is not None and now - enqueued_at < REQUEUE_GRACE:
            continue
        state = queue.job_state(rt, queue.step_job_id(rt, step_id, generation))
        if state in {"missing", "failed", "stopped", "canceled", "finished"}:
            lost.append(step_id)
    for step_id, job_id in _hand_out(rt, lost, now, "queued") + _hand_out(
        rt, expired, now, "running"
    ):
        queue.enqueue_step(rt, step_id, job_id)
        recovered.append(step_id)
    return recovered
