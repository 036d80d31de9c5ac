"""SMS and email: neutral, no links, no sensitive words, at most three SMS segments."""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from outreach.letters import LANGUAGES, ensure_compiled
from outreach.messages import (
    MAX_SMS_SEGMENTS,
    SMS_PURPOSES,
    render_email,
    render_sms,
    sms_length,
)

WHEN = datetime(2026, 11, 25, 10, 0, tzinfo=ZoneInfo("Europe/Oslo"))
LONGEST_OFFICE = "NAV Søndre Nordstrand"  # the longest of Oslo's 15 district offices
PHONE = "+47 987 65 432"

#: Words that must never appear in an SMS or email subject: they tell whoever sees the
#: screen that the person owes money or faces eviction (NAV-loven § 7). Stems, lower case.
SENSITIVE = (
    "evict", "eviction", "arrears", "debt", "rent", "bailiff", "kr ", "nok", "12 500",
    "utkast", "fravik", "husleie", "gjeld", "namsfog", "tvangssal", "sosialhjelp", "restanse",
    "eksmis", "czynsz", "dług", "komornik", "висел", "борг", "долг", "оренд", "аренд",
    "iškeldin", "nuom", "skol", "ka saar", "kirada", "deyn", "إخلاء", "إيجار", "دين",
    "بے دخل", "کرایہ", "قرض", "تخلیه", "اجاره", "بدهی", "ایستل", "کرای", "پور",
    "دەرکردن", "کرێ", "قەرز", "ምውጻእ", "ክራይ", "ዕዳ", "ማስለቀቅ", "ኪራይ", "tahliye", "kira",
    "borç", "வெளியேற்ற", "வாடகை", "கடன்", "cưỡng chế", "tiền thuê", "nợ",
)  # fmt: skip
LINK = re.compile(r"https?://|www\.|\b[\w-]+\.(no|com|org|net)\b", re.IGNORECASE)


@pytest.fixture(scope="module", autouse=True)
def compiled():
    ensure_compiled()


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("purpose", SMS_PURPOSES)
def test_sms_is_neutral_short_and_invites_contact(purpose, language):
    sms = render_sms(purpose, language, contact_phone=PHONE, office_name=LONGEST_OFFICE, when=WHEN)
    lowered = sms.text.lower()
    assert not LINK.search(sms.text)
    for word in SENSITIVE:
        assert word not in lowered, word
    assert PHONE in sms.text and LONGEST_OFFICE in sms.text
    assert sms.languages[0] == language
    assert sms.segments <= MAX_SMS_SEGMENTS
    assert sms.length == sms_length(sms.text)
    if purpose in ("appointment_offer", "visit_notice"):
        assert "10" in sms.text


def test_sms_is_bilingual_when_it_fits():
    sms = render_sms("first_contact", "en", contact_phone=PHONE, office_name="NAV Frogner")
    assert sms.languages == ("en", "nb") and "Svar 1 så ringer vi deg" in sms.text
    assert sms.length.encoding == "GSM-7"
    assert render_sms("first_contact", "nb", contact_phone=PHONE, office_name="x").languages == (
        "nb",
    )


def test_sms_needs_an_aware_time_for_appointments():
    with pytest.raises(ValueError, match="when"):
        render_sms("appointment_offer", "pl", contact_phone=PHONE, office_name="x")
    with pytest.raises(ValueError, match="aware"):
        render_sms(
            "visit_notice", "pl", contact_phone=PHONE, office_name="x",
            when=WHEN.replace(tzinfo=None),
        )  # fmt: skip


def test_segment_counting():
    assert sms_length("a" * 160).segments == 1
    assert sms_length("a" * 161).segments == 2
    assert sms_length("€" * 80).units == 160
    assert sms_length("æøå" * 10).encoding == "GSM-7"
    assert sms_length("ł" * 70).segments == 1 and sms_length("ł" * 71).segments == 2


@pytest.mark.parametrize("language", LANGUAGES)
def test_email_is_neutral(language):
    email = render_email("letter", language, office_name="NAV Gamle Oslo", contact_phone=PHONE)
    assert "NAV Gamle Oslo" in email.subject and PHONE in email.body
    lowered = (email.subject + email.body).lower()
    assert not LINK.search(email.subject + email.body)
    for word in SENSITIVE:
        assert word not in lowered, word
    assert email.languages[-1] == "nb"
