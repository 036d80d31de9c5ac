"""An attempt's status, settled from what the job and the providers said.

Shared by the sending job (``outreach.jobs.execute``), the receipts
(``outreach.inbound.receipts``) and the ladder (a cancelled step whose attempt is
still ``sending`` is left ``unknown``): the status ranks and the two ways an
attempt's status is decided without a new receipt live here, below all three.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from outreach import timeline
from outreach.models import Attempt, AttemptStatus, Case, Step

#: Our statuses for provider-reported states, by rank. Every state of rank 3
#: is final: nothing moves an attempt out of it.
RANK: Mapping[str, int] = {
    # The job gave up asking (``execute._settle_later``): any receipt moves it.
    "unknown": 0,
    "accepted": 1,
    "queued": 1,
    "sent": 2,
    "delivered": 3,
    "undelivered": 3,
    "failed": 3,
    "bounced": 3,
    "dropped": 3,
}
FAILURES = frozenset({"undelivered", "failed", "bounced", "dropped"})
FINAL = frozenset(s for s, rank in RANK.items() if rank == 3)

#: Twilio ``MessageStatus`` -> ours. Twilio's own "sending" (handed to the
#: carrier) is not our "sending" (written, provider not yet called).
TWILIO_STATUSES: Mapping[str, str] = {
    "accepted": "queued",
    "scheduled": "queued",
    "queued": "queued",
    "sending": "queued",
    "sent": "sent",
    "delivered": "delivered",
    "read": "delivered",
    "undelivered": "undelivered",
    "failed": "failed",
    "canceled": "failed",
}

#: SendGrid ``event`` -> ours; ``None``: kept in the history, moves nothing
#: (``deferred``: the receiving server asked SendGrid to try again later).
SENDGRID_STATUSES: Mapping[str, str | None] = {
    "processed": "queued",
    "deferred": None,
    "delivered": "delivered",
    "bounce": "bounced",
    "dropped": "dropped",
}


def settled_status(session: Session, attempt_id: int, reported: str) -> str:
    """The status an attempt should have given ``reported`` and its history.

    For the sending job: a receipt may have arrived between the provider call
    and the job's commit, and the job must not overwrite a later state with
    the provider's first answer ("queued").
    """
    best = reported
    for raw in session.scalars(
        select(AttemptStatus.status).where(AttemptStatus.attempt_id == attempt_id)
    ):
        ours = our_status(raw)
        if ours is not None and RANK[ours] > RANK.get(best, 0):
            best = ours
    return best


def our_status(raw: str) -> str | None:
    """History rows keep the provider's word; map it back to ours."""
    if raw in RANK:
        return raw
    return TWILIO_STATUSES.get(raw) or SENDGRID_STATUSES.get(raw)


def mark_unknown(
    session: Session, case: Case, step: Step, attempt: Attempt, now: datetime, code: str = ""
) -> None:
    """Neither sent nor failed for all we know: left for a receipt or staff."""
    attempt.status = "unknown"
    attempt.updated_at = now
    attempt.detail = f"outcome unknown ({code})" if code else "outcome unknown"
    session.add(AttemptStatus(attempt_id=attempt.id, status="unknown", at=now, detail=code[:200]))
    timeline.record(
        session,
        case.id,
        "attempt_unsettled",
        now,
        channel=attempt.channel,
        step_id=step.id,
        attempt_id=attempt.id,
        reason=code or None,
    )
