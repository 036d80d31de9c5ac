"""Flask-Babel for the staff web app: Norwegian bokmål first, English on request.

The staff UI has its own gettext domain, ``staff``, so the letters' ``messages``
and ``frame`` catalogs stay untouched. Source strings are written in bokmål
(the language the districts work in), so ``nb`` needs no catalog and the UI
stays Norwegian even if a catalog is missing; ``locales/en/LC_MESSAGES/staff.po``
holds the English.

Browsers that ask for ``no`` (Norwegian, unspecified) or ``nn`` get ``nb``:
the UI is not translated to nynorsk, and bokmål is closer than English.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from babel.dates import format_date as babel_format_date
from babel.dates import format_datetime as babel_format_datetime
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import Flask, has_request_context, request, session
from flask_babel import Babel, get_locale, gettext

from outreach.config import REPO_ROOT

LOCALES_DIR = REPO_ROOT / "locales"
DOMAIN = "staff"
UI_LANGUAGES = ("nb", "en")
DEFAULT_LANGUAGE = "nb"
OSLO = ZoneInfo("Europe/Oslo")

# Requested language -> the UI language we serve for it.
_ALIASES = {"no": "nb", "nb": "nb", "nn": "nb", "en": "en"}


def select_locale() -> str:
    if not has_request_context():
        return DEFAULT_LANGUAGE
    chosen = session.get("lang")
    if chosen in UI_LANGUAGES:
        return str(chosen)
    best = request.accept_languages.best_match(list(_ALIASES), default=DEFAULT_LANGUAGE)
    return _ALIASES.get(best, DEFAULT_LANGUAGE)


def ui_language() -> str:
    locale = get_locale()
    return str(locale.language) if locale is not None else DEFAULT_LANGUAGE


def ensure_compiled() -> None:
    """Compile ``staff.po`` to ``.mo`` when stale (the .mo files are build products)."""
    for po_path in LOCALES_DIR.glob(f"*/LC_MESSAGES/{DOMAIN}.po"):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        with po_path.open("rb") as handle:
            catalog = read_po(handle, locale=po_path.parent.parent.name)
        with mo_path.open("wb") as handle:
            write_mo(handle, catalog, use_fuzzy=False)


# Day-first formats; "tirsdag 8. desember 09:00" in bokmål.
_FORMATS = {
    "nb": {
        "datetime": "EEEE d. MMMM HH:mm",
        "date": "EEEE d. MMMM",
        "short": "d.M.y HH:mm",
        "shortdate": "d.M.y",
        "time": "HH:mm",
    },
    "en": {
        "datetime": "EEEE d MMMM HH:mm",
        "date": "EEEE d MMMM",
        # "1 Dec 2026": a month name, since 1/12 reads as January in the US.
        "short": "d MMM y HH:mm",
        "shortdate": "d MMM y",
        "time": "HH:mm",
    },
}


def format_when(value: datetime | None, style: str = "datetime") -> str:
    if value is None:
        return ""
    lang = ui_language()
    pattern = _FORMATS.get(lang, _FORMATS["nb"])[style]
    return babel_format_datetime(value, pattern, tzinfo=OSLO, locale=lang)


def format_day(value: date | None, style: str = "date") -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.astimezone(OSLO).date()
    lang = ui_language()
    pattern = _FORMATS.get(lang, _FORMATS["nb"])[style]
    return babel_format_date(value, pattern, locale=lang)


def deadline_day(value: datetime) -> tuple[date, bool]:
    """The Oslo day a deadline ends, and whether it ends at a time within that day.

    The working-day clock puts a deadline counted from a weekend at 00:00 of the
    day after (``workdays.add_working_days``): "torsdag 10. desember 00:00" means
    the end of Wednesday, and staff must read "innen onsdag 9. desember".
    """
    local = value.astimezone(OSLO)
    if local.time() == datetime.min.time():
        return local.date() - timedelta(days=1), False
    return local.date(), True


def format_deadline(value: datetime | None, style: str = "datetime") -> str:
    """A deadline as "innen onsdag 9. desember" (with its time when it ends within a day).

    The one place deadlines are worded for staff (flags, tasks, letters, the
    print page): ``style`` "short" gives "innen 9.12.2026".
    """
    if value is None:
        return ""
    day, timed = deadline_day(value)
    if timed:
        when = format_when(value, style)
    else:
        when = format_day(day, "shortdate" if style == "short" else "date")
    return gettext("innen %(when)s", when=when)


# Names Babel lacks ("prs") or says otherwise than the districts do ("sentralkurdisk").
_OWN_NAMES = {
    "prs": {"nb": "dari", "en": "Dari"},
    "ckb": {"nb": "sorani", "en": "Sorani"},
}


def language_name(code: str | None, in_language: str | None = None) -> str:
    """``so`` -> "somali" in the UI's language; the code itself if Babel does not know it.

    Only the name: staff read "somali", not "somali (so)" (review, point 10).
    """
    if not code:
        return ""
    from babel import Locale, UnknownLocaleError

    lang = in_language or ui_language()
    own = _OWN_NAMES.get(code.split("-")[0])
    if own is not None:
        return own.get(lang, own["nb"])
    try:
        name = Locale.parse(code.replace("-", "_")).get_display_name(lang)
    except (UnknownLocaleError, ValueError):
        return code
    return name or code


def format_phone(value: str | None) -> str:
    """``+4741234567`` -> ``+47 412 34 567`` for reading and dialling (display only).

    The stored E.164 number is untouched; a number phonenumbers cannot read is
    shown as stored.
    """
    if not value:
        return ""
    import phonenumbers

    try:
        number = phonenumbers.parse(value, "NO")
    except phonenumbers.NumberParseException:
        return value
    if not phonenumbers.is_possible_number(number):
        return value
    national = str(number.national_number)
    if number.country_code == 47 and len(national) == 8 and national[0] in "49":
        # Norwegian mobiles are read 3-2-3 ("412 34 567"); phonenumbers groups them 2-2-2-2.
        return f"+47 {national[:3]} {national[3:5]} {national[5:]}"
    return str(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL))


def init_app(app: Flask) -> None:
    if "babel" in app.extensions:
        return
    ensure_compiled()
    app.config.setdefault("BABEL_DEFAULT_TIMEZONE", "Europe/Oslo")
    Babel(
        app,
        default_locale=DEFAULT_LANGUAGE,
        default_domain=DOMAIN,
        default_translation_directories=str(LOCALES_DIR),
        locale_selector=select_locale,
    )
    app.jinja_env.filters["when"] = format_when
    app.jinja_env.filters["day"] = format_day
    app.jinja_env.filters["deadline"] = format_deadline
    app.jinja_env.filters["language_name"] = language_name
    app.jinja_env.filters["phone"] = format_phone
    app.jinja_env.globals["ui_language"] = ui_language
