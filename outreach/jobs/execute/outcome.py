"""What a run of a step ended in, and how long the job waits before trying again."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

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
