"""The worker process: an RQ worker plus the periodic tick.

One process type to deploy (``python worker.py`` or ``outreach worker``).
Every worker runs a tick thread, but a short Redis lock lets only one of them
tick at a time; duplicates would be harmless anyway, since handing a step out
is a conditional UPDATE in the database.
"""

from __future__ import annotations

import logging
import threading
import uuid

from rq import Queue, SimpleWorker, Worker

from outreach.jobs.tick import tick
from outreach.runtime import Runtime

log = logging.getLogger(__name__)


def tick_once_locked(rt: Runtime) -> bool:
    redis = rt.redis()
    token = uuid.uuid4().hex
    ttl_ms = max(int(rt.settings.tick_seconds * 1000), 1000)
    lock = f"{rt.settings.redis_namespace}:tick-lock"
    if not redis.set(lock, token, nx=True, px=ttl_ms):
        return False
    try:
        tick(rt)
    finally:
        # Release only our own lock (compare-and-delete).
        redis.eval(
            "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end",
            1,
            lock,
            token,
        )
    return True


class Ticker(threading.Thread):
    def __init__(self, rt: Runtime) -> None:
        super().__init__(name="outreach-tick", daemon=True)
        self.rt = rt
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.wait(self.rt.settings.tick_seconds):
            try:
                tick_once_locked(self.rt)
            except Exception:
                # Keep ticking: a Redis or database hiccup must not stop the ladder.
                log.exception("tick failed; will try again")


def run_worker(rt: Runtime, *, burst: bool = False, with_tick: bool = True) -> None:
    # Preload what jobs import so a forked child starts warm (TECH-NOTES: RQ).
    import outreach.jobs.run_step  # noqa: F401

    queue = Queue(rt.settings.queue_name, connection=rt.redis())
    worker_class = SimpleWorker if rt.settings.worker_class == "simple" else Worker
    worker = worker_class([queue], connection=rt.redis())
    if burst:
        if with_tick:
            tick(rt)
        worker.work(burst=True)
        return
    ticker = Ticker(rt) if with_tick else None
    if ticker is not None:
        tick_once_locked(rt)
        ticker.start()
    try:
        worker.work(burst=False, with_scheduler=False)
    finally:
        if ticker is not None:
            ticker.stopped.set()
