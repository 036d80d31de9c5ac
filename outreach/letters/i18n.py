"""Languages, gettext catalogs and Babel formatting for letters, SMS and email.

Catalogs live in ``locales/<lang>/LC_MESSAGES/<domain>.po``; the compiled ``.mo`` files are
build products (``make`` runs ``pybabel compile``). We load them with
``babel.support.Translations.load`` rather than Flask-Babel because letters are rendered in
RQ workers without an app context, where ``force_locale`` silently does nothing
(TECH-NOTES "i18n").

Two domains:

* ``messages``: everything the tenant reads, translated into every language we cover;
* ``frame``: text that is printed only in Norwegian bokmål (letterhead, page footer, copies to
  the bailiff/plaintiff/landlord, the print-batch cover sheet), so it has an ``nb`` catalog
  only. Norwegian is the authoritative text of every letter.
"""

from __future__ import annotations

import re
import tomllib
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from pathlib import Path

from babel import Locale
from babel.dates import format_date, format_time
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_currency
from babel.support import Translations

ROOT = Path(__file__).resolve().parents[2]
LOCALES_DIR = ROOT / "locales"
DOMAINS: tuple[str, ...] = ("messages", "frame")

#: Languages we write to (DOMAIN.md "Languages": the largest immigrant groups in Norway and
#: Oslo, plus NAV's own site languages). Codes are BCP 47 as the intake normalises them.
LANGUAGES: tuple[str, ...] = (
    "nb", "nn", "en", "pl", "uk", "lt", "so", "ar", "ur", "ti",
    "ru", "fa", "prs", "ps", "ckb", "tr", "ta", "vi", "am",
)  # fmt: skip
RTL_LANGUAGES: frozenset[str] = frozenset({"ar", "ur", "fa", "prs", "ps", "ckb"})

#: Babel/CLDR has no locale for Dari (``prs``): Afghan Persian is ``fa_AF``, and its catalog
#: lives in ``locales/fa_AF`` so that ``pybabel update/compile`` can parse the folder name.
_BABEL_LOCALE: dict[str, str] = {"prs": "fa_AF"}


def catalog_dir(language: str) -> str:
    """The folder under ``locales/`` that holds a language's catalogs."""
    return _BABEL_LOCALE.get(language, language)


#: Script class per language: picks the @font-face family in the letter CSS.
SCRIPT: dict[str, str] = {
    **dict.fromkeys(("ar", "fa", "prs", "ps", "ckb"), "arab"),
    "ur": "urdu",
    "ti": "ethi",
    "am": "ethi",
    "ta": "taml",
}


def babel_locale(language: str) -> Locale:
    return Locale.parse(_BABEL_LOCALE.get(language, language))


def is_rtl(language: str) -> bool:
    return language in RTL_LANGUAGES


def language_name(language: str) -> str:
    """The language's name in itself (``"polski"``), for the tenant to recognise."""
    if language == "prs":
        return "دری"
    return babel_locale(language).get_display_name() or language


def needs_translation(language: str) -> bool:
    """Letters are bilingual unless the tenant reads bokmål; nynorsk counts as its own."""
    return language != "nb"


# --- catalogs -------------------------------------------------------------------------------


def _catalog_files(domain: str) -> list[Path]:
    return sorted(LOCALES_DIR.glob(f"*/LC_MESSAGES/{domain}.po"))


def ensure_compiled() -> list[Path]:
    """Compile every ``.po`` whose ``.mo`` is missing or older; returns what was compiled.

    ``make`` does this with ``pybabel compile``; tests and the preview call it so that a
    fresh clone works without remembering the build step.
    """
    compiled = []
    for domain in DOMAINS:
        for po_path in _catalog_files(domain):
            mo_path = po_path.with_suffix(".mo")
            if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
                continue
            with po_path.open("rb") as po_file:
                catalog = read_po(po_file, locale=po_path.parts[-3], domain=domain)
            tmp = mo_path.with_suffix(".mo.tmp")
            with tmp.open("wb") as mo_file:
                write_mo(mo_file, catalog, use_fuzzy=False)
            tmp.replace(mo_path)
            compiled.append(mo_path)
    translations.cache_clear()
    return compiled


@cache
def translations(language: str, domain: str = "messages") -> Translations:
    """Compiled translations for one language; ``en`` msgids are the fallback."""
    if language not in LANGUAGES:
        raise ValueError(f"unsupported language {language!r}")
    mo_path = LOCALES_DIR / catalog_dir(language) / "LC_MESSAGES" / f"{domain}.mo"
    if not mo_path.exists():
        # A fresh checkout without `make catalogs`: compile rather than fail.
        ensure_compiled()
    if not mo_path.exists():
        raise FileNotFoundError(
            f"{mo_path} is missing: run `pybabel compile -d locales -D {domain}` (make setup)"
        )
    loaded = Translations.load(str(LOCALES_DIR), [catalog_dir(language)], domain=domain)
    assert isinstance(loaded, Translations)
    return loaded


@cache
def _status_table() -> dict[str, str]:
    with (LOCALES_DIR / "STATUS.toml").open("rb") as fh:
        data = tomllib.load(fh)
    return {lang: entry["status"] for lang, entry in data.items()}


def catalog_status(language: str) -> str:
    """Review status of a language's catalogs, shown in the staff UI and letter preview.

    Unreviewed catalogs are usable (a letter the tenant half-understands beats one in a
    language they cannot read), but staff must be able to see that a qualified translator
    has not checked them yet.
    """
    try:
        return _status_table()[language]
    except KeyError:
        raise ValueError(f"no review status recorded for {language!r}") from None


# --- formatting -----------------------------------------------------------------------------


def fmt_date(value: date, language: str) -> str:
    """``1. desember 2026`` in nb; the locale's long date elsewhere."""
    return format_date(value, "long", locale=babel_locale(language))


#: Weekday, day and month, spelled out. CLDR's ``MMMMEEEEd`` skeleton abbreviates the
#: weekday in many locales ("ons. 25 november" in bokmål, "Wed, November 25"); a letter
#: proposing a meeting spells it out, so each language gets the full date pattern of its
#: locale without the year ("onsdag 25. november").
WEEKDAY_DATE: dict[str, str] = {
    "nb": "EEEE d. MMMM", "nn": "EEEE d. MMMM", "en": "EEEE d MMMM",
    "pl": "EEEE, d MMMM", "uk": "EEEE, d MMMM", "lt": "MMMM d 'd'., EEEE",
    "so": "EEEE, MMMM d", "ar": "EEEE، d MMMM", "ur": "EEEE، d MMMM", "ti": "EEEE፣ d MMMM",
    "ru": "EEEE, d MMMM", "fa": "EEEE d MMMM", "prs": "EEEE d MMMM", "ps": "EEEE d MMMM",
    "ckb": "EEEE d MMMM", "tr": "d MMMM EEEE", "ta": "EEEE, d MMMM", "vi": "EEEE, d MMMM",
    "am": "EEEE d MMMM",
}  # fmt: skip


def fmt_weekday_date(value: datetime, language: str) -> str:
    return format_date(value, WEEKDAY_DATE[language], locale=babel_locale(language))


def fmt_time(value: datetime, language: str) -> str:
    """24-hour ``HH:mm`` in every language, as Norwegian offices give times.

    A 12-hour time carries a day-period marker ("10:00 ص", "10:00 AM") whose place
    depends on the script; inside a left-to-right isolate the Arabic marker ends up
    first. ``10:00`` reads the same everywhere.
    """
    return format_time(value, "HH:mm", locale=babel_locale(language))


#: Norwegian day names and abbreviations in an office's opening hours, Monday = 0.
_NB_DAYS: dict[str, int] = {
    **dict.fromkeys(("man", "mandag", "mandager"), 0),
    **dict.fromkeys(("tir", "tirs", "tirsdag", "tirsdager"), 1),
    **dict.fromkeys(("ons", "onsdag", "onsdager"), 2),
    **dict.fromkeys(("tor", "tors", "torsdag", "torsdager"), 3),
    **dict.fromkeys(("fre", "fredag", "fredager"), 4),
    **dict.fromkeys(("lør", "lørdag", "lørdager"), 5),
    **dict.fromkeys(("søn", "søndag", "søndager"), 6),
}
_TIME_RANGE = r"\d{1,2}[:.]\d{2}\s*[–-]\s*\d{1,2}[:.]\d{2}"
_HOURS_PART = re.compile(
    rf"^\s*(?P<first>[a-zæøå]+)\.?(?:\s*[–-]\s*(?P<last>[a-zæøå]+)\.?)?\s+(?P<time>{_TIME_RANGE})"
    r"\s*(?P<rest>\(.*\))?\s*$",
    re.IGNORECASE,
)
TIME_RANGE = re.compile(_TIME_RANGE)


def opening_hours_parts(text: str, language: str) -> list[tuple[str, str, str]] | None:
    """An office's opening hours as ``(days, time range, note)`` in ``language``, or None.

    Districts write them in Norwegian ("Mandag–fredag 09:00–15:00 (drop-in)"). Days are
    put in the tenant's language (CLDR's weekday names), times as ``09:00–15:00``; a note
    in brackets stays as written. None when the text is not of that form: the caller
    prints it verbatim, with the time ranges kept whole.
    """
    names = babel_locale(language).days["format"]["wide"]
    parts: list[tuple[str, str, str]] = []
    for chunk in re.split(r"[,;]\s*(?=[a-zæøå])", text.strip(), flags=re.IGNORECASE):
        match = _HOURS_PART.match(chunk)
        if match is None:
            return None
        first = _NB_DAYS.get(match["first"].lower())
        last = _NB_DAYS.get(match["last"].lower()) if match["last"] else first
        if first is None or last is None:
            return None
        days = names[first] if first == last else f"{names[first]}–{names[last]}"
        if language in ("nb", "nn") and not parts:
            days = days[:1].upper() + days[1:]
        start, end = re.split(r"\s*[–-]\s*", match["time"])
        time = f"{start.replace('.', ':').zfill(5)}–{end.replace('.', ':').zfill(5)}"
        parts.append((days, time, (match["rest"] or "").strip()))
    return parts or None


def fmt_amount(value: Decimal, language: str) -> str:
    """``kr 12 500`` in Norwegian letters; ``NOK 12,500`` style elsewhere.

    Norwegian letters put ``kr`` first and leave out øre when there are none, whatever
    CLDR's default (``12 500,00 kr``) says.
    """
    whole = value == value.to_integral_value()
    locale = babel_locale(language)
    if language in ("nb", "nn"):
        pattern = "¤ #,##0" if whole else "¤ #,##0.00"
    else:
        pattern = locale.currency_formats["standard"].pattern.split(";")[0]
        if whole:
            pattern = pattern.replace(".00", "")
    text = format_currency(
        value, "NOK", format=pattern, locale=locale, currency_digits=False,
        decimal_quantization=not whole,
    )  # fmt: skip
    return re.sub(r"NOK(?=\d)", "NOK\u00a0", text)
