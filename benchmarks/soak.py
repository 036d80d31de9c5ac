"""Soak: many cases through tick + a real RQ worker over three virtual weeks.

Not part of ``make test`` (``make soak``). Checks the invariants that matter
at volume: every step ends in a final state, no attempt is sent twice, and
every SMS went out inside the sending window. Prints what it saw.
"""

from __future__ import annotations

import logging
import sys
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from rq import Queue, SimpleWorker
from sqlalchemy import func, select

from benchmarks._support import OSLO, bench_runtime
from outreach.intake.accept import accept_trigger
from outreach.intake.schema import load_trigger
from outreach.jobs.tick import tick
from outreach.models import Attempt, Step
from tests.factories import trigger

CASES = int(sys.argv[1]) if len(sys.argv) > 1 else 1000


def main() -> int:
    logging.getLogger("rq").setLevel(logging.WARNING)
    with bench_runtime() as (rt, clock):
        session = rt.new_session()
        started = time.perf_counter()
        for i in range(CASES):
            doc = trigger(
                source={"reference": f"S-{i}"},
                tenant={"name": f"Soak Person {i}", "phone": None if i % 5 == 0 else "+4741234567"},
                household={"children": [3] if i % 3 == 0 else []},
            )
            accept_trigger(session, rt, load_trigger(doc, now=clock()))
        session.close()
        queue = Queue(rt.settings.queue_name, connection=rt.redis())
        end = clock() + timedelta(days=21)
        while clock() < end:
            tick(rt)
            SimpleWorker([queue], connection=rt.redis()).work(burst=True, logging_level="WARNING")
            clock.at += timedelta(hours=1)
        elapsed = time.perf_counter() - started
        with rt.session() as s:
            statuses = Counter(
                dict(s.execute(select(Step.status, func.count()).group_by(Step.status)).all())
            )
            sends = s.execute(
                select(Attempt.step_id, func.count())
                .group_by(Attempt.step_id)
                .having(func.count() > 1)
            ).all()
            sms_times = s.scalars(select(Attempt.created_at).where(Attempt.channel == "sms")).all()
        outside = [
            t
            for t in sms_times
            if not (9 <= t.astimezone(OSLO).hour < 17) or t.astimezone(OSLO).weekday() >= 5
        ]
        print(
            f"{CASES} cases, 21 virtual days in {elapsed:.1f} s; steps by status: {dict(statuses)}"
        )
        print(
            f"steps with more than one attempt: {len(sends)}; "
            f"SMS outside the window: {len(outside)}"
        )
        open_steps = statuses["queued"] + statuses["running"]
        return 1 if sends or outside or open_steps else 0


if __name__ == "__main__":
    sys.exit(main())
