"""A district's print batch as one PDF: the cover sheet staff check, then the letters.

The cover lists each letter's page count, so it is laid out after the letters. Layout time
grows linearly with the batch, so a large batch is split over processes only to use more
cores: this module decides how many, slices the letters by estimated pages, runs the
slices in ``chunk_worker`` child processes and joins the PDFs.
"""

from __future__ import annotations

import io
import os
import pickle
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from markupsafe import Markup
from pypdf import PdfReader, PdfWriter

from outreach.letters import i18n
from outreach.letters.markup import document_html, html_gettext, jinja_env, validate
from outreach.letters.model import LetterData, LetterPages, PrintBatchPdf
from outreach.letters.pdf import fewer_gc_passes, render_document, render_letters


def _cover_section(
    title: str, letters: Sequence[LetterData], page_counts: Sequence[int], links: bool = True
) -> Markup:
    rows = [
        {
            "index": i,
            "reference": data.reference,
            "postal_code": data.recipient.postal_code,
            "language": data.language if data.audience == "tenant" else "nb",
            "audience": data.audience,
            "pages": count,
        }
        for i, (data, count) in enumerate(zip(letters, page_counts, strict=True))
    ]
    return Markup(  # noqa: S704 - autoescaped template output or a constant
        jinja_env()
        .get_template("letters/cover.html")
        .render(f_=html_gettext("nb", "frame"), title=title, letters=rows, links=links)
    )


def render_print_batch(
    title: str, letters: Sequence[LetterData], *, processes: int | None = None
) -> PrintBatchPdf:
    """A district's print batch: a cover sheet listing the letters, then the letters.

    Staff print it, post it and mark it as posted; the posting time is the "letter sent" time
    that starts the circular's one-week clock. The returned page ranges let each letter be
    cut out and stored on its case (:func:`outreach.letters.split.split_letter`).

    The letters are laid out first, as one document; the cover, which lists each letter's
    page count, is laid out afterwards as a small document of its own with the counts
    filled in (a ``target-counter()`` would make WeasyPrint lay the cover out twice), and
    both go into one PDF in one ``write_pdf`` (fonts subset once).

    ``processes``: how many processes share a large batch (WeasyPrint is single-threaded
    per document). ``None`` picks one per available core, but only for batches of at least
    :data:`LETTERS_PER_PROCESS` letters per process, where the gain outweighs starting a
    process; ``1`` never starts one.
    """
    validate(letters)
    if not letters:
        raise ValueError("no letters in the print batch")
    if processes is None:
        processes = auto_processes(len(letters))
    processes = max(1, min(processes, len(letters)))
    with fewer_gc_passes():
        # The documents die inside the block: the collector's next full pass, once the
        # default thresholds are back, then has little left to scan.
        if processes > 1:
            pdf, offset, ranges = _write_batch_in_processes(title, letters, processes)
        else:
            pdf, offset, ranges = _write_batch(title, letters)
    return PrintBatchPdf(
        pdf=pdf,
        letters=tuple(
            LetterPages(reference=data.reference, pages=range(r.start + offset, r.stop + offset))
            for data, r in zip(letters, ranges, strict=True)
        ),
        cover_pages=range(0, offset),
    )


def _write_batch(title: str, letters: Sequence[LetterData]) -> tuple[bytes, int, list[range]]:
    """The batch PDF, the cover's page count and each letter's pages after the cover."""
    document, ranges = render_letters(letters, title)
    cover = render_document(
        document_html(
            [_cover_section(title, letters, [len(r) for r in ranges])], title, inline_css=False
        )
    )
    pdf = bytes(document.copy(cover.pages + document.pages).write_pdf())
    return pdf, len(cover.pages), ranges


#: A process is only worth starting for this many letters (starting one and loading
#: WeasyPrint and the fonts costs about as much as rendering 15 letters).
LETTERS_PER_PROCESS = 50


def available_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def auto_processes(letter_count: int) -> int:
    """How many processes :func:`render_print_batch` uses by default for a batch."""
    return max(1, min(available_cores(), letter_count // LETTERS_PER_PROCESS))


def _estimated_pages(data: LetterData) -> int:
    return 2 if data.audience == "tenant" and i18n.needs_translation(data.language) else 1


def _chunks(letters: Sequence[LetterData], count: int) -> list[Sequence[LetterData]]:
    """Consecutive slices with about the same number of pages each."""
    weights = [_estimated_pages(data) for data in letters]
    total = sum(weights)
    chunks: list[Sequence[LetterData]] = []
    start = done = 0
    for i, weight in enumerate(weights):
        done += weight
        if len(chunks) < count - 1 and done * count >= total * (len(chunks) + 1):
            chunks.append(letters[start : i + 1])
            start = i + 1
    chunks.append(letters[start:])
    return [chunk for chunk in chunks if chunk]


def render_chunk(title: str, letters: Sequence[LetterData]) -> tuple[bytes, list[int]]:
    """A slice of a batch as its own PDF, and each letter's page count (in a child process)."""
    with fewer_gc_passes():
        document, ranges = render_letters(letters, title)
        return bytes(document.write_pdf()), [len(r) for r in ranges]


def _start_chunk(
    title: str, letters: Sequence[LetterData], folder: Path, number: int
) -> subprocess.Popen[bytes]:
    """Start a ``chunk_worker`` on one slice; files, not pipes, so nothing can block."""
    source, target = folder / f"chunk-{number}.in", folder / f"chunk-{number}.out"
    source.write_bytes(pickle.dumps((title, list(letters)), protocol=pickle.HIGHEST_PROTOCOL))
    with (folder / f"chunk-{number}.err").open("wb") as errors:
        return subprocess.Popen(  # noqa: S603 - our own module, no shell
            [sys.executable, "-m", "outreach.letters.chunk_worker", str(source), str(target)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=errors,
        )


def _finish_chunk(
    process: subprocess.Popen[bytes], folder: Path, number: int
) -> tuple[bytes, list[int]]:
    if process.wait() != 0:
        error = (folder / f"chunk-{number}.err").read_text(errors="replace")
        raise RuntimeError(
            f"letter rendering process failed ({process.returncode}): {error[-2000:]}"
        )
    pdf, counts = pickle.loads((folder / f"chunk-{number}.out").read_bytes())  # noqa: S301 - our own child process
    return pdf, counts


def _write_batch_in_processes(
    title: str, letters: Sequence[LetterData], processes: int
) -> tuple[bytes, int, list[range]]:
    """Like :func:`_write_batch`, the letters split over processes and the PDFs joined.

    This process renders the first slice itself while child processes render the rest
    (``chunk_worker``); the cover and the first slice share one ``write_pdf``, the other
    slices' PDFs are appended with pypdf (each carries its own font subsets). The cover's
    rows are not links here: the letters they would point to are in other documents.
    """
    chunks = _chunks(letters, processes)
    with tempfile.TemporaryDirectory(prefix="outreach-letters-") as tmp:
        folder = Path(tmp)
        children = [_start_chunk(title, chunk, folder, n) for n, chunk in enumerate(chunks[1:])]
        try:
            first, first_ranges = render_letters(chunks[0], title)
            others = [_finish_chunk(child, folder, n) for n, child in enumerate(children)]
        finally:
            for child in children:
                if child.poll() is None:
                    child.kill()
                    child.wait()
    page_counts = [len(r) for r in first_ranges] + [n for _pdf, counts in others for n in counts]
    cover = render_document(
        document_html(
            [_cover_section(title, letters, page_counts, links=False)], title, inline_css=False
        )
    )
    head = bytes(first.copy(cover.pages + first.pages).write_pdf())
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(head)))  # keeps title, /Lang, outline
    for pdf, _counts in others:
        writer.append(PdfReader(io.BytesIO(pdf)))
    out = io.BytesIO()
    writer.write(out)
    ranges: list[range] = []
    start = 0
    for count in page_counts:
        ranges.append(range(start, start + count))
        start += count
    return out.getvalue(), len(cover.pages), ranges
