"""Pace SMS per sender, shared by every worker through Redis.

A Twilio long code sends about one segment per second and drops what has
waited in its queue for ten hours (TECH-NOTES): a bulk run must not dump a
thousand messages at once. This is a GCRA ("virtual scheduling") limiter: a
Redis key per sender holds the theoretical arrival time of the next segment;
a reservation moves it forward by ``segments / rate`` and says how long the
caller must wait. All workers share the key, so the rate holds across them.
"""

from __future__ import annotations

import time
from typing import Any

# KEYS[1] = pace key; ARGV = now (s), cost (s), max_wait (s), ttl (s)
# Returns the wait in milliseconds, or -1 when the wait would exceed max_wait
# (nothing is reserved then: the caller defers the step instead).
_RESERVE = """
local tat = tonumber(redis.call('GET', KEYS[1]) or ARGV[1])
local now = tonumber(ARGV[1])
if tat < now then tat = now end
local wait = tat - now
if wait > tonumber(ARGV[3]) then return -1 end
redis.call('SET', KEYS[1], tostring(tat + tonumber(ARGV[2])), 'EX', tonumber(ARGV[4]))
return math.floor(wait * 1000)
"""


class Pacer:
    """``reserve`` returns seconds to wait before sending, or None to defer."""

    def __init__(
        self,
        redis: Any,
        rate_per_second: float,
        *,
        max_wait: float = 5.0,
        namespace: str = "outreach",
    ) -> None:
        if rate_per_second <= 0:
            raise ValueError("SMS_RATE_PER_SECOND must be positive")
        self.redis = redis
        self.rate = rate_per_second
        self.max_wait = max_wait
        self.namespace = namespace
        self._script = redis.register_script(_RESERVE)

    def reserve(self, sender: str, segments: int, now: float | None = None) -> float | None:
        cost = max(segments, 1) / self.rate
        result = int(
            self._script(
                keys=[f"{self.namespace}:pace:{sender}"],
                args=[now if now is not None else time.time(), cost, self.max_wait, 3600],
            )
        )
        return None if result < 0 else result / 1000.0
