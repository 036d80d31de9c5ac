"""Letters per second through our print-batch path, beside raw WeasyPrint, in one run.

Issue 3: a print batch of 200 mixed-language letters must reach >= 10 letters/s on one
core, and our path should stay within 1.5x of raw WeasyPrint rendering the same HTML as one
document. Everything is measured here in the same process so the ratios hold on any
machine. This script only prints; it never fails (a failing part prints its error).

Printed per path: wall-clock letters/s, and for the single-process paths also letters per
CPU-second of this process, the per-core figure that holds even when other work shares the
machine's cores. The process pool (``render_print_batch(processes=N)``, used by default for
large batches on a multi-core machine) is measured by wall clock and by the CPU time of all
its processes.

The real print path is timed too: ``printing.render_batch`` on a district's batch of the
same size in a throwaway database (cases taken in through intake, letters batched by the
step job), which adds what staff wait for beyond the renderer – each letter's data read
from the database (contact person, booking code), the per-letter split with its own
title, SHA-256 and files on disk, the status rows and timeline events. It is printed
beside the pure render of the very same letters (``render_print_batch`` with the same
process count ``render_batch`` picks) and raw WeasyPrint of them, as ratios from the
same run.

    .venv/bin/python benchmarks/bench_letters.py [--letters 200] [--processes N]
"""

from __future__ import annotations

import argparse
import logging
import resource
import sys
import time
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from weasyprint import HTML

from outreach.letters import KINDS, LANGUAGES, ensure_compiled, render_print_batch
from outreach.letters import batch as letters_batch
from outreach.letters import markup as letters_markup
from outreach.letters.samples import sample_letter


def _mixed_batch(count: int) -> list:
    # Oslo-like mix: about a third bokmål, the rest spread over the other languages.
    languages = ["nb"] * 9 + list(LANGUAGES[1:])
    return [
        sample_letter(KINDS[i % len(KINDS)], languages[i % len(languages)], number=i)
        for i in range(count)
    ]


#: Trigger kinds with a tenant letter in the default policy (the rule ``letter``).
LETTER_KINDS = ("unpaid_rent_warning", "eviction_petition", "forced_sale_notice")


@contextmanager
def _district_batch(count: int) -> Iterator[tuple[Any, int, list[Any]]]:
    """A database with one district's open batch of ``count`` tenant letters.

    Cases come in through intake (``accept_trigger``) with the benchmark's language mix,
    and the tick plus an RQ worker batch their letters, as in production. No copies: the
    senders give no postal address, so the copy steps are skipped and the batch holds
    exactly ``count`` letters. Yields the runtime, the batch id and each letter's data as
    the real path builds it (read in a transaction that is rolled back).
    """
    from rq import Queue, SimpleWorker
    from sqlalchemy import select

    from benchmarks._support import OSLO, bench_runtime
    from outreach.intake.accept import accept_trigger
    from outreach.intake.schema import load_trigger
    from outreach.jobs.tick import tick
    from outreach.models import PrintBatch, PrintItem
    from outreach.reach.letter import batches as printing
    from tests.factories import trigger

    logging.getLogger("rq").setLevel(logging.WARNING)
    languages = ["nb"] * 9 + list(LANGUAGES[1:])
    with bench_runtime() as (rt, clock):
        session = rt.new_session()
        for i in range(count):
            language = languages[i % len(languages)]
            doc = trigger(
                kind=LETTER_KINDS[i % len(LETTER_KINDS)],
                source={"reference": f"BL-{i}", "address": None},
                tenant={
                    "name": f"Person {i}",
                    "birth_date": f"19{50 + i % 40}-0{1 + i % 9}-1{i % 10}",
                    "phone": f"+474{i:07d}",
                    "language": language,
                },
            )
            accept_trigger(session, rt, load_trigger(doc, now=clock()))
        session.close()
        tick(rt)
        SimpleWorker(
            [Queue(rt.settings.queue_name, connection=rt.redis())], connection=rt.redis()
        ).work(burst=True, logging_level="WARNING")
        with rt.session() as session:
            batch_id = session.scalar(select(PrintBatch.id).where(PrintBatch.status == "open"))
            items = session.scalars(
                select(PrintItem).where(PrintItem.batch_id == batch_id).order_by(PrintItem.id)
            ).all()
            today = clock().astimezone(OSLO).date()
            letters = [printing.letter_data(session, item, today) for item in items]
            session.rollback()
        assert batch_id is not None, "no letters were batched"
        yield rt, batch_id, letters


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


class Timing:
    def __init__(self, wall: float, cpu: float, children_cpu: float, result: Any) -> None:
        self.wall, self.cpu, self.children_cpu, self.result = wall, cpu, children_cpu, result


def _timed(run: Callable[[], Any]) -> Timing:
    children = _children_cpu()
    cpu = time.process_time()
    wall = time.perf_counter()
    result = run()
    return Timing(
        time.perf_counter() - wall,
        time.process_time() - cpu,
        _children_cpu() - children,
        result,
    )


def _attempt(label: str, run: Callable[[], Timing]) -> Timing | None:
    try:
        return run()
    except Exception:
        print(f"{label}: FAILED")
        traceback.print_exc()
        return None


def _raw(letters: list[Any], batch: Any) -> Timing:
    """Raw: the same HTML (cover with the page counts our run found, then the letters;
    stylesheet inline, as a standalone document carries it), rendered as one document by
    plain WeasyPrint with its default fetcher, fonts and garbage collection."""
    counts = [len(entry.pages) for entry in batch.letters] if batch else [1] * len(letters)
    sections = [letters_batch._cover_section("benchmark", letters, counts)]
    sections += [letters_markup.letter_section(d, i) for i, d in enumerate(letters)]
    html = letters_markup.document_html(sections, "benchmark", inline_css=True)
    base_url = str(letters_markup.TEMPLATES_DIR) + "/"
    return _timed(lambda: HTML(string=html, base_url=base_url).write_pdf())


class RealPath:
    """The real print path beside the pure render and raw WeasyPrint of the same letters."""

    def __init__(
        self, count: int, processes: int, real: Timing | None, pure: Timing | None,
        raw: Timing | None,
    ) -> None:  # fmt: skip
        self.count, self.processes = count, processes
        self.real, self.pure, self.raw = real, pure, raw

    def report(self) -> None:
        n = self.count
        print(f"\nthe real print path (printing.render_batch), {n} tenant letters from the "
              f"database, {self.processes} process(es) as render_batch picks:")  # fmt: skip
        print(f"{'':30s} {'wall s':>7s} {'letters/s':>10s} {'CPU s':>7s} {'letters/CPU-s':>14s}")
        rows = (
            ("render_batch (real path)", self.real),
            ("render_print_batch (pure)", self.pure),
            ("raw WeasyPrint (1 process)", self.raw),
        )
        for label, timing in rows:
            if timing is None:
                print(f"{label:30s} (failed)")
                continue
            cpu = timing.cpu + timing.children_cpu
            print(f"{label:30s} {timing.wall:7.2f} {n / timing.wall:10.1f} {cpu:7.2f} "
                  f"{n / cpu:14.1f}")  # fmt: skip
        real, pure, raw = self.real, self.pure, self.raw
        if real and pure:
            print(f"ratio real/pure: {real.wall / pure.wall:.2f}x wall, "
                  f"{_cpu(real) / _cpu(pure):.2f}x CPU  (what the database, splitting, "
                  "hashing and writing add)")  # fmt: skip
        if real and raw:
            print(f"ratio real/raw:  {real.wall / raw.wall:.2f}x wall, "
                  f"{_cpu(real) / _cpu(raw):.2f}x CPU")  # fmt: skip


def _cpu(timing: Timing) -> float:
    return timing.cpu + timing.children_cpu


def _real_path(count: int) -> RealPath | None:
    """Time ``printing.render_batch`` on a real batch; None when the set-up fails."""

    def measure() -> RealPath:
        from outreach.reach.letter import batches as printing

        with _district_batch(count) as (rt, batch_id, letters):
            processes = letters_batch.auto_processes(len(letters))
            pure = _attempt(
                "pure render, same letters",
                lambda: _timed(
                    lambda: render_print_batch("benchmark", letters, processes=processes)
                ),
            )

            def run() -> None:
                with rt.session() as session:
                    printing.render_batch(session, rt, batch_id)
                    session.commit()

            real = _attempt("real print path", lambda: _timed(run))
            raw = _attempt(
                "raw WeasyPrint, same letters",
                lambda: _raw(letters, pure.result if pure else None),
            )
            return RealPath(len(letters), processes, real, pure, raw)

    try:
        return measure()
    except Exception:
        print("real print path: FAILED")
        traceback.print_exc()
        return None


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--letters", type=int, default=200)
    parser.add_argument(
        "--processes",
        type=int,
        default=None,
        help="processes for the pool run (default: one per available core, at least 2)",
    )
    args = parser.parse_args()
    ensure_compiled()
    letters = _mixed_batch(args.letters)
    n = len(letters)
    processes = args.processes or max(2, letters_batch.available_cores())
    print(
        f"letters: {n}  cores available: {letters_batch.available_cores()}  "
        f"pool processes: {processes}"
    )
    # Warm-up: fonts, stylesheet and templates are loaded once per process.
    _attempt("warm-up", lambda: _timed(lambda: render_print_batch("warm-up", letters[:4])))

    single = _attempt(
        "ours, one process",
        lambda: _timed(lambda: render_print_batch("benchmark", letters, processes=1)),
    )
    pool = _attempt(
        "ours, process pool",
        lambda: _timed(lambda: render_print_batch("benchmark", letters, processes=processes)),
    )

    raw = _attempt("raw WeasyPrint", lambda: _raw(letters, single.result if single else None))
    real = _real_path(n)

    if single:
        batch = single.result
        pages = batch.letters[-1].pages.stop
        print(f"pages: {pages}  pdf: {len(batch.pdf) / 1e6:.2f} MB")
    print(f"{'':30s} {'wall s':>7s} {'letters/s':>10s} {'CPU s':>7s} {'letters/CPU-s':>14s}")

    def row(label: str, timing: Timing | None, cpu: float | None = None) -> None:
        if timing is None:
            print(f"{label:30s} (failed)")
            return
        cpu = timing.cpu if cpu is None else cpu
        print(f"{label:30s} {timing.wall:7.2f} {n / timing.wall:10.1f} {cpu:7.2f} {n / cpu:14.1f}")

    row("ours, one process", single)
    if pool:
        row(f"ours, {processes} processes", pool, pool.cpu + pool.children_cpu)
        print(f"  pool pdf: {len(pool.result.pdf) / 1e6:.2f} MB (font subsets once per process)")
    row("raw WeasyPrint (1 process)", raw)
    if single and raw:
        print(f"ratio ours/raw, one process:  {single.wall / raw.wall:.2f}x wall, "
              f"{single.cpu / raw.cpu:.2f}x CPU  (goal <= 1.5x)")  # fmt: skip
    if pool and raw:
        print(f"ratio ours/raw, {processes} processes: {pool.wall / raw.wall:.2f}x wall")
    if single:
        per_core = n / single.cpu
        print(f"goal >= 10 letters/s on one core: {'met' if per_core >= 10 else 'NOT met'} "
              f"({per_core:.1f} letters per CPU-second; {n / single.wall:.1f}/s by wall clock "
              "in this run)")  # fmt: skip
    if pool:
        print(f"with {processes} processes: {n / pool.wall:.1f} letters/s by wall clock")
    if real is not None:
        real.report()


if __name__ == "__main__":
    main()
