"""Letters: every kind in every language, content required by the circular, PDF form.

Every kind in every language is checked in HTML (cheap: templates and catalogs); the PDF
checks (fonts, shaping, extracted text, page ranges) run on one print batch holding every
kind in the scripts that differ (Latin, Arabic, Nastaliq, Ethiopic, Tamil) and every
language for one kind, rendered as ONE WeasyPrint document (module fixture): one document
per letter would cost over a second each (TECH-NOTES "PDF letters").
"""

from __future__ import annotations

import html
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
from outreach.letters import batch as letters_batch
from outreach.letters import markup as letters_markup
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


#: The PDF batch: every kind in one language per script, then every language for one kind.
PDF_LANGUAGES = ("nb", "ar", "ur", "ti", "ta")
PDF_KIND = "eviction_petition"
PDF_MATRIX = [(kind, lang) for lang in PDF_LANGUAGES for kind in KINDS] + [
    (PDF_KIND, lang) for lang in LANGUAGES if lang not in PDF_LANGUAGES
]
TENANT_LETTERS = len(PDF_MATRIX)


def test_pdf_batch_covers_every_kind_and_every_language():
    assert {kind for kind, _ in PDF_MATRIX} == set(KINDS)
    assert {lang for _, lang in PDF_MATRIX} == set(LANGUAGES)
    assert {i18n.SCRIPT.get(lang) for lang in PDF_LANGUAGES} >= set(i18n.SCRIPT.values())


@pytest.fixture(scope="module")
def batch():
    ensure_compiled()
    letters = [sample_letter(kind, lang, number=n) for n, (kind, lang) in enumerate(PDF_MATRIX)]
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
    result = render_print_batch("Gamle Oslo 2026-11-20", letters, processes=1)
    reader = PdfReader(io.BytesIO(result.pdf))
    page_texts = [page.extract_text() for page in reader.pages]
    texts = ["\n".join(page_texts[i] for i in entry.pages) for entry in result.letters]
    return letters, result, texts


def test_every_letter_gets_its_own_pages(batch):
    letters, result, _texts = batch
    assert len(result.letters) == len(letters) == TENANT_LETTERS + 3
    reader = PdfReader(io.BytesIO(result.pdf))
    assert result.cover_pages == range(0, result.letters[0].pages.start)
    previous_end = result.cover_pages.stop
    for entry, data in zip(result.letters, letters, strict=True):
        assert entry.reference == data.reference
        assert entry.pages.start == previous_end and len(entry.pages) >= 1
        previous_end = entry.pages.stop
    assert previous_end == len(reader.pages)


def unbracket(text: str) -> str:
    return re.sub(r"[()]", "", normalise(text))


def cover_rows(pdf: bytes, pages: range) -> dict[str, list[str]]:
    """The cover's table rows, by reference: ``["1", "OUT-…", "0652", "nb", …, "2"]``."""
    reader = PdfReader(io.BytesIO(pdf))
    lines = "\n".join(reader.pages[i].extract_text() for i in pages).splitlines()
    return {cells[1]: cells for line in lines if len(cells := line.split()) >= 5}


def test_cover_lists_every_letter_with_its_page_count(batch):
    letters, result, _texts = batch
    rows = cover_rows(result.pdf, result.cover_pages)
    for number, (data, entry) in enumerate(zip(letters, result.letters, strict=True), 1):
        cells = rows[data.reference]
        assert cells[0] == str(number) and cells[2] == data.recipient.postal_code
        assert cells[-1] == str(len(entry.pages)), data.reference


def test_process_pool_gives_the_same_batch(batch):
    """``processes=2``: slices rendered apart and joined, the same pages and page ranges."""
    letters, result, texts = batch
    pl = PDF_MATRIX.index((PDF_KIND, "pl"))
    en = PDF_MATRIX.index((PDF_KIND, "en"))
    picked = [0, 1, pl, en, len(letters) - 2, len(letters) - 1]  # nb, bilingual, copies
    pooled = render_print_batch("Gamle Oslo 2026-11-20", [letters[i] for i in picked], processes=2)
    reader = PdfReader(io.BytesIO(pooled.pdf))
    assert reader.trailer["/Root"]["/Lang"] == "nb"
    assert reader.metadata.title == "Gamle Oslo 2026-11-20"
    assert pooled.cover_pages == range(0, pooled.letters[0].pages.start)
    rows = cover_rows(pooled.pdf, pooled.cover_pages)
    previous_end = pooled.cover_pages.stop
    for i, entry in zip(picked, pooled.letters, strict=True):
        assert entry.reference == letters[i].reference
        assert entry.pages.start == previous_end
        assert len(entry.pages) == len(result.letters[i].pages)
        assert rows[entry.reference][-1] == str(len(entry.pages))
        previous_end = entry.pages.stop
        text = "\n".join(reader.pages[p].extract_text() for p in entry.pages)
        # Latin script extracts the same, but for brackets: a font subset's ToUnicode map
        # has one entry per glyph, and Pango draws "(" with the ")" glyph in RTL text.
        assert unbracket(text) == unbracket(texts[i])
    assert previous_end == len(reader.pages)


def test_processes_only_for_large_batches(monkeypatch):
    monkeypatch.setattr(letters_batch, "available_cores", lambda: 2)
    assert letters_batch.auto_processes(60) == 1
    assert letters_batch.auto_processes(200) == 2
    monkeypatch.setattr(letters_batch, "available_cores", lambda: 1)
    assert letters_batch.auto_processes(1000) == 1


def test_page_numbers_count_within_each_letter(batch):
    _, result, texts = batch
    index = PDF_MATRIX.index((PDF_KIND, "nn"))  # bilingual: two pages
    entry = result.letters[index]
    text = normalise(texts[index])
    assert len(entry.pages) == 2
    total = len(entry.pages)
    for page in range(1, total + 1):
        assert normalise(f"Side {page} av {total}") in text


def assert_required_content(data, text: str, threshold: float, check_offer: bool) -> None:
    """What the circular requires, in ``text`` (normalised), in both languages."""
    # Contact person and direct phone: in the frame, the Norwegian part and the translation.
    assert text.count(normalise(data.contact.name)) >= (3 if data.language != "nb" else 2)
    assert text.count(normalise(PHONE)) >= (3 if data.language != "nb" else 2)
    # What was received, from whom, when (Babel-formatted Norwegian date).
    assert normalise(data.source_name) in text
    assert normalise("18. november 2026") in text
    assert normalise(data.reference) in text
    # Help offer and walk-in offer, in bokmål and in the tenant's language.
    for lang in {"nb", data.language}:
        trans = i18n.translations(lang)
        assert word_hits(trans.gettext(HELP), text) >= threshold, lang
        if check_offer or lang == "nb":
            offer = trans.gettext(OFFER) % {"address": "", "hours": ""}
            assert word_hits(offer, text) >= threshold, lang
    # The walk-in offer's address and opening hours, once per language part.
    parts = 2 if data.language != "nb" else 1
    assert text.count(normalise("Tøyengata 2, 0190 Oslo")) >= parts
    assert text.count(normalise("09:00–15:00")) >= parts
    if data.arrears_amount is not None:
        assert normalise("kr 12 500") in text


@pytest.mark.parametrize("index", range(TENANT_LETTERS))
def test_required_content_in_both_languages_in_the_pdf(batch, index):
    letters, _result, texts = batch
    data = letters[index]
    partial = data.language in EXTRACTION_PARTIAL
    assert_required_content(
        data, normalise(texts[index]), 0.3 if partial else 0.9, check_offer=not partial
    )


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("language", LANGUAGES)
def test_every_kind_in_every_language_has_the_required_content(kind, language):
    ensure_compiled()
    data = sample_letter(kind, language)
    markup = str(letters_markup.letter_section(data, 0))
    text = html.unescape(re.sub(r"<[^>]*>", "", markup))
    assert_required_content(data, normalise(text), 1.0, check_offer=True)
    if i18n.needs_translation(language):
        script = f"script-{i18n.SCRIPT[language]}" if language in i18n.SCRIPT else ""
        assert f'class="part translation {script}" lang="{language}"' in markup


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


@pytest.mark.parametrize("language", ["nb", "pl", "ru"])
def test_latin_and_cyrillic_parts_keep_values_whole_without_isolation(language):
    """The cheap markup (no ``<bdi>``) where isolation changes nothing; see bidi.Inline."""
    ensure_compiled()
    html = render_letter_html(sample_letter("unpaid_rent_warning", language))
    body = html.split("<body>")[1]
    assert "<bdi" not in body
    assert PHONE.replace(" ", "\u00a0") in body  # never wrapped inside the number
    assert "18.\u00a0november\u00a02026" in body  # nor inside a date
    assert '<span class="nw">K7P-42Q</span>' in body  # a hyphen is a break: nowrap instead


def test_right_to_left_values_stay_isolated_in_a_left_to_right_part():
    ensure_compiled()
    data = sample_letter("unpaid_rent_warning", "nb")
    html = render_letter_html(replace(data, source_name="شركة السكن"))
    assert "<bdi>شركة السكن</bdi>" in html


@pytest.mark.parametrize("language", ["ti", "ta", "ur"])
def test_own_script_parts_isolate_latin_numbers(language):
    """Ethiopic, Tamil and right-to-left parts keep ``<bdi dir="ltr">``: Noto Sans digits."""
    ensure_compiled()
    html = render_letter_html(sample_letter("unpaid_rent_warning", language))
    translation = html.split('class="part translation')[1]
    assert f'<bdi dir="ltr" class="nw">{PHONE}</bdi>' in translation


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


# --- dates, times and opening hours (issue 3 audit) ----------------------------------------


def test_appointment_dates_spell_out_the_weekday_and_times_are_24_hour():
    from datetime import datetime
    from zoneinfo import ZoneInfo

    at = datetime(2026, 11, 25, 10, 0, tzinfo=ZoneInfo("Europe/Oslo"))
    assert i18n.fmt_weekday_date(at, "nb") == "onsdag 25. november"
    assert i18n.fmt_weekday_date(at, "nn") == "onsdag 25. november"
    assert i18n.fmt_weekday_date(at, "en") == "Wednesday 25 November"
    assert i18n.fmt_weekday_date(at, "ar") == "الأربعاء، 25 نوفمبر"
    for language in LANGUAGES:
        assert set(i18n.WEEKDAY_DATE) == set(LANGUAGES)
        # 24-hour clock everywhere: no AM/PM marker to land on the wrong side in RTL text.
        assert i18n.fmt_time(at, language) == "10:00", language


@pytest.mark.parametrize("language", ["ti", "ckb", "ar", "en"])
def test_opening_hours_in_the_tenants_language_with_time_ranges_kept_whole(language):
    office = replace(sample_letter().office, opening_hours="Mandag–fredag 09:00–15:00 (drop-in)")
    page = render_letter_html(sample_letter("unpaid_rent_warning", language, office=office))
    monday, friday = (i18n.babel_locale(language).days["format"]["wide"][d] for d in (0, 4))
    assert f"{monday}–{friday}" in page
    if language == "en":
        assert 'Monday–Friday <span class="nw">09:00–15:00</span>' in page
    else:
        assert '<bdi dir="ltr" class="nw">09:00–15:00</bdi>' in page
    assert "Mandag–fredag" in page  # the Norwegian part keeps the district's words


def test_opening_hours_of_another_form_are_printed_as_written_with_times_isolated():
    office = replace(sample_letter().office, opening_hours="Stengt i juli, ellers 09:00–15:00")
    page = render_letter_html(sample_letter("unpaid_rent_warning", "ti", office=office))
    assert 'Stengt i juli, ellers <bdi dir="ltr" class="nw">09:00–15:00</bdi>' in page


@pytest.mark.parametrize("language", ["nb", "ar", "ti", "pl"])
def test_the_landlord_and_the_plaintiff_are_named_in_the_tenant_letter(language):
    petition = render_letter_html(
        sample_letter("eviction_petition", language, counterpart_name="Utleier Hansen AS")
    )
    forced = render_letter_html(
        sample_letter("forced_sale_notice", language, counterpart_name="Borettslaget Lia")
    )
    nb = i18n.translations("nb")
    # Both parts name them: the Norwegian and the translation.
    assert petition.count("Utleier Hansen AS") == (1 if language == "nb" else 2)
    assert forced.count("Borettslaget Lia") == (1 if language == "nb" else 2)
    assert "Utleieren din, Utleier Hansen AS, har bedt namsfogden" in html.unescape(petition)
    assert "om at Borettslaget Lia har begjært tvangssalg" in html.unescape(forced)
    assert nb.gettext(
        "On %(received_on)s NAV received a copy of a petition for eviction from %(source)s. "
        "Your landlord, %(landlord)s, has asked the bailiff to evict you from your home."
    ).startswith("Den ")


def test_without_a_counterpart_the_letter_says_your_landlord_without_a_name():
    page = html.unescape(
        render_letter_html(sample_letter("eviction_petition", counterpart_name=""))
    )
    assert "Utleieren din har bedt namsfogden" in page


def test_copies_print_the_senders_reference():
    page = render_letter_html(sample_letter("eviction_petition", "nb", "copy_bailiff"))
    assert "Deres referanse" in page and "NF-26-004711" in page
    tenant = render_letter_html(sample_letter("eviction_petition", "nb"))
    assert "Deres referanse" not in tenant


def test_the_preview_shows_the_review_status_and_real_letters_do_not(batch):
    preview = render_pdf([sample_letter("eviction_petition", "ar")], preview=True)
    text = pages_text(preview, range(1))
    assert "Forhåndsvisning, ikke et sendt brev" in text
    assert i18n.catalog_status("ar") in text
    _letters, _result, texts = batch
    assert not any("Forhåndsvisning" in letter for letter in texts)
