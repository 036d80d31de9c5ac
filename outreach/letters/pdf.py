"""HTML to PDF with WeasyPrint: one stylesheet, one font configuration, one document per batch.

Rendering one letter per WeasyPrint document costs over a second (font subsetting
dominates); many letters in one document cost well under 0.1 s each (TECH-NOTES "PDF
letters"). So letters are laid out as *sequences* in one document, with one
:class:`FontConfiguration` and one parsed stylesheet per process, and the collector kept
quiet while WeasyPrint builds its box tree.

Layout cost is per page and per line box, so the templates avoid what makes WeasyPrint lay
a page out more than once (profiled with py-spy, see letter.css): no running elements (a
page with a new one is laid out twice), no ``target-counter()`` in page content (the
footer's page count is a named string, the cover's counts are filled in after the
letters), no float left in the page's exclusion list, fixed table layouts and a fixed
footer width (no min/max-content measuring).
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import cache
from typing import Any

from weasyprint import CSS, HTML

from outreach.letters.fonts import LocalOnlyFetcher, font_config, font_face_css
from outreach.letters.markup import (
    TEMPLATES_DIR,
    css_text,
    document_html,
    document_title,
    letter_section,
    preview_banner,
    validate,
)
from outreach.letters.model import LetterData


@cache
def stylesheet() -> CSS:
    """The parsed stylesheet with the @font-face rules, parsed once per process."""
    return CSS(
        string=font_face_css() + "\n" + css_text(),
        font_config=font_config(),
        url_fetcher=LocalOnlyFetcher(),
        base_url=str(TEMPLATES_DIR) + "/",
    )


_GC_LOCK = threading.Lock()
_GC_DEPTH = 0
_GC_SAVED: tuple[int, int, int] = gc.get_threshold()


@contextmanager
def fewer_gc_passes() -> Iterator[None]:
    """Let CPython's cyclic GC run rarely while WeasyPrint builds and draws a document.

    A batch's box tree is millions of long-lived objects; with the default thresholds the
    collector rescans them over and over (about 15 % of a batch's time, py-spy). Nothing is
    switched off: the thresholds are raised for the duration, then restored (nesting and
    threads share one counter so the defaults always come back).
    """
    global _GC_DEPTH, _GC_SAVED
    with _GC_LOCK:
        if _GC_DEPTH == 0:
            _GC_SAVED = gc.get_threshold()
            gc.set_threshold(100_000, 50, 100)
        _GC_DEPTH += 1
    try:
        yield
    finally:
        with _GC_LOCK:
            _GC_DEPTH -= 1
            if _GC_DEPTH == 0:
                gc.set_threshold(*_GC_SAVED)


def render_document(html: str) -> Any:
    """Lay out one HTML document with the letters' stylesheet and fonts (WeasyPrint's own
    ``Document``: its pages can be joined with another's before one ``write_pdf``)."""
    return HTML(
        string=html, base_url=str(TEMPLATES_DIR) + "/", url_fetcher=LocalOnlyFetcher()
    ).render(stylesheets=[stylesheet()], font_config=font_config())


def _letter_ranges(document: Any, count: int) -> list[range]:
    starts: dict[int, int] = {}
    for page_index, page in enumerate(document.pages):
        for anchor in page.anchors:
            if anchor.startswith("letter-"):
                starts.setdefault(int(anchor.removeprefix("letter-")), page_index)
    bounds = [starts[i] for i in range(count)] + [len(document.pages)]
    return [range(bounds[i], bounds[i + 1]) for i in range(count)]


def render_letters(
    letters: Sequence[LetterData], title: str, *, preview: bool = False
) -> tuple[Any, list[range]]:
    """Lay out letters as one document; each letter's page range in it."""
    sections = [
        letter_section(data, i, preview_banner(data) if preview else None)
        for i, data in enumerate(letters)
    ]
    document = render_document(document_html(sections, title, inline_css=False))
    return document, _letter_ranges(document, len(letters))


def render_pdf(letters: Sequence[LetterData], *, preview: bool = False) -> bytes:
    """Many letters as one PDF, each starting on a new page and numbering its own pages.

    ``preview``: a sample for translators and staff, with the catalog's review status
    in a banner on each letter (:func:`preview_banner`).
    """
    validate(letters)
    if not letters:
        raise ValueError("no letters to render")
    with fewer_gc_passes():
        return _write_letters(letters, preview)


def _write_letters(letters: Sequence[LetterData], preview: bool = False) -> bytes:
    document, _ranges = render_letters(letters, document_title(letters), preview=preview)
    return bytes(document.write_pdf())
