"""SMS segment counting: the table is the specification."""

from __future__ import annotations

import pytest

from channels.segments import GSM7, UCS2, SegmentInfo, count_segments, gsm7_incompatible

CASES: list[tuple[str, str, SegmentInfo]] = [
    ("empty", "", SegmentInfo(GSM7, 0, 0)),
    ("one letter", "a", SegmentInfo(GSM7, 1, 1)),
    ("norwegian letters are gsm-7", "Hei Åse, ønsker du hjelp? Æ", SegmentInfo(GSM7, 1, 27)),
    ("160 gsm fits one", "a" * 160, SegmentInfo(GSM7, 1, 160)),
    ("161 gsm needs two", "a" * 161, SegmentInfo(GSM7, 2, 161)),
    ("306 gsm is two parts of 153", "a" * 306, SegmentInfo(GSM7, 2, 306)),
    ("307 gsm is three", "a" * 307, SegmentInfo(GSM7, 3, 307)),
    ("extension chars count double", "{}[]~\\|^€", SegmentInfo(GSM7, 1, 18)),
    ("euro at the 160 edge", "a" * 158 + "€", SegmentInfo(GSM7, 1, 160)),
    ("euro over the 160 edge", "a" * 159 + "€", SegmentInfo(GSM7, 2, 161)),
    # 152 + escape pair does not fit a 153-septet part: the pair moves on whole.
    ("escape pair never split", "a" * 152 + "€" + "a" * 152, SegmentInfo(GSM7, 3, 306)),
    ("newline and @ are basic", "@\n£$", SegmentInfo(GSM7, 1, 4)),
    ("curly apostrophe forces ucs-2", "Hei, det er NAV’s kontor", SegmentInfo(UCS2, 1, 24)),
    ("70 ucs-2 fits one", "ж" * 70, SegmentInfo(UCS2, 1, 70)),
    ("71 ucs-2 needs two", "ж" * 71, SegmentInfo(UCS2, 2, 71)),
    ("134 ucs-2 is two parts of 67", "ж" * 134, SegmentInfo(UCS2, 2, 134)),
    ("135 ucs-2 is three", "ж" * 135, SegmentInfo(UCS2, 3, 135)),
    ("ukrainian", "Привіт, це NAV", SegmentInfo(UCS2, 1, 14)),
    ("arabic", "مرحبا، هذه رسالة من ناف", SegmentInfo(UCS2, 1, 23)),
    ("tigrinya (ethiopic, bmp)", "ሰላም ናቭ", SegmentInfo(UCS2, 1, 6)),
    ("emoji is a surrogate pair", "Hi 😀", SegmentInfo(UCS2, 1, 5)),
    ("one ucs-2 char spoils a long gsm text", "a" * 100 + "ж", SegmentInfo(UCS2, 2, 101)),
    # 66 + a pair does not fit a 67-unit part: the pair moves on whole.
    ("surrogate pair never split", "ж" * 66 + "😀" + "ж" * 66, SegmentInfo(UCS2, 3, 134)),
    ("arabic beside norwegian", "Hei! " + "مرحبا" * 14, SegmentInfo(UCS2, 2, 75)),
]


@pytest.mark.parametrize(("text", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_count_segments(text: str, expected: SegmentInfo) -> None:
    assert count_segments(text) == expected


def test_incompatible_characters_are_listed_for_template_linting() -> None:
    assert gsm7_incompatible("NAV’s «kontor» – {ok} €") == {"’", "«", "»", "–"}
    assert gsm7_incompatible("Hei Åse, ring oss på 55 55 33 33.") == set()
