"""The reply parser, table-driven across the supported languages (no database)."""

from __future__ import annotations

import pytest

from outreach.inbound.keywords import (
    APPOINTMENT_WORDS,
    CALL_WORDS,
    OPT_OUT_WORDS,
    YES_WORDS,
    normalize,
    opt_keyword,
    parse_reply,
    tokens,
)

LANGUAGES = (
    "nb",
    "nn",
    "en",
    "pl",
    "uk",
    "lt",
    "so",
    "ar",
    "ur",
    "ti",
    "ru",
    "fa",
    "prs",
    "ps",
    "ckb",
    "tr",
    "ta",
    "vi",
    "am",
)

# (language, what a tenant might send, intent, keyword as normalised)
REPLIES = [
    # The digits the SMS offer, in every script people type them in.
    ("-", "1", "call_me", "1"),
    ("-", " 1. ", "call_me", "1"),
    ("-", "2", "appointment", "2"),
    ("ar", "١", "call_me", "1"),
    ("ar", "٢ شكرا", "appointment", "2"),
    ("fa", "۱", "call_me", "1"),
    ("ur", "۲", "appointment", "2"),
    ("am", "፩", "call_me", "1"),
    ("-", "１", "call_me", "1"),  # full-width, from an East Asian keyboard
    # nb / nn
    ("nb", "Ring meg!", "call_me", "ring meg"),
    ("nb", "Ja takk", "call_me", "ja takk"),
    ("nb", "Kan vi avtale et møte?", "appointment", "avtale"),
    ("nb", "Jeg vil gjerne få time", "appointment", "fa time"),
    ("nn", "Ring meg i morgon", "call_me", "ring meg"),
    ("nn", "Kan eg få time?", "appointment", "fa time"),
    # en
    ("en", "Please call me after 3", "call_me", "call me"),
    ("en", "Yes please", "call_me", "yes please"),
    ("en", "I'd like an appointment", "appointment", "appointment"),
    # pl
    ("pl", "Proszę zadzwonić", "call_me", "zadzwonic"),
    ("pl", "Tak", "call_me", "tak"),
    ("pl", "Chcę spotkanie", "appointment", "spotkanie"),
    # uk
    ("uk", "Зателефонуйте мені, будь ласка", "call_me", "зателефонуите"),
    ("uk", "Так", "call_me", "так"),
    ("uk", "Хочу зустріч", "appointment", "зустріч"),
    # lt
    ("lt", "Paskambinkite man", "call_me", "paskambinkite"),
    ("lt", "Taip", "call_me", "taip"),
    ("lt", "Norėčiau susitikimą", "appointment", "susitikima"),
    # so
    ("so", "Fadlan i soo wac", "call_me", "i soo wac"),
    ("so", "Haa", "call_me", "haa"),
    ("so", "Ballan ayaan rabaa", "appointment", "ballan"),
    # ar
    ("ar", "اتصلوا بي من فضلكم", "call_me", normalize("اتصلوا بي")),
    ("ar", "نعم", "call_me", normalize("نعم")),
    ("ar", "أريد موعداً", "appointment", normalize("موعدا")),
    # ur
    ("ur", "مجھے کال کریں", "call_me", normalize("مجھے کال کریں")),
    ("ur", "جی ہاں", "call_me", normalize("جی ہاں")),
    ("ur", "ملاقات چاہیے", "appointment", normalize("ملاقات")),
    # ti
    ("ti", "ደውሉለይ", "call_me", "ደውሉለይ"),
    ("ti", "እወ", "call_me", "እወ"),
    ("ti", "ቆጸራ እደሊ", "appointment", "ቆጸራ"),
    # ru
    ("ru", "Позвоните мне пожалуйста", "call_me", "позвоните мне"),
    ("ru", "Да", "call_me", "да"),
    ("ru", "Хочу записаться", "appointment", "записаться"),
    # fa (Persian keyboard) and the same words typed on an Arabic keyboard
    ("fa", "لطفا با من تماس بگیرید", "call_me", normalize("با من تماس بگیرید")),
    ("fa", "بله", "call_me", normalize("بله")),
    ("fa", "وقت ملاقات می\u200cخواهم", "appointment", normalize("وقت ملاقات")),
    ("fa", "لطفا زنگ بزنيد", "call_me", normalize("زنگ بزنید")),  # Arabic yeh
    # prs
    ("prs", "بلی", "call_me", normalize("بلی")),
    ("prs", "زنگ بزنین", "call_me", normalize("زنگ بزنین")),
    ("prs", "نوبت می خواهم", "appointment", normalize("نوبت")),
    # ps
    ("ps", "مهرباني وکړئ راته زنګ ووهئ", "call_me", normalize("راته زنګ ووهئ")),
    ("ps", "هو", "call_me", normalize("هو")),
    ("ps", "ملاقات غواړم", "appointment", normalize("ملاقات")),
    # ckb
    ("ckb", "تکایە پەیوەندیم پێوە بکەن", "call_me", normalize("پەیوەندیم پێوە بکەن")),
    ("ckb", "بەڵێ", "call_me", normalize("بەڵێ")),
    ("ckb", "چاوپێکەوتن", "appointment", normalize("چاوپێکەوتن")),
    # tr
    ("tr", "Lütfen beni arayın", "call_me", "beni arayin"),
    ("tr", "Evet", "call_me", "evet"),
    ("tr", "Randevu istiyorum", "appointment", "randevu"),
    # ta
    ("ta", "என்னை அழைக்கவும்", "call_me", normalize("என்னை அழைக்கவும்")),
    ("ta", "ஆம்", "call_me", normalize("ஆம்")),
    ("ta", "சந்திப்பு வேண்டும்", "appointment", normalize("சந்திப்பு")),
    # vi, with and without its accents
    ("vi", "Xin gọi cho tôi", "call_me", "goi cho toi"),
    ("vi", "goi cho toi", "call_me", "goi cho toi"),
    ("vi", "Vâng", "call_me", "vang"),
    ("vi", "Tôi muốn đặt lịch hẹn", "appointment", "lich hen"),
    # am
    ("am", "እባክዎ ደውሉልኝ", "call_me", "ደውሉልኝ"),
    ("am", "አዎ", "call_me", "አዎ"),
    ("am", "ቀጠሮ እፈልጋለሁ", "appointment", "ቀጠሮ"),
    # Not a request: a negation, a "no", a statement, nothing at all.
    ("nb", "Ikke ring meg", "other", None),
    ("nn", "Ikkje ring meg", "other", None),
    ("en", "Don't call me", "other", None),
    ("pl", "Nie dzwońcie", "other", None),
    ("ru", "Не звоните", "other", None),
    ("vi", "Đừng gọi", "other", None),
    ("nb", "Nei", "other", None),
    ("nb", "Ja, men ikke nå", "other", None),
    ("nb", "Jeg har betalt husleia", "other", None),
    ("en", "What time is it?", "other", None),
    ("nb", "Kan hen komme?", "other", None),
    ("-", "", "other", None),
    ("-", "🙂", "other", None),
    ("-", "12", "other", None),
]


@pytest.mark.parametrize(
    ("language", "text", "intent", "keyword"), REPLIES, ids=[f"{r[0]}:{r[1]!r}" for r in REPLIES]
)
def test_reply_intent(language: str, text: str, intent: str, keyword: str | None) -> None:
    reply = parse_reply(text)
    assert (reply.intent, reply.keyword) == (intent, keyword)


def test_every_supported_language_has_each_kind_of_word() -> None:
    covered = {r[0] for r in REPLIES}
    for language in LANGUAGES:
        assert language in covered, language
        assert language in CALL_WORDS and language in YES_WORDS and language in APPOINTMENT_WORDS, (
            language
        )
        assert language in OPT_OUT_WORDS, language
        assert language in {lang for lang, _ in OPT_OUTS}, language


def test_yes_means_what_was_offered() -> None:
    assert parse_reply("Ja", yes_means="appointment").intent == "appointment"
    # A specific word still wins over "yes".
    assert parse_reply("Ja, ring meg", yes_means="appointment").intent == "call_me"
    # The earliest request wins.
    assert parse_reply("Ring meg så vi kan avtale et møte").intent == "call_me"


OPT_OUTS = [
    ("en", "STOP"),
    ("en", "stop."),
    ("en", "Unsubscribe"),
    ("en", "STOPALL"),
    ("en", "Cancel"),
    ("en", "QUIT"),
    ("nb", "Stopp"),
    ("nb", "AVSLUTT"),
    ("nb", "meld meg av"),
    ("nn", "stogg"),
    ("pl", "Wypisz"),
    ("uk", "СТОП"),
    ("uk", "Відписатися"),
    ("ru", "Отписаться"),
    ("lt", "Atsisakyti"),
    ("so", "Jooji"),
    ("ar", "توقف"),
    ("ar", "ايقاف"),
    ("ur", "بند کریں"),
    ("ti", "ኣቋርጽ"),
    ("fa", "لغو"),
    ("prs", "توقف"),
    ("ps", "ودروئ"),
    ("ckb", "ڕاگرتن"),
    ("tr", "İPTAL"),
    ("tr", "RET"),
    ("ta", "நிறுத்து"),
    ("vi", "Dừng"),
    ("vi", "HUY"),
    ("am", "አቁም"),
]


@pytest.mark.parametrize(
    ("language", "text"), OPT_OUTS, ids=[f"{lang}:{text}" for lang, text in OPT_OUTS]
)
def test_opt_out_words(language: str, text: str) -> None:
    assert opt_keyword(text) == "opt_out"


@pytest.mark.parametrize("text", ["START", "Unstop", "meld meg på"])
def test_opt_in_words(text: str) -> None:
    assert opt_keyword(text) == "opt_in"


@pytest.mark.parametrize(
    "text", ["Stop calling my mother", "stopp, jeg har betalt", "1", "Ring meg", "stopper"]
)
def test_only_a_bare_keyword_opts_out(text: str) -> None:
    assert opt_keyword(text) is None


def test_opt_out_words_are_never_request_words() -> None:
    """A word in both lists would silently stop SMS to someone asking for help."""
    opt_out = {tokens(w) for words in OPT_OUT_WORDS.values() for w in words}
    requests = {
        tokens(w)
        for table in (CALL_WORDS, APPOINTMENT_WORDS, YES_WORDS)
        for words in table.values()
        for w in words
    }
    assert opt_out.isdisjoint(requests), opt_out & requests


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("زنگ بزنيد", "زنگ بزنید"),  # Arabic vs Persian yeh
        ("كال", "کال"),  # Arabic vs Persian kaf
        ("MØTE", "mote"),
        ("do\u200bn't", "dont"),
        ("ـموعـد", "موعد"),  # tatweel
        ("٣٤", "34"),
    ],
)
def test_normalize_folds_variants(a: str, b: str) -> None:
    assert normalize(a) == normalize(b)
