"""The tenant letter's GDPR article 14 notice: what is kept, why, how long, who gets it, the
rights, and who to contact – the tenant did not give us the data (DOMAIN.md "GDPR")."""

from __future__ import annotations

import html
import io
import re
import unicodedata
from dataclasses import replace

from pypdf import PdfReader

from outreach.districts import all_districts
from outreach.letters import i18n, render_letter_html, render_pdf, render_print_batch
from outreach.letters.privacy import is_placeholder, privacy_contact, privacy_contacts
from outreach.letters.samples import sample_letter


def _text(pdf: bytes) -> str:
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", text))


def test_the_notice_lists_what_is_kept_the_basis_retention_recipients_and_rights():
    text = _text(render_pdf([sample_letter("eviction_petition", "nb")]))
    for expected in (
        # what is kept, beyond name and address
        "fødselsnummer",
        "fødselsdato",
        "telefonnummer og e-postadresse",
        "alderen til barna dine",
        "om du allerede er klient hos NAV",
        "om du kan trenge ekstra hjelp",
        # the legal basis and where the data came from, cited as "see"
        "Se sosialtjenesteloven § 15 og § 17",
        "husleieloven § 9-11",
        "tvangsfullbyrdelsesloven § 13-6",
        # retention and recipients
        "så lenge vi følger opp saken din",
        "arkivloven",
        "Namsfogden, saksøkeren eller utleieren din kan få et kort brev",
        # the rights
        "rettet eller slettet",
        "bruken begrenset",
        "protestere mot bruken",
        "klage til Datatilsynet",
        # controller and data protection officer
        "NAV Gamle Oslo i Oslo kommune er ansvarlig for denne behandlingen",
        "personvernombudet vårt: personvernombud@bydel-gamle-oslo.example (DEMO)",
    ):
        assert expected in text, expected


def test_the_data_protection_officer_is_the_districts_own():
    frogner = sample_letter("eviction_petition", "ar")
    frogner = replace(frogner, office=replace(frogner.office, district_code="030105"))
    page = html.unescape(render_letter_html(frogner))
    # Both parts, the bokmål and the Arabic, give Frogner's contact, isolated left-to-right.
    assert page.count("personvernombud@bydel-frogner.example (DEMO)") == 2
    assert "gamle-oslo" not in page
    assert '<bdi dir="ltr" class="nw">personvernombud@bydel-frogner' in page


def test_without_a_configured_contact_the_sentence_is_left_out():
    data = sample_letter("eviction_petition", "nb")
    data = replace(data, office=replace(data.office, district_code=""))
    assert privacy_contact("") == ""
    page = html.unescape(render_letter_html(data))
    assert "personvernombud" not in page
    assert "er ansvarlig for denne behandlingen" in page


def test_every_district_has_a_contact_and_the_shipped_ones_are_marked_as_demo():
    contacts = privacy_contacts()
    for district in all_districts():
        contact = contacts[district.code]
        assert contact, district.code
        # The shipped rows are demo rows: their contact must say so (reserved domain + mark).
        assert district.demo and is_placeholder(contact)
    assert not is_placeholder("personvernombud@oslo.kommune.no")


def test_the_notice_is_translated_with_the_law_references_kept():
    for language in ("ar", "ti", "pl"):
        trans = i18n.translations(language)
        basis = trans.gettext(
            "See sosialtjenesteloven § 15 and § 17 and, for how the information reached us, "
            "husleieloven § 9-11 and tvangsfullbyrdelsesloven § 13-6."
        )
        # The Norwegian law names stay searchable; "§ 13-6" never breaks after the sign.
        for ref in ("sosialtjenesteloven", "husleieloven", "§\u00a09-11", "§\u00a013-6"):
            assert ref in basis, (language, ref)


def test_the_letters_still_fit_their_pages():
    """bokmål on one page; a bilingual letter two (bokmål, then the translation)."""
    languages = ("nb", "ar", "ti", "ur", "so")
    batch = render_print_batch(
        "test", [sample_letter("eviction_petition", lang) for lang in languages], processes=1
    )
    pages = dict(zip(languages, (len(entry.pages) for entry in batch.letters), strict=True))
    assert pages == {"nb": 1, "ar": 2, "ti": 2, "ur": 2, "so": 2}
