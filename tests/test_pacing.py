"""SMS pacing is shared through Redis: two workers together keep the rate."""

from __future__ import annotations

from typing import Any

from redis import Redis

from outreach.reach.sms.pacing import Pacer


def test_pacer_spaces_segments_across_workers(redis_url: str) -> None:
    redis: Any = Redis.from_url(redis_url)
    redis.delete("outreach:pace:+4759000001")
    one, two = Pacer(redis, 1.0, max_wait=5), Pacer(redis, 1.0, max_wait=3)
    now = 1_000_000.0
    waits = [
        one.reserve("+4759000001", 1, now),
        two.reserve("+4759000001", 2, now),  # a two-segment message
        one.reserve("+4759000001", 1, now),
    ]
    assert waits == [0.0, 1.0, 3.0]
    # Past the longest wait a job may block, the step is deferred instead.
    assert two.reserve("+4759000001", 3, now) is None
    assert one.reserve("+4759000001", 1, now + 10) == 0.0
    redis.close()


def test_other_senders_are_independent(redis_url: str) -> None:
    redis: Any = Redis.from_url(redis_url)
    redis.delete("outreach:pace:a", "outreach:pace:b")
    pacer = Pacer(redis, 2.0)
    assert pacer.reserve("a", 4, 0.0) == 0.0
    assert pacer.reserve("b", 1, 0.0) == 0.0
    assert pacer.reserve("a", 1, 0.0) == 2.0
    redis.close()
