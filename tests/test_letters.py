"""Letters: every kind in every language, content required by the circular, PDF form.

All letters render in ONE WeasyPrint document (module fixture): one document per letter
would cost over a second each (TECH-NOTES "PDF letters").
"""

from __future__ import annotations

import io
import re
import unicodedata
from dataclasses import replace

import pytest
from pypdf import PdfReader

from outreach.letters import (
    KINDS,
    LANGUAGES,
    ContactPerson,
    MissingContactPerson,
    ensure_compiled,
    i18n,
    render_letter_html,
    render_pdf,
    render_print_batch,
    split_letter,
)
from outreach.letters.fonts import LocalOnlyFetcher
from outreach.letters.samples import sample_letter

PHONE = "+47 987 65 432"
HELP = (
    "NAV social services can give you advice, guidance and other help, for example with rent "
    "arrears, debt, your finances or finding somewhere to live."
)
OFFER = "You can come to our office without an appointment: %(address)s. Opening hours: %(hours)s."
COPIES = ("copy_bailiff", "copy_plaintiff", "copy_landlord")

_INVISIBLE = re.compile(r"[\u200b-\u200f\u2066-\u2069\u202a-\u202e\u00ad]")

#: Scripts whose ligatures pypdf maps back to text only in part (Nastaliq Urdu, Sorani's
#: Naskh ligatures, Tamil conjuncts): the word check is looser there; see the PNG renderings.
EXTRACTION_PARTIAL = frozenset({"ur", "ckb", "ta"})


def normalise(text: str) -> str:
    """Compare text across extraction quirks: NFKC (Arabic presentation forms), no spaces."""
    text = unicodedata.normalize("NFKC", text)
    return re.sub(r"\s+", "", _INVISIBLE.sub("", text))


def pages_text(pdf: bytes, pages: range) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return "\n".join(reader.pages[i].extract_text() for i in pages)


def word_hits(expected: str, extracted_normalised: str) -> float:
    words = [w for w in re.findall(r"\w+", expected) if len(w) >= 3]
    hits = sum(
        1 for w in words if normalise(w) in extracted_normalised
        or normalise(w)[::-1] in extracted_normalised
    )  # fmt: skip
    return hits / len(words) if words else 1.0


@pytest.fixture(scope="module")
def batch():
    ensure_compiled()
    letters = [
        sample_letter(kind, lang, number=n)
        for n, (kind, lang) in enumerate((k, lang) for k in KINDS for lang in LANGUAGES)
    ]
    copies = [
        sample_letter(kind, "ar", audience, number=900 + i)
        for i, (kind, audience) in enumerate(
            zip(
                ("eviction_petition", "forced_sale_notice", "unpaid_rent_warning"),
                COPIES,
                strict=True,
            )
        )
    ]
    letters += copies
    result = render_print_batch("Gamle Oslo 2026-11-20", letters)
    reader = PdfReader(io.BytesIO(result.pdf))
    page_texts = [page.extract_text() for page in reader.pages]
    texts = ["\n".join(page_texts[i] for i in entry.pages) for entry in result.letters]
    return letters, result, texts


def test_every_kind_in_every_language_gets_its_own_pages(batch):
    letters, result, _texts = batch
    assert len(result.letters) == len(letters) == len(KINDS) * len(LANGUAGES) + 3
    reader = PdfReader(io.BytesIO(result.pdf))
    assert result.cover_pages == range(0, result.letters[0].pages.start)
    previous_end = result.cover_pages.stop
    for entry, data in zip(result.letters, letters, strict=True):
        assert entry.reference == data.reference
        assert entry.pages.start == previous_end and len(entry.pages) >= 1
        previous_end = entry.pages.stop
    assert previous_end == len(reader.pages)


def test_page_numbers_count_within_each_letter(batch):
    _, result, texts = batch
    entry = result.letters[1]  # bilingual nn letter: two pages
    text = normalise(texts[1])
    total = len(entry.pages)
    for page in range(1, total + 1):
        assert normalise(f"Side {page} av {total}") in text


@pytest.mark.parametrize("index", range(len(KINDS) * len(LANGUAGES)))
def test_required_content_in_both_languages(batch, index):
    letters, result, texts = batch
    data, _entry = letters[index], result.letters[index]
    text = normalise(texts[index])
    # Contact person and direct phone: in the frame, the Norwegian part and the translation.
    assert text.count(normalise(data.contact.name)) >= (3 if data.language != "nb" else 2)
    assert text.count(normalise(PHONE)) >= (3 if data.language != "nb" else 2)
    # What was received, from whom, when (Babel-formatted Norwegian date).
    assert normalise(data.source_name) in text
    assert normalise("18. november 2026") in text
    assert normalise(data.reference) in text
    # Help offer and walk-in offer, in bokmål and in the tenant's language.
    threshold = 0.3 if data.language in EXTRACTION_PARTIAL else 0.9
    for lang in {"nb", data.language}:
        trans = i18n.translations(lang)
        assert word_hits(trans.gettext(HELP), text) >= threshold, lang
        if lang not in EXTRACTION_PARTIAL:
            offer = trans.gettext(OFFER) % {"address": "", "hours": ""}
            assert word_hits(offer, text) >= threshold, lang
    # The walk-in offer's address and opening hours, once per language part.
    parts = 2 if data.language != "nb" else 1
    assert text.count(normalise("Tøyengata 2, 0190 Oslo")) >= parts
    assert text.count(normalise("09:00–15:00")) >= parts
    if data.arrears_amount is not None:
        assert normalise("kr 12 500") in text


def test_rtl_letters_keep_phone_numbers_whole(batch):
    letters, _result, texts = batch
    for data, raw_text in zip(letters, texts, strict=True):
        if data.language in i18n.RTL_LANGUAGES and data.audience == "tenant":
            raw = re.sub(r"[\u200e\u200f\u2066-\u2069]", "", raw_text)
            assert re.sub(r"\s+", " ", raw).count(PHONE) >= 3, data.language


def test_copies_reveal_nothing_about_the_tenant(batch):
    letters, result, texts = batch
    for data, entry, text in zip(letters, result.letters, texts, strict=True):
        if data.audience == "tenant":
            continue
        assert data.tenant_name in text and "taushetsplikt" in text
        # Norwegian only, one short letter, no offer of help, no amounts.
        assert len(entry.pages) == 1
        for word in ("klient", "sosialhjelp", "12 500", "gjelden", "time", "Sted:"):
            assert word not in text, (data.audience, word)


def test_missing_contact_person_raises_before_rendering():
    ensure_compiled()
    good = sample_letter("unpaid_rent_warning", "pl")
    bad = replace(good, reference="OUT-2026-000999", contact=None)
    with pytest.raises(MissingContactPerson, match="OUT-2026-000999"):
        render_pdf([good, bad])
    with pytest.raises(MissingContactPerson):
        render_letter_html(replace(good, contact=ContactPerson(name="Kari", phone=" ")))
    with pytest.raises(MissingContactPerson):
        render_print_batch("x", [bad])


def test_html_is_bilingual_rtl_and_isolates_numbers():
    ensure_compiled()
    html = render_letter_html(sample_letter("eviction_petition", "ar"))
    assert '<html lang="nb">' in html
    assert 'lang="ar" dir="rtl"' in html
    assert f'<bdi dir="ltr" class="nw">{PHONE}</bdi>' in html
    assert "@font-face" in html and "http" not in html.split("<body>")[0]


def test_split_letter_and_pdf_metadata(batch):
    _, result, _texts = batch
    entry = result.letters[7]
    single = PdfReader(io.BytesIO(split_letter(result.pdf, entry.pages)))
    assert len(single.pages) == len(entry.pages)
    assert single.trailer["/Root"]["/Lang"] == "nb"
    whole = PdfReader(io.BytesIO(render_pdf([sample_letter("lacks_capacity", "ti")])))
    assert whole.metadata.title == "NAV Gamle Oslo – OUT-2026-000123"
    assert whole.trailer["/Root"]["/Lang"] == "nb"
    box = whole.pages[0].mediabox
    assert (round(float(box.width) * 25.4 / 72), round(float(box.height) * 25.4 / 72)) == (210, 297)


def test_fetcher_refuses_network_and_foreign_files():
    fetcher = LocalOnlyFetcher()
    for url in ("https://example.org/x.css", "http://127.0.0.1/", "file:///etc/passwd"):
        with pytest.raises(ValueError, match="refusing"):
            fetcher.fetch(url)


def test_unknown_language_or_kind_is_refused():
    with pytest.raises(ValueError, match="language"):
        render_letter_html(sample_letter("eviction_petition", "xx"))
    with pytest.raises(ValueError, match="kind"):
        render_letter_html(replace(sample_letter(), kind="eviction"))


def test_catalog_status_is_recorded_for_every_language():
    for lang in LANGUAGES:
        assert "reviewed" in i18n.catalog_status(lang)
