"""The personal booking code printed on a tenant letter (issue 4, "Self-booking and replies").

- random, 8 characters from an alphabet without look-alikes (no 0/O, 1/I/L,
  U), printed ``XXXX-XXXX``; about 39 bits, so guessing is hopeless once the
  tries are limited (``inbound.booking.limits``);
- kept only as an HMAC with a key derived from ``OUTREACH_DATA_KEY`` (its own
  derivation label, so a hash here cannot be matched against the national-id
  look-up hashes);
- issued, and the case's earlier code revoked, when a tenant letter is
  rendered: that is the only moment the clear code exists (it goes on paper,
  and into the letter's own PDF). A later rendering of the same letter (the
  email copy whose PDF is gone) runs under :func:`no_new_codes`: it prints no
  code rather than revoke the one on paper;
- valid for six weeks and while the case is open.

A wrong, expired, revoked or closed-case code is the same answer: nothing is
revealed about whether a code ever existed.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import TypedDict
from zoneinfo import ZoneInfo

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from outreach import timeline
from outreach.db import transaction_cache
from outreach.models import Case
from outreach.models.booking import BookingCode
from outreach.runtime import Runtime

OSLO = ZoneInfo("Europe/Oslo")


#: No 0/O, 1/I/L or U: what is printed can be typed back without doubt.
ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"


CODE_LENGTH = 8


#: Long enough for the one-week reminder round and a slow reader; the letter
#: after it brings a new code.
CODE_VALID_FOR = timedelta(weeks=6)


def booking_address(rt: Runtime) -> str:
    """What the letter prints: the public address without its scheme, plus ``/b``."""
    base = rt.settings.public_base_url.strip().rstrip("/")
    return re.sub(r"^[a-z][a-z0-9+.-]*://", "", base, flags=re.IGNORECASE) + "/b"


def normalize_code(text: str) -> str | None:
    """What the tenant typed, as the 8 alphabet characters, or ``None``.

    Spaces and dashes are dropped, letters upper-cased, full-width forms folded
    (NFKC) and digits from any script (an Arabic or Persian phone keyboard types
    ٢ or ۲) read as ASCII digits.
    """
    chars = []
    for ch in unicodedata.normalize("NFKC", text or ""):
        if ch.isspace() or ch in "-‐‑‒–—_.":
            continue
        if unicodedata.category(ch) == "Nd":
            ch = str(unicodedata.digit(ch))
        chars.append(ch.upper())
    code = "".join(chars)
    if len(code) != CODE_LENGTH or any(c not in ALPHABET for c in code):
        return None
    return code


def format_code(code: str) -> str:
    half = CODE_LENGTH // 2
    return f"{code[:half]}-{code[half:]}"


def _code_key(rt: Runtime) -> bytes:
    import base64

    raw = base64.urlsafe_b64decode(rt.settings.data_key.encode("ascii"))
    return hmac.new(raw, b"outreach:booking-code", hashlib.sha256).digest()


def code_hash(rt: Runtime, code: str) -> str:
    return hmac.new(_code_key(rt), code.encode("ascii"), hashlib.sha256).hexdigest()


#: ``session.info`` keys: codes issued in the open transaction, and the flag
#: of :func:`no_new_codes`.
_ISSUED = "booking_codes_issued"


_NO_NEW = "booking_no_new_codes"


@contextmanager
def no_new_codes(session: Session) -> Iterator[None]:
    """Render letters again without issuing (and so revoking) a booking code.

    For a copy of a letter already on paper: the code on paper must keep
    working, and its clear text is kept nowhere, so such a copy goes without.
    """
    before = session.info.get(_NO_NEW)
    session.info[_NO_NEW] = True
    try:
        yield
    finally:
        if before is None:
            session.info.pop(_NO_NEW, None)
        else:
            session.info[_NO_NEW] = before


def issue_code(session: Session, rt: Runtime, case: Case) -> str:
    """A new code for the case, revoking the one before; returns it as printed.

    Two tenant letters for one case in the same rendering (transaction) share
    one code, so the first letter's code is not revoked by the second.
    """
    issued: dict[int, str] = transaction_cache(session, _ISSUED)
    if case.id in issued:
        return issued[case.id]
    now = rt.now()
    session.execute(
        update(BookingCode)
        .where(BookingCode.case_id == case.id, BookingCode.revoked_at.is_(None))
        .values(revoked_at=now, revoked_reason="replaced")
    )
    code = "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))
    row = BookingCode(
        case_id=case.id,
        code_hash=code_hash(rt, code),
        issued_at=now,
        expires_at=now + CODE_VALID_FOR,
    )
    session.add(row)
    session.flush()
    timeline.record(
        session,
        case.id,
        "booking_code_issued",
        now,
        code_id=row.id,
        expires_at=_iso(row.expires_at),
    )
    issued[case.id] = format_code(code)
    return issued[case.id]


class LetterBooking(TypedDict, total=False):
    booking_code: str
    booking_address: str


def letter_booking(session: Session, case: Case, audience: str) -> LetterBooking:
    """``LetterData`` fields for a letter (called by ``printing.letter_data``).

    Only the tenant's letter carries a code; copies to the bailiff, plaintiff
    or landlord never do. Under :func:`no_new_codes` the letter carries only
    a code issued in this same transaction, else none.
    """
    if audience != "tenant":
        return {}
    from outreach import runtime

    rt = runtime.current()
    if session.info.get(_NO_NEW):
        code = transaction_cache(session, _ISSUED).get(case.id)
        return {"booking_code": code, "booking_address": booking_address(rt)} if code else {}
    return {"booking_code": issue_code(session, rt, case), "booking_address": booking_address(rt)}


def _usable(row: BookingCode | None, case_status: str | None, now: datetime) -> bool:
    return (
        row is not None
        and row.revoked_at is None
        and row.expires_at > now
        and case_status not in (None, "closed")
    )


def verify_code(session: Session, rt: Runtime, typed: str) -> BookingCode | None:
    """The active code the tenant typed, or ``None`` – for every kind of wrong."""
    code = normalize_code(typed)
    # Hash even a malformed code, so every wrong answer costs the same work.
    digest = code_hash(rt, code or "-" * CODE_LENGTH)
    row = session.execute(
        select(BookingCode, Case.status)
        .join(Case, Case.id == BookingCode.case_id)
        .where(BookingCode.code_hash == digest)
    ).first()
    now = rt.now()
    found, status = (row[0], row[1]) if row is not None else (None, None)
    if code is None or not _usable(found, status, now):
        return None
    assert found is not None
    found.last_used_at = now
    return found


def active_code(session: Session, rt: Runtime, code_id: int) -> BookingCode | None:
    """A code verified earlier in this browser session, if it is still valid."""
    row = session.get(BookingCode, code_id)
    if row is None:
        return None
    case = session.get(Case, row.case_id)
    return row if _usable(row, case.status if case else None, rt.now()) else None


def _iso(value: datetime) -> str:
    """A time as the booking's events and pages show it: Oslo time, to the minute."""
    return value.astimezone(OSLO).isoformat(timespec="minutes")
