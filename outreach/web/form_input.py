"""Typed-in text to schema input, and schema messages back onto form fields.

Shared by the staff intake form and the landlord portal's warning form: both
build a document for a marshmallow schema (the same one the JSON API uses),
so a rule lives in one place and its message lands on the field it is about,
in Norwegian (``labels.field_message``).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from wtforms import Form

from outreach.web.staff import labels


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
        text = labels.field_message(message)
        if name is None:
            general.append(text)
            continue
        add_error(form, name, text)
    return general


def add_error(form: Form, name: str, text: str) -> None:
    field = getattr(form, name)
    if text not in field.errors:
        field.errors = [*list(field.errors or []), text]
