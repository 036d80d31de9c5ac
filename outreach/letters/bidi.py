"""How a value sits in a sentence of another direction or script.

A phone number in an Arabic sentence or a Norwegian office name in a Tigrinya one comes out
reordered or split across lines unless it is isolated (TECH-NOTES: bidi); a bokmål part needs
no isolation at all, and every ``<bdi>`` costs layout time. This module owns that choice, the
cheapest markup that keeps each value whole, so the templates never have to know a part's
direction.
"""

from __future__ import annotations

from markupsafe import Markup, escape

from outreach.letters import i18n


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
