"""The one check every tenant-facing text passes: no placeholder is filled with nothing.

Letters, SMS and e-mails are written from gettext messages with named slots
(``call %(phone)s``). A slot filled with an empty value still renders – "... ring ." –
and reaches a tenant who then has no number to call (issue 12, item 6). Every renderer
fills its messages through :func:`fill`, so an empty slot stops the text before it is
sent, with an error that names the slot and the language, whatever the channel.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, TypeVar, cast

# Markup tags around a value (``<bdi dir="ltr">…</bdi>``) and the invisible
# direction marks and isolates: a value made only of these shows as nothing.
_TAGS = re.compile(r"<[^>]*>")
_INVISIBLE = dict.fromkeys(map(ord, "\u200e\u200f\u2066\u2067\u2068\u2069\u202a\u202b\u202c"))

Text = TypeVar("Text", bound=str)


class EmptySlot(ValueError):
    """A text would go out with an empty placeholder; nothing is rendered or sent."""

    def __init__(self, slot: str, message: str, language: str) -> None:
        self.slot = slot
        self.language = language
        super().__init__(
            f"refusing to render a text with an empty {slot!r} slot "
            f"(language {language}): {message[:80]!r}"
        )


def is_blank(value: Any) -> bool:
    """Nothing a reader could see: None, or only whitespace, tags and direction marks."""
    if value is None:
        return True
    text = _TAGS.sub("", str(value)).translate(_INVISIBLE)
    return not text.strip()


def fill(message: Text, values: Mapping[str, Any], language: str) -> Text:
    """``message % values``, refusing any value that would show as nothing."""
    for slot, value in values.items():
        if is_blank(value):
            raise EmptySlot(slot, str(message), language)
    # Markup % values escapes each value and stays Markup; str stays str.
    return cast(Text, message % values)
