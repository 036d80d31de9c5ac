"""The words a tenant may answer an SMS with, per language, and how a reply is read.

Opt-out and opt-in keywords, yes, call and appointment words, negations and the reply
digits our SMS offer: this module changes when a language or a word is added, and knows
nothing of cases or the database. Words are matched after :func:`normalize` (case, accents,
Arabic-script letter variants and digits folded), so "Møte", "mote" and "MØTE" are one
word, and so are Arabic and Persian spellings of the same letters. nb/nn/en were written by
the team; the others need a check by a native speaker or an interpreter before production
(a miss is harmless: the reply is still a response, and staff read the text).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

INTENTS = ("call_me", "appointment", "other")

# -- keywords, per language --------------------------------------------------------

#: The whole message must be one of these (Twilio's rule): "stop" inside a
#: sentence is a reply to read, not an opt-out.
OPT_OUT_WORDS: Mapping[str, tuple[str, ...]] = {
    "en": (
        "stop",
        "stopall",
        "stop all",
        "unsubscribe",
        "cancel",
        "end",
        "quit",
        "optout",
        "opt out",
        "revoke",
    ),
    "nb": ("stopp", "avslutt", "avmeld", "meld av", "meld meg av", "stopp sms"),
    "nn": ("stopp", "stogg", "avslutt", "avmeld", "meld av", "meld meg av"),
    "pl": ("zatrzymaj", "wypisz", "rezygnuję", "rezygnacja"),
    "uk": ("стоп", "зупинити", "відписатися", "відписка"),
    "ru": ("стоп", "отписаться", "остановить", "отписка"),
    "lt": ("stabdyti", "sustabdyti", "atsisakyti"),
    "so": ("jooji", "joogso"),
    "ar": ("توقف", "إيقاف", "إلغاء", "الغاء الاشتراك"),
    "ur": ("بند", "بند کریں", "روکیں"),
    "ti": ("ኣቋርጽ", "ኣቋርጹ", "ጠጠው"),
    "fa": ("توقف", "لغو", "انصراف"),
    "prs": ("توقف", "لغو", "بس"),
    "ps": ("بند", "ودروئ", "لغوه"),
    "ckb": ("ڕاگرتن", "وەستان", "بوەستە"),
    "tr": ("dur", "durdur", "iptal", "ret"),
    "ta": ("நிறுத்து", "நிறுத்தவும்", "நிறுத்துங்கள்"),
    "vi": ("dừng", "hủy", "ngừng"),
    "am": ("አቁም", "አቁሙ", "ይቁም"),
}

OPT_IN_WORDS: Mapping[str, tuple[str, ...]] = {
    "en": ("start", "unstop"),
    "nb": ("meld på", "meld meg på"),
    "nn": ("meld på", "meld meg på"),
}

#: "Yes" counts only as the first word of a reply with no negation in it; what
#: it says yes to is the offer of the SMS it answers (a call, by default).
YES_WORDS: Mapping[str, tuple[str, ...]] = {
    "nb": ("ja", "ja takk", "ok", "greit", "gjerne"),
    "nn": ("ja", "ja takk", "ok", "greitt", "gjerne"),
    "en": ("yes", "yeah", "yep", "yes please", "ok", "okay", "sure"),
    "pl": ("tak",),
    "uk": ("так", "добре"),
    "lt": ("taip",),
    "so": ("haa", "haye"),
    "ar": ("نعم", "ايوه", "أيوه"),
    "ur": ("جی", "ہاں", "جی ہاں"),
    "ti": ("እወ",),
    "ru": ("да", "хорошо"),
    "fa": ("بله", "آره"),
    "prs": ("بلی", "بله"),
    "ps": ("هو",),
    "ckb": ("بەڵێ", "بەلێ", "ئا", "ئەری"),
    "tr": ("evet", "tamam"),
    "ta": ("ஆம்", "சரி"),
    "vi": ("có", "vâng", "dạ", "đồng ý"),
    "am": ("አዎ", "አዎን"),
}

CALL_WORDS: Mapping[str, tuple[str, ...]] = {
    "nb": ("ring", "ring meg", "ring til meg", "ringe", "ring opp"),
    "nn": ("ring", "ring meg", "ring til meg", "ringje", "ringe"),
    "en": ("call", "call me", "call back", "callback", "phone me", "ring me"),
    "pl": ("zadzwoń", "zadzwońcie", "zadzwonić", "oddzwońcie"),
    "uk": ("зателефонуйте", "подзвоніть", "передзвоніть", "дзвоніть"),
    "lt": ("paskambinkite", "skambinkite", "paskambink"),
    "so": ("i soo wac", "ii soo wac", "wac"),
    "ar": ("اتصل", "اتصلوا", "اتصل بي", "اتصلوا بي", "كلموني"),
    "ur": ("کال کریں", "فون کریں", "مجھے کال کریں", "مجھے فون کریں"),
    "ti": ("ደውሉለይ", "ደውለለይ", "ደውሉ"),
    "ru": ("позвоните", "перезвоните", "позвоните мне", "звоните"),
    "fa": ("زنگ بزنید", "زنگ بزن", "تماس بگیرید", "با من تماس بگیرید"),
    "prs": ("زنگ بزنید", "زنگ بزنین", "تماس بگیرید"),
    "ps": ("زنګ ووهئ", "راته زنګ ووهئ", "زنګ راته ووهئ", "اړیکه ونیسئ"),
    "ckb": ("پەیوەندیم پێوە بکەن", "پەیوەندی بکەن", "تەلەفۆنم بۆ بکەن", "زەنگم بۆ لێبدەن"),
    "tr": ("arayın", "beni arayın", "ara", "arayin"),
    "ta": ("அழைக்கவும்", "என்னை அழைக்கவும்", "கூப்பிடுங்கள்"),
    "vi": ("gọi cho tôi", "gọi lại", "gọi"),
    "am": ("ደውሉልኝ", "ደውልልኝ", "ይደውሉልኝ", "ይደውሉ"),
}

APPOINTMENT_WORDS: Mapping[str, tuple[str, ...]] = {
    # Not the bare "time" (nb: an appointment; en: time).
    "nb": ("avtale", "møte", "få time", "bestille time", "time hos dere", "ny time"),
    "nn": ("avtale", "møte", "få time", "bestille time"),
    "en": ("appointment", "meeting", "meet"),
    "pl": ("spotkanie", "wizyta", "wizytę", "termin"),
    "uk": ("зустріч", "запис", "прийом"),
    "lt": ("susitikimas", "susitikimą", "vizitas"),
    "so": ("ballan", "ballanta"),
    "ar": ("موعد", "موعدا"),
    "ur": ("ملاقات", "اپائنٹمنٹ"),
    "ti": ("ቆጸራ",),
    "ru": ("встреча", "встречу", "запись", "записаться", "приём"),
    "fa": ("وقت ملاقات", "قرار ملاقات", "نوبت"),
    "prs": ("ملاقات", "نوبت"),
    "ps": ("ملاقات",),
    "ckb": ("چاوپێکەوتن", "ژوان"),
    "tr": ("randevu",),
    "ta": ("சந்திப்பு",),
    # Not the bare "hẹn": without its accent it is "hen", a Norwegian pronoun.
    "vi": ("cuộc hẹn", "lịch hẹn", "hẹn gặp"),
    "am": ("ቀጠሮ",),
}

#: A call or appointment word right after one of these is not a request
#: ("ikke ring meg", "don't call"). Languages that negate with another verb
#: form (Turkish "aramayın", Amharic "አትደውሉ") need nothing here: it never matches.
NEGATIONS: Mapping[str, tuple[str, ...]] = {
    "nb": ("ikke", "nei", "aldri"),
    "nn": ("ikkje", "nei", "aldri"),
    "en": ("no", "not", "dont", "never", "cant", "cannot", "wont"),
    "pl": ("nie",),
    "uk": ("не", "ні"),
    "ru": ("не", "нет"),
    "lt": ("ne",),
    "so": ("maya",),
    "ar": ("لا",),
    "ur": ("نہیں", "مت"),
    "fa": ("نه",),
    "prs": ("نه",),
    "ps": ("نه", "مه"),
    "ckb": ("نا", "نەخێر"),
    "tr": ("hayır",),
    "ta": ("இல்லை",),
    "vi": ("không", "đừng"),
}

#: The reply digits the SMS offer, as their texts say (templates/sms): "Reply 1 and
#: we will call you" (first_contact, reminder), "Reply 2 to confirm the
#: appointment" (appointment_offer). tests/test_sms_replies.py holds every
#: catalog to it.
DIGITS: Mapping[str, str] = {"1": "call_me", "2": "appointment"}

# -- normalisation ----------------------------------------------------------------

# Letters that Arabic, Persian and Urdu keyboards write differently; people
# type Arabic-script words on whichever keyboard their phone has.
_FOLD = str.maketrans(
    {
        "ي": "ی",  # Arabic yeh -> Persian yeh
        "ى": "ی",  # alef maksura
        "ك": "ک",  # Arabic kaf -> keheh
        "ة": "ه",  # teh marbuta
        "ہ": "ه",  # Urdu heh goal
        "ۂ": "ه",
        "ł": "l",  # no decomposition in Unicode
        "đ": "d",
        "ı": "i",
        "ø": "o",
        "æ": "ae",
    }
)
# Removed inside words: apostrophes ("don't", Ukrainian "пам'ять"), tatweel,
# zero-width (non-)joiners, direction marks.
_DROP = frozenset("'’ʼ`\u0640\u200c\u200d\u200e\u200f\ufeff")


def normalize(text: str) -> str:
    """Fold case, accents, digits and script variants; words separated by one space."""
    text = unicodedata.normalize("NFKC", text).casefold()
    out: list[str] = []
    for char in unicodedata.normalize("NFD", text):
        if char in _DROP:
            continue
        category = unicodedata.category(char)
        if category == "Mn" or category == "Cf":
            continue  # accents, harakat, hamza marks: typed or not, the same word
        digit = unicodedata.digit(char, None) if category in ("Nd", "No") else None
        if digit is not None:
            out.append(str(digit))  # ١ ۱ ፩ ௧ -> 1
        elif category[0] in "LMN":
            out.append(char)
        else:
            out.append(" ")  # punctuation, symbols, spaces, emoji
    folded = unicodedata.normalize("NFC", "".join(out)).translate(_FOLD)
    return " ".join(folded.split())


def tokens(text: str) -> tuple[str, ...]:
    return tuple(normalize(text).split())


def _phrases(table: Mapping[str, Iterable[str]]) -> dict[tuple[str, ...], str]:
    """Normalised phrase -> the first language that lists it."""
    found: dict[tuple[str, ...], str] = {}
    for language, words in table.items():
        for word in words:
            found.setdefault(tokens(word), language)
    return found


_OPT_OUT = _phrases(OPT_OUT_WORDS)
_OPT_IN = _phrases(OPT_IN_WORDS)
_YES = _phrases(YES_WORDS)
_CALL = _phrases(CALL_WORDS)
_APPOINTMENT = _phrases(APPOINTMENT_WORDS)
_NEGATION = _phrases(NEGATIONS)
_YES_LONGEST_FIRST = sorted(_YES.items(), key=lambda item: -len(item[0]))
_NEGATION_WINDOW = 3  # words before a request word that can negate it


@dataclass(frozen=True)
class Reply:
    """What a reply asks for: ``intent`` in :data:`INTENTS`; ``keyword`` is the
    normalised word that said so (None for ``other``)."""

    intent: str
    keyword: str | None = None
    language: str | None = None


def opt_keyword(text: str) -> str | None:
    """``"opt_out"``, ``"opt_in"`` or None: only a message that is nothing but the keyword."""
    words = tokens(text)
    if words in _OPT_OUT:
        return "opt_out"
    if words in _OPT_IN:
        return "opt_in"
    return None


def _occurrences(
    words: tuple[str, ...], table: Mapping[tuple[str, ...], str]
) -> Iterable[tuple[int, int, tuple[str, ...]]]:
    for phrase in table:
        size = len(phrase)
        for start in range(len(words) - size + 1):
            if words[start : start + size] == phrase:
                yield start, size, phrase


def _negated(words: tuple[str, ...], start: int) -> bool:
    before = words[max(0, start - _NEGATION_WINDOW) : start]
    return any(
        phrase == before[i : i + len(phrase)] for phrase in _NEGATION for i in range(len(before))
    )


def parse_reply(text: str, *, yes_means: str = "call_me") -> Reply:
    """Read a reply: "1" asks for a call, "2" for the appointment, then words.

    A call or appointment word anywhere (not negated) decides, the earliest
    first; a bare "yes" as the first word means ``yes_means`` (what the SMS
    offered). Anything else is ``other``: still a response, read by staff.
    """
    words = tokens(text)
    if not words:
        return Reply("other")
    if words[0] in DIGITS:
        return Reply(DIGITS[words[0]], words[0])
    found: list[tuple[int, int, tuple[str, ...], str, str]] = []
    for intent, table in (("call_me", _CALL), ("appointment", _APPOINTMENT)):
        for start, size, phrase in _occurrences(words, table):
            if not _negated(words, start):
                found.append((start, -size, phrase, intent, table[phrase]))
    if found:
        _start, _size, phrase, intent, language = min(found)
        return Reply(intent, " ".join(phrase), language)
    negated = any(True for _ in _occurrences(words, _NEGATION))
    if not negated:
        for phrase, language in _YES_LONGEST_FIRST:
            if words[: len(phrase)] == phrase:
                return Reply(yes_means, " ".join(phrase), language)
    return Reply("other")
