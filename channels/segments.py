"""How many SMS segments a text costs, and in which encoding.

The issue asks us to record the segment count, because it is what the
provider bills and what the pacing limit counts (a long code sends about one
*segment* per second). A Norwegian text fits GSM-7 (æ, ø, å are in its basic
table); one Arabic, Tigrinya or Ukrainian letter, an emoji or a typographic
quote switches the whole message to UCS-2, which more than halves its room.

Counting follows 3GPP TS 23.038 / 23.040:

* GSM-7: 160 septets in a single SMS, 153 per part once it is split (the user
  data header takes 7). Characters of the extension table (``{ } [ ] ~ \\ | ^ €``
  and form feed) cost two septets, an escape plus the character.
* UCS-2: 70 UTF-16 code units alone, 67 per part. Characters outside the
  Basic Multilingual Plane (most emoji) are a surrogate pair: two units.

Segments are packed greedily and an escape pair or a surrogate pair is never
split between two parts, as handsets and carriers do not split them. That can
cost one segment more than ``ceil(units / 153)``; we prefer to over-count
(pacing stays safe) rather than under-count.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

GSM7: Final = "GSM-7"
UCS2: Final = "UCS-2"

# 3GPP TS 23.038 default alphabet, in table order (0x1B, the escape, left out:
# it is not a character anyone writes).
_GSM7_BASIC: Final = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ"
    " !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§"
    "¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
# The extension table: each costs an escape septet plus itself.
_GSM7_EXTENSION: Final = frozenset("\f^{}\\[~]|€")

# Single-part capacity and per-part capacity once split (the 6-7 octet user
# data header for concatenation eats the difference).
GSM7_SINGLE: Final = 160
GSM7_PART: Final = 153
UCS2_SINGLE: Final = 70
UCS2_PART: Final = 67


@dataclass(frozen=True)
class SegmentInfo:
    """``units`` are septets for GSM-7 and UTF-16 code units for UCS-2."""

    encoding: str
    segments: int
    units: int


def gsm7_incompatible(text: str) -> set[str]:
    """Characters that force UCS-2; templates can lint themselves with it.

    A single curly apostrophe or « » in a Norwegian template halves the room
    for every message rendered from it, so it is worth catching in tests.
    """
    return {ch for ch in text if ch not in _GSM7_BASIC and ch not in _GSM7_EXTENSION}


def _char_units(text: str) -> tuple[str, list[int]]:
    if all(ch in _GSM7_BASIC or ch in _GSM7_EXTENSION for ch in text):
        return GSM7, [2 if ch in _GSM7_EXTENSION else 1 for ch in text]
    # UTF-16: code points above the BMP are a surrogate pair.
    return UCS2, [2 if ord(ch) > 0xFFFF else 1 for ch in text]


def _pack(units: list[int], part: int) -> int:
    """Greedy packing that never splits an escape or surrogate pair."""
    segments, used = 1, 0
    for width in units:
        if used + width > part:
            segments += 1
            used = 0
        used += width
    return segments


def count_segments(text: str) -> SegmentInfo:
    """Encoding, segment count and size of ``text`` as an SMS.

    An empty text is 0 segments: there is nothing to send (the channel refuses
    it before counting matters).
    """
    encoding, units = _char_units(text)
    total = sum(units)
    if total == 0:
        return SegmentInfo(encoding, 0, 0)
    single, part = (GSM7_SINGLE, GSM7_PART) if encoding == GSM7 else (UCS2_SINGLE, UCS2_PART)
    segments = 1 if total <= single else _pack(units, part)
    return SegmentInfo(encoding, segments, total)
