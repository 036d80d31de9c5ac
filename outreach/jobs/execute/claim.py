"""Taking a step for this run, and finding the attempt an earlier run left behind."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from outreach.models import Attempt, Step
from outreach.runtime import Runtime


def claim(session: Session, rt: Runtime, step_id: int, now: datetime) -> bool:
    result = session.execute(
        update(Step)
        .where(Step.id == step_id, Step.status == "queued")
        .values(
            status="running", lease_until=now + timedelta(seconds=rt.settings.step_lease_seconds)
        )
        .execution_options(synchronize_session=False)
    )
    session.commit()
    return bool(getattr(result, "rowcount", 0))


def open_attempt(session: Session, step: Step) -> Attempt | None:
    return session.scalar(
        select(Attempt)
        .where(Attempt.step_id == step.id, Attempt.status == "sending")
        .where(Attempt.detail.not_like("visit:%"))  # staff invitations: outreach.reach.visit
        .order_by(Attempt.try_no.desc())
        .limit(1)
    )
