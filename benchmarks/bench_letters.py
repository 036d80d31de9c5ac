"""Letters per second through our print-batch path, beside raw WeasyPrint, in one run.

Issue 3: a print batch of 200 mixed-language letters must reach >= 10 letters/s on one
core, and our path should stay within 1.5x of raw WeasyPrint rendering the same HTML as one
document. Both are measured here in the same process so the ratio holds on any machine.
This script only prints; it never fails on a slow machine.

    .venv/bin/python benchmarks/bench_letters.py [--letters 200]
"""

from __future__ import annotations

import argparse
import time

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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--letters", type=int, default=200)
    args = parser.parse_args()
    ensure_compiled()
    letters = _mixed_batch(args.letters)
    render_print_batch("warm-up", letters[:4])  # fonts and templates loaded once per worker

    start = time.perf_counter()
    batch = render_print_batch("benchmark", letters)
    ours = time.perf_counter() - start

    # Raw: the same HTML (stylesheet inline, as a standalone document would carry it),
    # rendered as one document by plain WeasyPrint with its default fetcher and fonts.
    sections = [letters_render.letter_section(d, i) for i, d in enumerate(letters)]
    html = letters_render.document_html(sections, "benchmark", inline_css=True)
    start = time.perf_counter()
    raw_pdf = HTML(string=html, base_url=str(letters_render.TEMPLATES_DIR) + "/").write_pdf()
    raw = time.perf_counter() - start

    pages = batch.letters[-1].pages.stop
    print(f"letters: {len(letters)}  pages: {pages}  pdf: {len(batch.pdf) / 1e6:.1f} MB "
          f"(raw {len(raw_pdf) / 1e6:.1f} MB)")  # fmt: skip
    print(f"ours (print batch): {ours:6.2f} s  {len(letters) / ours:6.1f} letters/s")
    print(f"raw WeasyPrint:     {raw:6.2f} s  {len(letters) / raw:6.1f} letters/s")
    print(f"ratio ours/raw time: {ours / raw:.2f}x  (goal <= 1.5x)")
    print(f"goal >= 10 letters/s: {'met' if len(letters) / ours >= 10 else 'NOT met'}")


if __name__ == "__main__":
    main()
