"""A landlord's monthly arrears list (CSV or JSON) to rows, each on its own. No I/O.

The peer review (seeds/004) asks municipal landlords for "månedlige
restanselister". They come out of spreadsheets and accounting systems, so the
file is read the way those write it: UTF-8 with or without a BOM (or Windows'
cp1252, or UTF-16 "Unicode text"), semicolons (a Norwegian Excel) or commas
or tabs, a title line or blank lines before the header, header names in
bokmål or English, trailing empty columns. A row that cannot be read is
refused on its own, naming the field; the other rows go on.

A problem with the whole file (empty, no header, a required column missing,
too large) raises ``ListFileError`` naming the field, for a 4xx answer.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from outreach.landlords import lists_cells as cells

MAX_BYTES = 5_000_000  # ~40,000 rows of a typical export: more than Oslo's largest landlord
MAX_ROWS = 20_000

#: The columns, by the name the API and the report use, and what a header may say.
COLUMNS: dict[str, tuple[str, ...]] = {
    "reference": ("referanse", "deresreferanse", "ref", "reference", "kontraktsnummer",
                  "kontrakt", "leieforhold", "kundenummer", "contract", "lease", "leaseid"),
    "name": ("navn", "leietaker", "leietakersnavn", "fulltnavn", "name", "tenant",
             "tenantname", "fullname"),
    "birth_date": ("fodselsdato", "fodt", "birthdate", "dateofbirth", "dob", "born"),
    "national_id": ("fodselsnummer", "fnr", "personnummer", "nationalid",
                    "nationalidentitynumber", "idnumber"),
    "address": ("adresse", "gateadresse", "leieadresse", "address", "street",
                "streetaddress"),
    "postal_code": ("postnummer", "postnr", "postalcode", "postcode", "zip", "zipcode"),
    "city": ("poststed", "sted", "city", "town"),
    "phone": ("telefon", "telefonnummer", "mobil", "mobilnummer", "tlf", "phone", "mobile",
              "telephone", "phonenumber"),
    "arrears_amount": ("restanse", "belop", "restansebelop", "skyldig", "ubetalt",
                       "ubetalthusleie", "arrears", "amount", "arrearsamount", "amountowed"),
    "months_in_arrears": ("maneder", "antallmaneder", "manederirestanse", "mnd",
                          "months", "monthsinarrears", "monthsunpaid"),
}  # fmt: skip
REQUIRED = ("reference", "name", "address", "arrears_amount", "months_in_arrears")
_FOLD = str.maketrans({"æ": "ae", "ø": "o", "å": "a", "é": "e"})
_LOOKUP = {alias: key for key, aliases in COLUMNS.items() for alias in aliases}
_REFERENCE = re.compile(r"^[\w./-]{1,80}$")


class ListFileError(ValueError):
    """The file as a whole cannot be read; ``field`` says which part of the upload."""

    def __init__(self, field: str, code: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.code = code


@dataclass(frozen=True)
class Fault:
    field: str
    message: str


@dataclass(frozen=True)
class ListRow:
    """One tenant, read; the schema (``landlord_schema``) still checks ids and phones."""

    row: int
    reference: str
    name: str
    birth_date: date | None
    national_id: str | None
    address: str
    postal_code: str
    city: str
    phone: str | None
    arrears_amount: Decimal
    months_in_arrears: int


@dataclass(frozen=True)
class RefusedRow:
    row: int
    reference: str | None
    faults: tuple[Fault, ...]


@dataclass(frozen=True)
class ParsedList:
    format: str  # csv | json
    rows: tuple[ListRow, ...] = ()
    refused: tuple[RefusedRow, ...] = field(default=())

    @property
    def total(self) -> int:
        return len(self.rows) + len(self.refused)


def header_key(name: str) -> str | None:
    """The column a header names: case, spaces, punctuation and æøå do not matter."""
    folded = re.sub(r"[\W_]+", "", name.casefold().translate(_FOLD))
    return _LOOKUP.get(folded)


def decode(content: bytes) -> str:
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        return content.decode("utf-16")
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Excel's "CSV (semicolon separated)" on Windows writes cp1252.
        return content.decode("cp1252", errors="replace")


def parse_list(content: bytes, *, content_type: str | None = None) -> ParsedList:
    """The rows of an uploaded list; JSON when it says so or looks like it."""
    if len(content) > MAX_BYTES:
        raise ListFileError("file", "too_large", f"The file is larger than {MAX_BYTES} bytes.")
    if content.startswith((b"PK\x03\x04", b"%PDF", b"\xd0\xcf\x11\xe0")) or (
        b"\x00" in content[:4096] and not content.startswith((b"\xff\xfe", b"\xfe\xff"))
    ):
        raise ListFileError(
            "file", "wrong_type",
            "Not a CSV or JSON file (an Excel workbook or a PDF?): save the sheet as CSV.",
        )  # fmt: skip
    body = decode(content)
    if not re.sub(r"[\s;,\ufeff]", "", body):  # nothing, or a spreadsheet's empty ";;;" rows
        raise ListFileError("file", "empty", "The file is empty.")
    if (content_type or "").endswith("json") or body.lstrip()[:1] in ("[", "{"):
        return _parse_json(body)
    return _parse_csv(body)


def parse_records(records: Any) -> ParsedList:
    """Rows given as JSON objects (the API's ``rows``), keys named as the CSV headers."""
    if not isinstance(records, list):
        raise ListFileError("rows", "invalid", "Expected a list of rows (JSON objects).")
    if not records:
        raise ListFileError("rows", "empty", "The list has no rows.")
    if len(records) > MAX_ROWS:
        raise ListFileError("rows", "too_many", f"At most {MAX_ROWS} rows in one list.")
    results: list[ListRow | RefusedRow] = []
    for number, record in enumerate(records, start=1):
        if not isinstance(record, dict):
            results.append(RefusedRow(number, None, (Fault("row", "Expected a JSON object."),)))
            continue
        cellmap = {header_key(str(k)): _json_text(v) for k, v in record.items()}
        cellmap.pop(None, None)
        results.append(read_row(number, cellmap))
    return _collect("json", results)


def _json_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _parse_json(body: str) -> ParsedList:
    try:
        document = json.loads(body)
    except json.JSONDecodeError as exc:
        raise ListFileError("file", "invalid_json", f"Not valid JSON: {exc.msg}.") from exc
    if isinstance(document, dict):
        document = document.get("rows")
    return parse_records(document)


def _rows(body: str, delimiter: str) -> Iterator[tuple[int, list[str]]]:
    reader = csv.reader(io.StringIO(body, newline=""), delimiter=delimiter)
    for cells_ in reader:
        yield reader.line_num, cells_


def _header(body: str) -> tuple[str, int, dict[int, str]]:
    """The delimiter, the header's line and its columns: the delimiter that names the most
    known columns in one of the first ten lines wins (a title line may come first)."""
    best: tuple[int, str, int, dict[int, str]] = (0, ";", 0, {})
    for delimiter in (";", ",", "\t"):
        for index, (line, row) in enumerate(_rows(body, delimiter)):
            if index >= 10:
                break
            columns = {i: key for i, name in enumerate(row) if (key := header_key(name))}
            if len(set(columns.values())) > best[0]:
                best = (len(set(columns.values())), delimiter, line, columns)
    if best[0] < 3:
        raise ListFileError(
            "file", "no_header",
            "No header line found: the first line should name the columns "
            "(Referanse;Navn;Fødselsdato;Adresse;Postnummer;Poststed;Restanse;Måneder).",
        )  # fmt: skip
    return best[1], best[2], best[3]


def _parse_csv(body: str) -> ParsedList:
    delimiter, header_line, columns = _header(body)
    missing = [key for key in REQUIRED if key not in columns.values()]
    if "birth_date" not in columns.values() and "national_id" not in columns.values():
        missing.append("birth_date")
    if missing:
        raise ListFileError(
            missing[0], "missing_column", f"The list has no column for: {', '.join(missing)}."
        )
    other = "," if delimiter == ";" else ";"
    width = max(columns) + 1
    results: list[ListRow | RefusedRow] = []
    for line, row in _rows(body, delimiter):
        if line <= header_line or not any(c.strip() for c in row):
            continue  # the title, the header, blank lines and ";;;;" lines
        if len(row) == 1 and width > 1:
            # One row written with the other separator (pasted in from another file).
            row = next(csv.reader([row[0]], delimiter=other))
        if len(results) >= MAX_ROWS:
            raise ListFileError("file", "too_many", f"At most {MAX_ROWS} rows in one list.")
        results.append(read_row(line, {key: row[i] for i, key in columns.items() if i < len(row)}))
    if not results:
        raise ListFileError("file", "empty", "The list has a header but no rows.")
    return _collect("csv", results)


def _collect(fmt: str, results: Iterable[ListRow | RefusedRow]) -> ParsedList:
    rows = tuple(r for r in results if isinstance(r, ListRow))
    refused = tuple(r for r in results if isinstance(r, RefusedRow))
    return ParsedList(fmt, rows, refused)


def _read(faults: list[Fault], name: str, parse: Callable[[str], Any], raw: str) -> Any:
    try:
        return parse(raw)
    except cells.CellError as exc:
        faults.append(Fault(name, str(exc)))
        return None


def read_row(number: int, cellmap: dict[str | None, str]) -> ListRow | RefusedRow:
    """One row on its own: every field read, every fault named."""
    get = {key: cells.text(cellmap.get(key) or "") for key in COLUMNS}
    faults: list[Fault] = []
    reference = get["reference"]
    if not _REFERENCE.match(reference):
        faults.append(Fault("reference", "1 to 80 letters, digits, '.', '/', '-' or '_'."))
    if not get["name"]:
        faults.append(Fault("name", "Missing: the tenant's name."))
    birth = (
        _read(faults, "birth_date", cells.birth_date, get["birth_date"])
        if get["birth_date"]
        else None
    )
    national = (
        _read(faults, "national_id", cells.national_id, get["national_id"])
        if get["national_id"]
        else None
    )
    if not get["birth_date"] and not get["national_id"]:
        faults.append(Fault("birth_date", "Give the birth date or the national id number."))
    # The address in one cell ("Tøyengata 12, 0190 Oslo") only when no postal code column.
    street, postal, city = (
        (get["address"], None, None) if get["postal_code"] else cells.split_address(get["address"])
    )
    if not street:
        faults.append(Fault("address", "Missing: the address of the home rented out."))
    postal_raw = get["postal_code"] or postal or ""
    postal_code = _read(faults, "postal_code", cells.postal_code, postal_raw)
    money = _read(faults, "arrears_amount", cells.amount, get["arrears_amount"])
    if money is not None and not Decimal(1) <= money <= Decimal(10_000_000):
        faults.append(Fault("arrears_amount", "From 1 to 10,000,000 kroner."))
    months = _read(faults, "months_in_arrears", cells.months, get["months_in_arrears"])
    if faults:
        return RefusedRow(number, reference if _REFERENCE.match(reference) else None, tuple(faults))
    return ListRow(
        row=number,
        reference=reference,
        name=get["name"],
        birth_date=birth,
        national_id=national,
        address=street,
        postal_code=postal_code,
        city=get["city"] or city or "Oslo",
        phone=cells.phone(get["phone"]),
        arrears_amount=money,
        months_in_arrears=months,
    )
