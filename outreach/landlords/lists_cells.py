"""One cell of a landlord's arrears list, as a spreadsheet writes it, to one value.

Pure functions, no I/O: each takes the text of a cell and returns the value or
raises ``CellError`` with an English message the API and the refused-rows
report show. What they accept is what Excel, LibreOffice and Numbers write in
a Norwegian or an English locale (the peer review, seeds/004, asks municipal
landlords such as Boligbygg for monthly lists: they come out of a spreadsheet
or an accounting system, never typed for us).
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

#: Day 0 of Excel's 1900 date system as Python counts it (Excel's serial 60 is
#: the 29 February 1900 that never was; birth dates after March 1900 are right).
EXCEL_EPOCH = date(1899, 12, 30)
#: Serial numbers a spreadsheet may show for a birth date: 1900-03-01 .. 2100.
_SERIALS = (61, 73415)
_SPACES = re.compile(r"[\s\u00a0\u202f\u2007']+")
_CURRENCY = re.compile(r"(?i)^(kr\.?|nok)|(kr\.?|nok|,-|\.-)$")
_DAY_FIRST = re.compile(r"^(\d{1,2})[./-](\d{1,2})[./-](\d{4})$")
_YEAR_FIRST = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_SERIAL = re.compile(r"^\d{2,5}(?:[.,]0+)?$")
_TIME_PART = re.compile(r"[T ]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?$")
_GROUPED = re.compile(r"^\d{1,3}(?:[.,]\d{3})+$")


class CellError(ValueError):
    """A cell that cannot be read; the message names what was expected."""


def text(value: str) -> str:
    """Spreadsheets pad; a formula-style ``="0190"`` is how Excel keeps a leading zero."""
    value = value.replace("\u00a0", " ").strip()
    if value.startswith('="') and value.endswith('"'):
        value = value[2:-1]
    return value.strip()


def amount(value: str) -> Decimal:
    """An amount in kroner: "12 345,50", "12.345,50", "12,345.50", "kr 1 200,-", 12345.5.

    The last separator followed by one or two digits is the decimal mark; a
    separator followed by groups of exactly three digits separates thousands.
    """
    cleaned = _CURRENCY.sub("", _SPACES.sub("", text(value))).strip()
    cleaned = _CURRENCY.sub("", cleaned)
    if not cleaned:
        raise CellError("Missing: the amount owed, in kroner.")
    if cleaned.startswith("-"):
        raise CellError("The amount owed cannot be negative.")
    if _GROUPED.match(cleaned) and len(set(re.sub(r"\d", "", cleaned))) == 1:
        cleaned = re.sub(r"[.,]", "", cleaned)  # 12.345 or 1,234,567: thousands only
    else:
        last = max(cleaned.rfind(","), cleaned.rfind("."))
        if last >= 0:
            whole, decimals = cleaned[:last], cleaned[last + 1 :]
            whole = re.sub(r"[.,]", "", whole)
            cleaned = f"{whole}.{decimals}"
    if not re.fullmatch(r"\d+(\.\d{1,2})?", cleaned):
        raise CellError("Not an amount in kroner (for example 12 345,50).")
    try:
        return Decimal(cleaned).quantize(Decimal("0.01"))
    except InvalidOperation as exc:  # pragma: no cover - the pattern above guards
        raise CellError("Not an amount in kroner (for example 12 345,50).") from exc


def birth_date(value: str) -> date:
    """dd.mm.yyyy, d/m/yyyy, dd-mm-yyyy, yyyy-mm-dd (with or without a time) or an
    Excel serial number (45292 is 2024-01-01). Two-digit years are refused: a
    birth date of "05.03.25" could be 1925 or 2025.
    """
    raw = _TIME_PART.sub("", text(value))
    if not raw:
        raise CellError("Missing: the birth date (dd.mm.yyyy).")
    try:
        if match := _YEAR_FIRST.match(raw):
            year, month, day = (int(g) for g in match.groups())
            return date(year, month, day)
        if match := _DAY_FIRST.match(raw):
            day, month, year = (int(g) for g in match.groups())
            return date(year, month, day)
    except ValueError as exc:
        raise CellError("No such date (dd.mm.yyyy).") from exc
    if _SERIAL.match(raw):
        serial = int(re.split(r"[.,]", raw)[0])
        if _SERIALS[0] <= serial <= _SERIALS[1]:
            return EXCEL_EPOCH + timedelta(days=serial)
    raise CellError("Not a date: write dd.mm.yyyy (for example 05.03.1987).")


def national_id(value: str) -> str:
    """Eleven digits; a spreadsheet that took the column for a number drops a
    leading zero (born on the 1st to the 9th), so ten digits get it back."""
    raw = re.sub(r"[\s.\-\u00a0]", "", text(value))
    if re.fullmatch(r"\d\.?\d*E\+?\d+", raw, re.IGNORECASE):
        raise CellError(
            "The spreadsheet wrote the number in scientific notation: format the column as text."
        )
    if re.fullmatch(r"\d{10}", raw):
        raw = "0" + raw
    if not re.fullmatch(r"\d{11}", raw):
        raise CellError("A national identity number has 11 digits.")
    return raw


def postal_code(value: str) -> str:
    """Four digits; "190" from a numeric column is 0190 (Oslo's codes start with 0)."""
    raw = text(value).replace(" ", "")
    if re.fullmatch(r"\d{3}", raw):
        raw = "0" + raw
    if not re.fullmatch(r"\d{4}", raw):
        raise CellError("A Norwegian postal code has 4 digits.")
    return raw


def months(value: str) -> int:
    """Whole months of unpaid rent; "3,0" from a numeric column is 3."""
    raw = text(value).replace(" ", "")
    if not raw:
        raise CellError("Missing: how many months of rent are unpaid.")
    match = re.fullmatch(r"(\d{1,3})(?:[.,]0+)?", raw)
    if match is None or not 1 <= int(match.group(1)) <= 120:
        raise CellError("Whole months of unpaid rent, 1 to 120.")
    return int(match.group(1))


def phone(value: str) -> str | None:
    """Kept as written (the schema checks it); Excel may drop the "+" of +47."""
    raw = text(value)
    if not raw:
        return None
    digits = re.sub(r"[\s\-().]", "", raw)
    if re.fullmatch(r"47\d{8}", digits):
        return "+" + digits
    return raw


def split_address(value: str) -> tuple[str, str | None, str | None]:
    """An address in one cell ("Tøyengata 12, 0190 Oslo"): street, postal code, city."""
    raw = text(value)
    match = re.fullmatch(r"(.+?),?\s+(\d{4})\s+(\D.*)", raw)
    if match is None:
        return raw, None, None
    return match.group(1).strip().rstrip(","), match.group(2), match.group(3).strip()
