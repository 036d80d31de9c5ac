"""Shared set-up for benchmarks: a throwaway database and the project's Redis."""

from __future__ import annotations

import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from outreach import runtime as runtime_module
from outreach.config import REPO_ROOT, Settings
from outreach.demo import seed_districts
from outreach.devservices import ensure_redis
from outreach.migrate import upgrade
from outreach.wiring import build_runtime

OSLO = ZoneInfo("Europe/Oslo")


class Clock:
    def __init__(self, at: datetime) -> None:
        self.at = at

    def __call__(self) -> datetime:
        return self.at


@contextmanager
def bench_runtime(
    database_url: str | None = None,
) -> Iterator[tuple[runtime_module.Runtime, Clock]]:
    with tempfile.TemporaryDirectory(prefix="outreach-bench-") as tmp:
        url = database_url or f"sqlite:///{Path(tmp) / 'bench.sqlite3'}"
        upgrade(url)
        settings = Settings(
            env="test",
            var_dir=Path(tmp),
            database_url=url,
            redis_url=ensure_redis(REPO_ROOT / "var", "redis-bench"),
            queue_name=f"bench-{uuid.uuid4().hex[:6]}",
            worker_class="simple",
        )
        clock = Clock(datetime(2026, 12, 1, 10, 0, tzinfo=OSLO))
        rt = build_runtime(settings, clock=clock)
        runtime_module.install(rt)
        with rt.session() as session:
            seed_districts(session)
        try:
            yield rt, clock
        finally:
            rt.redis().delete(*rt.redis().keys(f"rq:*{settings.queue_name}*") or ["-"])


def noop() -> None:
    """The baseline RQ job: does nothing."""
