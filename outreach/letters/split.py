"""One letter's own PDF, cut out of its print batch with pypdf.

A case keeps a copy of the very pages that were printed and posted; the copy gets the
letter's own title and language, not the batch's. Parsing a batch is the cost, so the
parsed reader of the last batches is kept and shared under a lock.
"""

from __future__ import annotations

import io
import threading
from functools import lru_cache
from typing import Any

from pypdf import PdfReader, PdfWriter
from pypdf.generic import NameObject, TextStringObject

from outreach.letters.model import LetterData, LetterPages

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
