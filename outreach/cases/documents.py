"""Documents staff attach to a case (the bailiff's petition as a PDF).

Only a plain PDF is kept, under the var directory; the event carries ids and a
hash, never the file's content.
"""

from __future__ import annotations

import hashlib
import io
import uuid
import warnings
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from outreach import timeline
from outreach.cases.errors import CaseActionError
from outreach.models import Case, User
from outreach.models.staff import CaseDocument
from outreach.runtime import Runtime

# A bailiff's petition is a few pages; scans of many pages stay well below this.
MAX_UPLOAD_BYTES = 10 * 1024 * 1024


# Active content a petition never needs (issue 13, item 12): scripts, actions
# run on opening or on events, programs launched, files embedded in the PDF.
# A dictionary holding one of these keys, or an action of one of these types,
# refuses the upload; plain links (/URI) and page jumps (/GoTo) are fine.
ACTIVE_KEYS = frozenset(
    {
        "/JS",
        "/JavaScript",
        "/AA",
        "/Launch",
        "/EmbeddedFile",
        "/EmbeddedFiles",
        "/RichMedia",
        "/XFA",
    }
)
ACTIVE_ACTIONS = frozenset(
    {"/JavaScript", "/Launch", "/ImportData", "/SubmitForm", "/GoToE", "/RichMediaExecute"}
)


def check_pdf(data: bytes) -> str | None:
    """None if ``data`` is a readable, passive PDF within the size limit, else the reason:
    ``too_large``, ``not_pdf`` or ``active_content``."""
    if len(data) > MAX_UPLOAD_BYTES:
        return "too_large"
    if not data.startswith(b"%PDF-"):
        return "not_pdf"
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            reader = PdfReader(io.BytesIO(data))
            pages = len(reader.pages)
            active = _has_active_content(reader.trailer)
    except (PyPdfError, ValueError, KeyError, TypeError, OSError, RecursionError):
        return "not_pdf"
    if pages == 0:
        return "not_pdf"
    return "active_content" if active else None


def _has_active_content(root: Any) -> bool:
    """Walk every object reachable from the trailer (each once) looking for ``ACTIVE_*``.

    pypdf decodes names (``/J#61vaScript`` is ``/JavaScript``) and objects in
    compressed object streams, so neither hides a script from this walk.
    """
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

    seen: set[tuple[int, int]] = set()
    stack = [root]
    while stack:
        item = stack.pop()
        if isinstance(item, IndirectObject):
            ref = (item.idnum, item.generation)
            if ref in seen:
                continue
            seen.add(ref)
            item = item.get_object()
        if isinstance(item, DictionaryObject):
            if ACTIVE_KEYS & set(item.keys()) or item.get("/S") in ACTIVE_ACTIONS:
                return True
            stack.extend(item.values())
        elif isinstance(item, ArrayObject):
            stack.extend(item)
    return False


def add_document(
    session: Session,
    rt: Runtime,
    case: Case,
    *,
    filename: str,
    data: bytes,
    actor: User,
    trigger_id: int | None = None,
) -> CaseDocument:
    problem = check_pdf(data)
    if problem is not None:
        raise CaseActionError(problem, "document")
    now = rt.now()
    digest = hashlib.sha256(data).hexdigest()
    relative = Path("uploads") / str(case.id) / f"{uuid.uuid4().hex}.pdf"
    target = rt.settings.var_dir / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    safe_name = Path(filename or "dokument.pdf").name[:200] or "dokument.pdf"
    document = CaseDocument(
        case_id=case.id,
        trigger_id=trigger_id,
        filename=safe_name,
        stored_path=str(relative),
        content_type="application/pdf",
        size=len(data),
        sha256=digest,
        uploaded_by=actor.id,
        uploaded_at=now,
    )
    session.add(document)
    session.flush()
    timeline.record(
        session,
        case.id,
        "document_added",
        now,
        actor=actor.username,
        document_id=document.id,
        trigger_id=trigger_id,
    )
    return document


def document_path(rt: Runtime, document: CaseDocument) -> Path:
    path = (rt.settings.var_dir / document.stored_path).resolve()
    if not path.is_relative_to(rt.settings.var_dir.resolve()):
        raise FileNotFoundError(document.stored_path)
    return path
