"""What a run of a step ended in, and how long the job waits before trying again."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from outreach import timeline
from outreach.ladder.steps import finish_step

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from outreach.models import Case, Step

# Spaced retries for transient provider errors (STYLE.md habit 7).
BACKOFF = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=30), timedelta(hours=2))


@dataclass(frozen=True)
class Outcome:
    step_id: int
    # done | skipped | failed | retry | deferred | cancelled | not_claimed
    # | settling (an attempt's outcome is still asked for) | unknown | batched
    result: str


PACING_DEFER = timedelta(seconds=30)


#: How long an attempt whose outcome we cannot tell (an ambiguous send, a
#: provider that cannot be asked) is polled before it is left ``unknown``:
#: past Twilio's 10-hour queue limit (TECH-NOTES), so a message still waiting
#: there has been sent or dropped by then; a late receipt still settles it.
SETTLE_FOR = timedelta(hours=12)


def conclude(
    session: Session,
    case: Case,
    step: Step,
    status: str,
    now: datetime,
    event: str | None = None,
    *,
    detail: str = "",
    **data: Any,
) -> Outcome:
    """The end of most runs: the step's final status, its event on the timeline, the commit.

    ``data`` goes on the event as given; ``channel`` and ``step_id`` are the step's
    unless ``data`` says otherwise.
    """
    finish_step(step, status, now, detail)
    if event is not None:
        timeline.record(
            session, case.id, event, now, **{"channel": step.channel, "step_id": step.id, **data}
        )
    session.commit()
    return Outcome(step.id, status)
