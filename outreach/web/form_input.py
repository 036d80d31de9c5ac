"""Typed-in text to schema input, and schema messages back onto form fields.

Shared by the staff intake form and the landlord portal's warning form: both
build a document for a marshmallow schema (the same one the JSON API uses),
so a rule lives in one place and its message lands on the field it is about,
in Norwegian (``field_message``). Kept here, below both surfaces, so neither
imports the other to share it.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import Form


def blank(value: str | None) -> str | None:
    value = (value or "").strip()
    return value or None


def date_text(value: str | None) -> str | None:
    """ISO for the schema; ``dd.mm.åååå`` is accepted too; anything else goes through
    unchanged so the schema reports it on the field."""
    value = blank(value)
    if value is None:
        return None
    if "." in value:
        try:
            day, month, year = (int(p) for p in value.split("."))
            return date(year, month, day).isoformat()
        except ValueError:
            return value
    return value


def amount(value: str | None) -> str | None:
    """``kr 12 500,50`` -> ``12500.50``; what cannot be read goes through for the schema."""
    value = blank(value)
    if value is None:
        return None
    cleaned = (
        value.lower().replace("kr", "").replace("\u00a0", "").replace(" ", "").replace(",", ".")
    )
    return cleaned.rstrip(".-") or value


def children(value: str | None) -> list[int] | None:
    """``4, 9`` -> ``[4, 9]``; None when a part is not a whole number."""
    value = blank(value)
    if value is None:
        return []
    ages = []
    for part in value.replace(";", ",").split(","):
        part = part.strip()
        if not part:
            continue
        if not part.isdigit():
            return None
        ages.append(int(part))
    return ages


def _flatten(messages: Any, path: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], str]]:
    if isinstance(messages, dict):
        out = []
        for key, value in messages.items():
            key_path = path if isinstance(key, int) else (*path, str(key))
            out.extend(_flatten(value, key_path))
        return out
    if isinstance(messages, list):
        out = []
        for item in messages:
            out.extend(_flatten(item, path) if not isinstance(item, str) else [(path, item)])
        return out
    return [(path, str(messages))]


def apply_errors(
    form: Form, messages: Any, field_for_path: Mapping[tuple[str, ...], str]
) -> list[str]:
    """Put the schema's messages on the form's fields; return the ones with no field."""
    general = []
    for path, message in _flatten(messages):
        name = field_for_path.get(path)
        text = field_message(message)
        if name is None:
            general.append(text)
            continue
        add_error(form, name, text)
    return general


def add_error(form: Form, name: str, text: str) -> None:
    field = getattr(form, name)
    if text not in field.errors:
        field.errors = [*list(field.errors or []), text]


# marshmallow's and identity's English messages, said in Norwegian on the form.
_FIELD_MESSAGES = {
    "Missing data for required field.": _l("Må fylles ut."),
    "Field may not be null.": _l("Må fylles ut."),
    "Not a valid date.": _l("Ugyldig dato. Skriv dd.mm.åååå."),
    "Not a valid datetime.": _l("Ugyldig tidspunkt."),
    "Not a valid integer.": _l("Skriv et helt tall."),
    "Not a valid number.": _l("Skriv et tall."),
    "Not a valid email address.": _l("Ugyldig e-postadresse."),
    "Must be four digits.": _l("Postnummeret må ha fire sifre."),
    "Lies in the future.": _l("Kan ikke være frem i tid."),
    "Not a plausible date.": _l("Datoen virker ikke riktig."),
    "Does not match the birth date in the national id.": _l(
        "Stemmer ikke med fødselsdatoen i fødselsnummeret."
    ),
    "national id must contain only digits": _l("Fødselsnummeret kan bare inneholde sifre."),
    "national id must have 11 digits": _l("Fødselsnummeret må ha 11 sifre."),
    "national id check digits do not match": _l(
        "Kontrollsifrene stemmer ikke – sjekk fødselsnummeret."
    ),
    "national id does not contain a valid birth date": _l(
        "Fødselsnummeret inneholder ikke en gyldig fødselsdato."
    ),
    "organisation number must contain only digits": _l("Organisasjonsnummeret kan bare ha sifre."),
    "organisation number must have 9 digits": _l("Organisasjonsnummeret må ha 9 sifre."),
    "organisation number check digit does not match": _l(
        "Kontrollsifferet i organisasjonsnummeret stemmer ikke."
    ),
    "phone number could not be read": _l("Telefonnummeret kan ikke leses."),
    "phone number is not a valid number": _l("Ugyldig telefonnummer."),
    "language must be a language code like nb, ar or ti": _l(
        "Velg et språk (språkkode som nb, ar eller ti)."
    ),
    "language is undetermined": _l("Velg et språk."),
    "language code is not known": _l("Ukjent språkkode."),
    "Unknown field.": _l("Ukjent felt."),
}


def field_message(message: str) -> str:
    """A schema's English message in the page's language; unknown ones go through as they are."""
    if message in _FIELD_MESSAGES:
        return str(_FIELD_MESSAGES[message])
    if message.startswith("Must be one of"):
        return str(_l("Velg et av alternativene."))
    if message.startswith("Not one of Oslo's 15 district codes"):
        return str(_l("Velg en av Oslos 15 bydeler (Sentrum og Marka er ikke egne bydeler)."))
    if message.startswith(("Length must be between 1 ", "Shorter than minimum length 1.")):
        return str(_l("Må fylles ut."))
    if message.startswith(("Length must be between", "Longer than maximum")):
        return str(_l("For lang tekst."))
    if message.startswith("Must be greater than or equal") or message.startswith(
        "Must be less than"
    ):
        return str(_l("Tallet er utenfor det tillatte området."))
    return message
