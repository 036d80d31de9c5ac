"""Throughput of the ladder's hot path, as ratios against baselines in the same run.

- intake: ``accept_trigger`` (validate, match, route, plan, one transaction)
  against a bare INSERT of the same number of rows – what intake costs over
  the cheapest possible write;
- steps: letter steps through tick + an RQ ``SimpleWorker`` (claim, attempt
  row, outbox file, record, re-plan) against no-op RQ jobs through the same
  worker and Redis – what our exactly-once bookkeeping costs over RQ itself.

Prints only; never fails on a slow machine.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from rq import Queue, SimpleWorker
from sqlalchemy import text

from benchmarks._support import bench_runtime
from outreach.intake.accept import accept_trigger
from outreach.intake.schema import load_trigger
from outreach.jobs.tick import tick
from tests.factories import trigger

N = 300


def main() -> None:
    import logging

    logging.getLogger("rq").setLevel(logging.WARNING)
    with bench_runtime() as (rt, clock):
        docs = [
            load_trigger(
                trigger(
                    source={"reference": f"B-{i}"},
                    tenant={"name": f"Person {i}", "birth_date": "1980-01-01"},
                ),
                now=clock(),
            )
            for i in range(N)
        ]
        # Baseline: the cheapest write of one row per trigger.
        with rt.session() as session:
            session.execute(text("CREATE TABLE bench_rows (id INTEGER PRIMARY KEY, body TEXT)"))
        started = time.perf_counter()
        for i in range(N):
            with rt.session() as session:
                session.execute(text("INSERT INTO bench_rows (body) VALUES (:b)"), {"b": str(i)})
        raw = time.perf_counter() - started

        session = rt.new_session()
        started = time.perf_counter()
        for doc in docs:
            accept_trigger(session, rt, doc)
        ours = time.perf_counter() - started
        session.close()
        print(
            f"intake: {N / ours:8.1f} triggers/s   bare insert: {N / raw:8.1f} rows/s   "
            f"ratio (bare/ours): {ours / raw:5.1f}x"
        )

        queue = Queue(rt.settings.queue_name, connection=rt.redis())
        for _ in range(N):
            queue.enqueue("benchmarks._support.noop")
        started = time.perf_counter()
        SimpleWorker([queue], connection=rt.redis()).work(burst=True, logging_level="WARNING")
        raw_jobs = time.perf_counter() - started

        report = tick(rt)
        started = time.perf_counter()
        SimpleWorker([queue], connection=rt.redis()).work(burst=True, logging_level="WARNING")
        ours_jobs = time.perf_counter() - started
        count = len(report.enqueued)
        print(
            f"steps:  {count / ours_jobs:8.1f} steps/s     "
            f"no-op RQ jobs: {N / raw_jobs:8.1f} jobs/s   "
            f"ratio (no-op/ours per job): {(ours_jobs / count) / (raw_jobs / N):5.1f}x"
        )


if __name__ == "__main__":
    main()
