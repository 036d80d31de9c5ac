"""The mapping's dashboard on a city-year, as a ratio against the raw aggregate SQL (issue 15).

A city-year: 10,000 cases with their notices, 100,000 steps and attempts, on
PostgreSQL (a throwaway database on the local server, ``ensure_postgres``),
written with bulk inserts (tests/report_year.py). Timed, each the median of
several runs:

- **baseline**: the raw aggregate SQL a dashboard cannot do without – notices
  by district and kind for the year, attempts by channel and status – as bare
  ``SELECT … GROUP BY`` text;
- **figures**: ``figures.compute`` for the city-year, whatever figures it returns;
- **figures + charts**: that, suppressed and drawn as SVG (what the page needs);
- **page**: ``GET /staff/rapporter`` through the test client, signed in as an analyst.

Target (issue 15): the page well under a second. Prints only; never fails on
a slow machine.
"""

from __future__ import annotations

import statistics
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import create_engine, text

from benchmarks._support import bench_runtime
from outreach.db import dispose_all
from outreach.devservices import ensure_postgres
from outreach.reports import charts, figures, suppress
from outreach.reports.tables import ReportFilter
from tests.report_year import fill_year

CASES = 10_000
ATTEMPTS_PER_CASE = 10
RUNS = 7
YEAR = ReportFilter(start=date(2026, 1, 1), end=date(2027, 1, 1), district=None, step="month")

RAW_SQL = (
    """
    SELECT c.district_code, t.kind, count(*)
    FROM triggers t JOIN cases c ON c.id = t.case_id
    WHERE t.received_at >= :start AND t.received_at < :end
    GROUP BY c.district_code, t.kind
    """,
    "SELECT channel, status, count(*) FROM attempts GROUP BY channel, status",
)


@contextmanager
def postgres_database() -> Iterator[str]:
    server = ensure_postgres()
    name = f"outreach_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    base, _, query = server.partition("?")
    url = base.rsplit("/", 1)[0] + f"/{name}" + (f"?{query}" if query else "")
    try:
        yield url
    finally:
        dispose_all()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def median_seconds(work: Callable[[], object]) -> float:
    work()  # warm: caches, the planner, the first connection
    times = []
    for _ in range(RUNS):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    from outreach import create_app
    from outreach import runtime as runtime_module
    from tests.test_staff_support import login, make_user

    with postgres_database() as url, bench_runtime(url) as (rt, _clock):
        started = time.perf_counter()
        with rt.session() as session:
            fill_year(
                session,
                year_start=YEAR.start,
                cases=CASES,
                attempts_per_case=ATTEMPTS_PER_CASE,
            )
            session.execute(text("ANALYZE"))
            session.commit()
        filled = time.perf_counter() - started
        start, end = YEAR.start.isoformat(), YEAR.end.isoformat()

        def raw() -> None:
            with rt.session() as session:
                for sql in RAW_SQL:
                    session.execute(text(sql), {"start": start, "end": end}).all()

        def computed() -> int:
            with rt.session() as session:
                return len(figures.compute(session, YEAR))

        def drawn() -> None:
            with rt.session() as session:
                for table in suppress.suppress_all(figures.compute(session, YEAR)):
                    charts.render_svg(table)

        app = create_app(
            {
                "env": "test",
                "database_url": url,
                "redis_url": rt.settings.redis_url,
                "var_dir": rt.settings.var_dir,
                "testing": True,
            }
        )
        app.extensions["outreach_runtime"] = rt
        runtime_module.install(rt)
        make_user(rt, "analytiker", roles="analyst", districts="")
        client = app.test_client()
        login(client, "analytiker")

        def page() -> None:
            response = client.get("/staff/rapporter?fra=2026-01&til=2026-12")
            assert response.status_code == 200
            response.close()

        n_figures = computed()
        bare = median_seconds(raw)
        ours = median_seconds(computed)
        charted = median_seconds(drawn)
        rendered = median_seconds(page)
    print(
        f"reports, city-year on PostgreSQL ({CASES} cases, {CASES * ATTEMPTS_PER_CASE} attempts,"
        f" filled in {filled:.1f} s), {n_figures} figure(s), median of {RUNS}:\n"
        f"  raw aggregate SQL     {bare * 1000:8.1f} ms\n"
        f"  figures.compute       {ours * 1000:8.1f} ms   ratio {ours / bare:6.1f}x\n"
        f"  figures + charts      {charted * 1000:8.1f} ms   ratio {charted / bare:6.1f}x\n"
        f"  dashboard page (GET)  {rendered * 1000:8.1f} ms   ratio {rendered / bare:6.1f}x"
        f"   target: well under 1000 ms"
    )


if __name__ == "__main__":
    main()
