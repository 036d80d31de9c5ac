"""Uploads kept between a form's re-renders, so a validation error does not lose the PDF.

A browser cannot put a chosen file back into a file input, so the intake form
(issue 5: «upload of the source document stored with the case») used to drop
the bailiff's PDF on any error. The file is kept under
``var/uploads/pending/`` with a random token; the form carries only the token
in a hidden field. A token is bound to the user who uploaded it (another
user's token is unknown) and expires after ``PENDING_TTL``; expired files are
removed on the next save. The kept file is not a case document until the form
succeeds, so nothing about it is on a timeline.
"""

from __future__ import annotations

import json
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from outreach.runtime import Runtime

PENDING_TTL = timedelta(hours=2)
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{32,64}$")


@dataclass
class PendingUpload:
    token: str
    filename: str
    data: bytes


def _dir(rt: Runtime) -> Path:
    return rt.settings.var_dir / "uploads" / "pending"


def _paths(rt: Runtime, token: str) -> tuple[Path, Path]:
    base = _dir(rt)
    return base / f"{token}.pdf", base / f"{token}.json"


def save(rt: Runtime, *, user_id: int, filename: str, data: bytes) -> str:
    """Keep ``data`` (already checked to be a PDF) for ``user_id``; return the token."""
    now = rt.now()
    purge_expired(rt, now)
    token = secrets.token_urlsafe(32)
    pdf, meta = _paths(rt, token)
    pdf.parent.mkdir(parents=True, exist_ok=True)
    pdf.write_bytes(data)
    safe_name = Path(filename or "dokument.pdf").name[:200] or "dokument.pdf"
    meta.write_text(
        json.dumps({"user_id": user_id, "filename": safe_name, "saved_at": now.isoformat()}),
        encoding="utf-8",
    )
    return token


def load(rt: Runtime, token: str | None, *, user_id: int) -> PendingUpload | None:
    """The kept upload, or None if the token is malformed, someone else's or expired."""
    if not token or not _TOKEN.match(token):
        return None
    pdf, meta = _paths(rt, token)
    try:
        info = json.loads(meta.read_text(encoding="utf-8"))
        data = pdf.read_bytes()
    except (OSError, ValueError):
        return None
    if info.get("user_id") != user_id:
        return None
    saved_at = datetime.fromisoformat(info["saved_at"])
    if rt.now() - saved_at > PENDING_TTL:
        discard(rt, token)
        return None
    return PendingUpload(token, str(info.get("filename") or "dokument.pdf"), data)


def discard(rt: Runtime, token: str) -> None:
    if not _TOKEN.match(token):
        return
    for path in _paths(rt, token):
        path.unlink(missing_ok=True)


def purge_expired(rt: Runtime, now: datetime) -> int:
    """Remove kept uploads older than ``PENDING_TTL`` (abandoned forms)."""
    removed = 0
    base = _dir(rt)
    if not base.is_dir():
        return 0
    for meta in base.glob("*.json"):
        try:
            saved_at = datetime.fromisoformat(json.loads(meta.read_text("utf-8"))["saved_at"])
        except (OSError, ValueError, KeyError):
            saved_at = None
        if saved_at is None or now - saved_at > PENDING_TTL:
            meta.unlink(missing_ok=True)
            meta.with_suffix(".pdf").unlink(missing_ok=True)
            removed += 1
    return removed
