"""Render letters to HTML and PDF with WeasyPrint, one document per batch.

Rendering one letter per WeasyPrint document costs over a second (font subsetting
dominates); many letters in one document cost well under 0.1 s each (TECH-NOTES "PDF
letters"). So everything here renders *sequences* of letters as one document, reuses one
:class:`FontConfiguration` and one parsed stylesheet, and cuts single letters out of the
batch with pypdf when a case needs its own copy.

Layout cost is per page and per line box, so the templates avoid what makes WeasyPrint lay
a page out more than once (profiled with py-spy, see letter.css): no running elements (a
page with a new one is laid out twice), no ``target-counter()`` in page content (the
footer's page count is a named string, the cover's counts are filled in after the
letters), no float left in the page's exclusion list, fixed table layouts and a fixed
footer width (no min/max-content measuring). Layout time grows linearly with the batch, so
a large batch is split over processes only to use more cores.
"""

from __future__ import annotations

import gc
import io
import os
import pickle
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup, escape
from pypdf import PdfReader, PdfWriter
from pypdf.generic import NameObject, TextStringObject
from weasyprint import CSS, HTML

from outreach.letters import i18n
from outreach.letters.fonts import LocalOnlyFetcher, font_config, font_face_css
from outreach.letters.model import (
    AUDIENCES,
    KINDS,
    LetterData,
    LetterPages,
    MissingContactPerson,
    PrintBatchPdf,
)
from outreach.letters.privacy import privacy_contact
from outreach.vocabulary import LANDLORD_SOURCES

TEMPLATES_DIR = i18n.ROOT / "templates"
CSS_PATH = TEMPLATES_DIR / "letters" / "letter.css"

#: Which copy letter an audience gets (the circular: bailiff for petitions, plaintiff for
#: forced sales, landlord at the caseworker's discretion).
COPY_TEMPLATES: dict[str, str] = {
    "copy_bailiff": "letters/copies/copy_bailiff.html",
    "copy_plaintiff": "letters/copies/copy_plaintiff.html",
    "copy_landlord": "letters/copies/copy_landlord.html",
}

Gettext = Callable[..., Markup]

#: Stand-ins for the page number and page count in the translated footer text, which
#: letter.html splits into the named strings around ``counter(page)`` in the page margin.
PAGE_MARK = Markup("\ue000")
PAGES_MARK = Markup("\ue001")


@cache
def jinja_env() -> Environment:
    return Environment(
        loader=FileSystemLoader(str(TEMPLATES_DIR)),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,
    )


def html_gettext(language: str, domain: str = "messages") -> Gettext:
    """``_()`` for HTML templates: translate, escape, then fill escaped placeholders."""
    trans = i18n.translations(language, domain)

    def gettext(message: str, **values: Any) -> Markup:
        text = escape(trans.gettext(message))
        return text % values if values else text

    return gettext


def ltr(value: str) -> Markup:
    """A phone number, reference, amount or time: left-to-right, isolated, never wrapped.

    In right-to-left text an unisolated ``22 33 44 55`` can come out reordered or split
    across lines; ``<bdi dir="ltr">`` plus ``nowrap`` keeps it whole (TECH-NOTES: bidi).
    """
    return Markup('<bdi dir="ltr" class="nw">{}</bdi>').format(value)


def isolated(value: str, nowrap: bool = False) -> Markup:
    """A name, address or localized date: its own direction, kept apart from the sentence."""
    css = ' class="nw"' if nowrap else ""
    return Markup("<bdi{}>{}</bdi>").format(Markup(css), value)  # noqa: S704 - autoescaped template output or a constant


#: Characters of right-to-left scripts (Hebrew, Arabic, Syriac, Thaana, NKo ... and the
#: presentation forms): a value holding one needs isolating even in a left-to-right part.
_RTL_RANGES = ((0x0590, 0x08FF), (0xFB1D, 0xFDFF), (0xFE70, 0xFEFF))


def _has_rtl(value: str) -> bool:
    return any(lo <= ord(ch) <= hi for ch in value for lo, hi in _RTL_RANGES)


#: Besides letters and digits, what a date, time, amount or phone number may hold for
#: no-break spaces alone to keep it on one line.
_GLUED = frozenset(" \u00a0\u202f.,:+")


def _unbreakable(value: str) -> Markup:
    """``value`` kept on one line, by no-break spaces where they suffice (no element of its
    own); a value with other break opportunities (the hyphen in a booking code) gets a
    ``nowrap`` span."""
    if all(ch.isalnum() or ch in _GLUED for ch in value):
        return escape(value.replace(" ", "\u00a0"))
    return Markup('<span class="nw">{}</span>').format(value)


class Inline:
    """How a part marks up the values put into its sentences.

    A right-to-left part, or one in a script of its own (Ethiopic, Tamil), needs every value
    isolated in a ``<bdi>`` (TECH-NOTES: bidi) and Latin digits in Noto Sans. A
    left-to-right part in Latin or Cyrillic – the bokmål part of every letter and most
    translations – needs neither: a value without right-to-left characters reads the same
    without isolation, and no-break spaces keep a date or phone number on one line. Every
    ``<bdi>`` is an inline box WeasyPrint styles, lays out and draws; leaving them out where
    they change nothing saves about a tenth of a batch's rendering time
    (docs/letters/performance.md).
    """

    def __init__(self, language: str) -> None:
        self.plain = not i18n.is_rtl(language) and language not in i18n.SCRIPT

    def ltr(self, value: str) -> Markup:
        return _unbreakable(value) if self.plain else ltr(value)

    def isolated(self, value: str, nowrap: bool = False) -> Markup:
        if not self.plain or _has_rtl(value):
            return isolated(value, nowrap)
        return _unbreakable(value) if nowrap else escape(value)

    def direction(self, value: str, direction: str = "ltr") -> Markup:
        """Opening hours and the like: a direction of their own in a right-to-left part."""
        if self.plain:
            return escape(value)
        return Markup('<bdi dir="{}">{}</bdi>').format(direction, value)


def opening_hours(text: str, language: str, inline: Inline) -> Markup:
    """The office's opening hours in the part's language, each time range kept whole.

    Districts write them in Norwegian; verbatim, "Mandag–fredag 09:00–15:00" in a
    Tigrinya or Sorani sentence broke across lines and left the tenant the Norwegian day
    names. Days go into the tenant's language (:func:`i18n.opening_hours_parts`), times
    stay ``09:00–15:00`` in a left-to-right, unbreakable isolate. Text of another form is
    printed as written, its time ranges still isolated.
    """
    parts = i18n.opening_hours_parts(text, language)
    if parts is None:
        pieces: list[Markup] = []
        last = 0
        for match in i18n.TIME_RANGE.finditer(text):
            pieces += [escape(text[last : match.start()]), inline.ltr(match.group())]
            last = match.end()
        pieces.append(escape(text[last:]))
        return inline.direction(Markup("").join(pieces))
    out = []
    for days, time, note in parts:
        item = Markup("{} {}").format(inline.isolated(days), inline.ltr(time))
        if note:
            item += Markup(" ") + inline.isolated(note)
        out.append(item)
    return Markup(", ").join(out)


def validate(letters: Sequence[LetterData]) -> None:
    """Check every letter before any is rendered: a batch never half-renders."""
    for data in letters:
        if data.contact is None or not data.contact.name.strip() or not data.contact.phone.strip():
            raise MissingContactPerson(
                f"letter {data.reference}: no contact person with name and phone; the circular "
                "requires both in every letter"
            )
        if data.kind not in KINDS:
            raise ValueError(f"letter {data.reference}: unknown kind {data.kind!r}")
        if data.audience not in AUDIENCES:
            raise ValueError(f"letter {data.reference}: unknown audience {data.audience!r}")
        if data.language not in i18n.LANGUAGES:
            raise ValueError(f"letter {data.reference}: unsupported language {data.language!r}")


def _tenant_part(data: LetterData, language: str, is_translation: bool) -> Markup:
    assert data.contact is not None  # checked by validate()
    office = data.office
    appointment = data.appointment
    inline = Inline(language)
    context: dict[str, Any] = {
        "_": html_gettext(language),
        "lang": language,
        "direction": "rtl" if i18n.is_rtl(language) else "ltr",
        "script_class": f"script-{i18n.SCRIPT[language]}" if language in i18n.SCRIPT else "",
        "is_translation": is_translation,
        "received_on": inline.isolated(i18n.fmt_date(data.received_on, language), nowrap=True),
        "source": inline.isolated(data.source_name),
        # The landlord (petition) or plaintiff (forced sale) the notice names, if known.
        "counterpart": inline.isolated(data.counterpart_name) if data.counterpart_name else None,
        "amount": inline.ltr(i18n.fmt_amount(data.arrears_amount, language))
        if data.arrears_amount is not None
        else None,
        "eviction_date": inline.isolated(i18n.fmt_date(data.eviction_date, language), nowrap=True)
        if data.eviction_date
        else None,
        "appointment": appointment,
        "office_address": inline.isolated(f"{office.street}, {office.postal_code} {office.city}"),
        "opening_hours": opening_hours(office.opening_hours, language, inline),
        "office_name": inline.isolated(office.name),
        "contact_name": inline.isolated(data.contact.name),
        "contact_phone": inline.ltr(data.contact.phone),
        "booking_code": inline.ltr(data.booking_code) if data.booking_code else None,
        "booking_address": inline.ltr(data.booking_address or ""),
        # GDPR article 14(1)(b): the district's data protection officer (privacy.py).
        "privacy_contact": inline.ltr(contact)
        if (contact := privacy_contact(office.district_code))
        else None,
    }
    if appointment is not None:
        context["appt_date"] = inline.isolated(
            i18n.fmt_weekday_date(appointment.starts_at, language), nowrap=True
        )
        context["appt_time"] = inline.ltr(i18n.fmt_time(appointment.starts_at, language))
        context["appt_place"] = inline.isolated(appointment.place)
    template = jinja_env().get_template(f"letters/tenant/{data.kind}.html")
    return Markup(template.render(context))  # noqa: S704 - autoescaped template output or a constant


def _copy_part(data: LetterData) -> Markup:
    assert data.contact is not None
    template = jinja_env().get_template(COPY_TEMPLATES[data.audience])
    return Markup(  # noqa: S704 - autoescaped template output or a constant
        template.render(
            f_=html_gettext("nb", "frame"),
            received_on=i18n.fmt_date(data.received_on, "nb"),
            tenant=data.tenant_name,
            contact_name=data.contact.name,
            contact_phone=ltr(data.contact.phone),
            office_name=data.office.name,
            # The copy to the landlord: did the landlord send the notice themselves?
            from_recipient=data.source_type in LANDLORD_SOURCES,
            source=data.source_name,
        )
    )


def preview_banner(data: LetterData) -> str:
    """The preview's banner: not a sent letter, and the review status of its catalog.

    Issue 3: unreviewed catalogs are usable, but the letter preview says so. Real
    letters never carry it (``render_print_batch`` passes no banner).
    """
    f_ = html_gettext("nb", "frame")
    language = data.language if data.audience == "tenant" else "nb"
    return str(
        f_(
            "Preview, not a letter that was sent. Translation (%(language)s): %(status)s",
            language=i18n.language_name(language),
            status=i18n.catalog_status(language),
        )
    )


def letter_section(data: LetterData, index: int, banner: str | None = None) -> Markup:
    """One letter as a ``<section>``: the Norwegian frame around its body parts."""
    assert data.contact is not None
    f_ = html_gettext("nb", "frame")
    tenant_letter = data.audience == "tenant"
    bilingual = tenant_letter and i18n.needs_translation(data.language)
    if tenant_letter:
        parts = [_tenant_part(data, "nb", is_translation=False)]
        if bilingual:
            parts.append(_tenant_part(data, data.language, is_translation=True))
    else:
        parts = [_copy_part(data)]
    notice = None
    if bilingual:
        notice = Markup(  # noqa: S704 - autoescaped template output or a constant
            jinja_env()
            .get_template("letters/tenant/_notice.html")
            .render(_=html_gettext(data.language))
            .strip()
        )
    lang = data.language
    return Markup(  # noqa: S704 - autoescaped template output or a constant
        jinja_env()
        .get_template("letters/letter.html")
        .render(
            f_=f_,
            index=index,
            page_name="la" if index % 2 == 0 else "lb",
            bookmark=data.reference.replace("'", ""),
            office=data.office,
            recipient=data.recipient,
            reference=data.reference,
            source_reference=data.source_reference,
            letter_date=i18n.fmt_date(data.letter_date, "nb"),
            contact=data.contact,
            audience=data.audience,
            parts=parts,
            page_mark=PAGE_MARK,
            pages_mark=PAGES_MARK,
            translation_notice=notice,
            language=lang,
            direction="rtl" if i18n.is_rtl(lang) else "ltr",
            notice_class=f"script-{i18n.SCRIPT[lang]}" if lang in i18n.SCRIPT else "",
            banner=banner,
        )
    )


@cache
def _css_text() -> str:
    return CSS_PATH.read_text(encoding="utf-8")


@cache
def stylesheet() -> CSS:
    """The parsed stylesheet with the @font-face rules, parsed once per process."""
    return CSS(
        string=font_face_css() + "\n" + _css_text(),
        font_config=font_config(),
        url_fetcher=LocalOnlyFetcher(),
        base_url=str(TEMPLATES_DIR) + "/",
    )


def document_html(
    sections: Sequence[Markup], title: str, lang: str = "nb", inline_css: bool = True
) -> str:
    return (
        jinja_env()
        .get_template("letters/document.html")
        .render(
            sections=sections,
            title=title,
            lang=lang,
            inline_css=inline_css,
            font_css=Markup(font_face_css()),  # noqa: S704 - autoescaped template output or a constant
            css=Markup(_css_text()),  # noqa: S704 - autoescaped template output or a constant
        )
    )


def _title(letters: Sequence[LetterData]) -> str:
    if len(letters) == 1:
        return f"NAV {letters[0].office.name} – {letters[0].reference}".replace("NAV NAV ", "NAV ")
    return f"NAV – {len(letters)}"


def render_letter_html(data: LetterData) -> str:
    """One letter as a self-contained HTML document (preview, staff UI, email body)."""
    validate([data])
    return document_html([letter_section(data, 0)], _title([data]))


_GC_LOCK = threading.Lock()
_GC_DEPTH = 0
_GC_SAVED: tuple[int, int, int] = gc.get_threshold()


@contextmanager
def _fewer_gc_passes() -> Iterator[None]:
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


def _render(html: str) -> Any:
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


def _render_letters(
    letters: Sequence[LetterData], title: str, *, preview: bool = False
) -> tuple[Any, list[range]]:
    """Lay out letters as one document; each letter's page range in it."""
    sections = [
        letter_section(data, i, preview_banner(data) if preview else None)
        for i, data in enumerate(letters)
    ]
    document = _render(document_html(sections, title, inline_css=False))
    return document, _letter_ranges(document, len(letters))


def render_pdf(letters: Sequence[LetterData], *, preview: bool = False) -> bytes:
    """Many letters as one PDF, each starting on a new page and numbering its own pages.

    ``preview``: a sample for translators and staff, with the catalog's review status
    in a banner on each letter (:func:`preview_banner`).
    """
    validate(letters)
    if not letters:
        raise ValueError("no letters to render")
    with _fewer_gc_passes():
        return _write_letters(letters, preview)


def _write_letters(letters: Sequence[LetterData], preview: bool = False) -> bytes:
    document, _ranges = _render_letters(letters, _title(letters), preview=preview)
    return bytes(document.write_pdf())


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
    cut out and stored on its case (:func:`split_letter`).

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
    with _fewer_gc_passes():
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
    document, ranges = _render_letters(letters, title)
    cover = _render(
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
    with _fewer_gc_passes():
        document, ranges = _render_letters(letters, title)
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
            first, first_ranges = _render_letters(chunks[0], title)
            others = [_finish_chunk(child, folder, n) for n, child in enumerate(children)]
        finally:
            for child in children:
                if child.poll() is None:
                    child.kill()
                    child.wait()
    page_counts = [len(r) for r in first_ranges] + [n for _pdf, counts in others for n in counts]
    cover = _render(
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


_SPLIT_LOCK = threading.Lock()


@lru_cache(maxsize=2)
def _batch_reader(batch_pdf: bytes) -> PdfReader:
    # Parsing a 300-page batch costs ~0.2 s; printing splits every letter out of the same one.
    return PdfReader(io.BytesIO(batch_pdf))


def letter_title(data: LetterData) -> str:
    """A letter's own PDF title: office, kind of letter and reference (not the batch's)."""
    what = "Kopi" if data.audience != "tenant" else "Brev"
    office = data.office.name if data.office.name.startswith("NAV") else f"NAV {data.office.name}"
    return f"{office} – {what} {data.reference}"


def split_letter(
    batch_pdf: bytes, page_range: range | LetterPages, *, data: LetterData | None = None
) -> bytes:
    """Cut one letter's own PDF out of a batch (0-based page indexes).

    With ``data`` the letter gets its own title (not "Utskrift 030101 …", the batch's)
    and its document language: bokmål, the authoritative text every letter starts with
    (the translated part carries its own ``lang`` in the HTML it came from).
    """
    pages = page_range.pages if isinstance(page_range, LetterPages) else page_range
    with _SPLIT_LOCK:  # one parsed reader, shared: pypdf readers are not thread-safe
        reader = _batch_reader(batch_pdf)
        writer = PdfWriter()
        for index in pages:
            writer.add_page(reader.pages[index])
        if data is not None:
            writer.add_metadata({"/Title": letter_title(data)})
        elif reader.metadata:
            writer.add_metadata({k: v for k, v in reader.metadata.items() if k in ("/Title",)})
        root: Any = reader.trailer["/Root"]
        lang = root.get("/Lang") if data is None else TextStringObject("nb")
        if lang is not None:
            writer._root_object[NameObject("/Lang")] = lang
        out = io.BytesIO()
        writer.write(out)
    return out.getvalue()
