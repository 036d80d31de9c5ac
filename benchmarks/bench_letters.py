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

    .venv/bin/python benchmarks/bench_letters.py [--letters 200] [--processes N]
"""

from __future__ import annotations

import argparse
import resource
import time
import traceback
from collections.abc import Callable
from typing import Any

from weasyprint import HTML

from outreach.letters import KINDS, LANGUAGES, ensure_compiled, render_print_batch
from outreach.letters import render as letters_render
from outreach.letters.samples import sample_letter


def _mixed_batch(count: int) -> list:
    # Oslo-like mix: about a third bokmål, the rest spread over the other languages.
    languages = ["nb"] * 9 + list(LANGUAGES[1:])
    return [
        sample_letter(KINDS[i % len(KINDS)], languages[i % len(languages)], number=i)
        for i in range(count)
    ]


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
    processes = args.processes or max(2, letters_render.available_cores())
    print(
        f"letters: {n}  cores available: {letters_render.available_cores()}  "
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

    def raw_run() -> Timing:
        # Raw: the same HTML (cover with the page counts our run found, then the letters;
        # stylesheet inline, as a standalone document carries it), rendered as one document
        # by plain WeasyPrint with its default fetcher, fonts and garbage collection.
        counts = [len(entry.pages) for entry in single.result.letters] if single else [1] * n
        sections = [letters_render._cover_section("benchmark", letters, counts)]
        sections += [letters_render.letter_section(d, i) for i, d in enumerate(letters)]
        html = letters_render.document_html(sections, "benchmark", inline_css=True)
        base_url = str(letters_render.TEMPLATES_DIR) + "/"
        return _timed(lambda: HTML(string=html, base_url=base_url).write_pdf())

    raw = _attempt("raw WeasyPrint", raw_run)

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


if __name__ == "__main__":
    main()
