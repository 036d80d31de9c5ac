"""Oslo's 15 districts (bydeler) and the address table that routes a case to one.

Each district runs its own NAV office with the social services, and the
circular makes the address decide who acts: a case with no client relationship
«skal … alltid videreformidles» to the district the address belongs to, and a
passive case «overføres ut fra adressetilhørighet» (000). Sentrum (030116) and
Marka (030117) are statistical areas with codes of their own but no district
administration, so they are never routing targets: an address there returns no
district and a person routes the case.

Postal codes do not decide districts – several cross district borders – so the
table maps street and house-number ranges; the postal code only narrows a
street that the table splits. The shipped table is a demo subset; see
``docs/address-table.md`` for its limits and how to import the official data.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Literal

DATA_DIR = Path(__file__).with_name("data")
DISTRICTS_FILE = DATA_DIR / "oslo_districts.csv"
ADDRESSES_FILE = DATA_DIR / "oslo_addresses.csv"
CENTRAL_INTAKE_FILE = DATA_DIR / "oslo_central_intake.csv"

DISTRICT_NAMES: dict[str, str] = {
    "030101": "Gamle Oslo",
    "030102": "Grünerløkka",
    "030103": "Sagene",
    "030104": "St. Hanshaugen",
    "030105": "Frogner",
    "030106": "Ullern",
    "030107": "Vestre Aker",
    "030108": "Nordre Aker",
    "030109": "Bjerke",
    "030110": "Grorud",
    "030111": "Stovner",
    "030112": "Alna",
    "030113": "Østensjø",
    "030114": "Nordstrand",
    "030115": "Søndre Nordstrand",
}
# Areas with a code but no district office of their own.
NON_DISTRICT_AREAS: dict[str, str] = {"030116": "Sentrum", "030117": "Marka"}
AREA_NAMES: dict[str, str] = {**DISTRICT_NAMES, **NON_DISTRICT_AREAS}

Parity = Literal["all", "odd", "even"]
PARITIES: tuple[Parity, ...] = ("all", "odd", "even")
_PARITY_BY_NAME: dict[str, Parity] = {p: p for p in PARITIES}
ADDRESS_COLUMNS = (
    "street",
    "number_from",
    "number_to",
    "parity",
    "postal_code",
    "district_code",
)
MAX_HOUSE_NUMBER = 9999
# An import stops listing problems after this many; the file needs fixing anyway.
MAX_REPORTED_PROBLEMS = 50


@dataclass(frozen=True)
class District:
    code: str
    name: str
    office_name: str
    office_street_address: str
    office_postal_code: str
    opening_hours: str
    duty_contact_name: str
    duty_contact_phone: str
    # True while the row holds demo values (fictitious duty contact, unverified
    # address): letters must not go out with them in production.
    demo: bool = False


@dataclass(frozen=True)
class AddressRow:
    street: str
    number_from: int
    number_to: int
    parity: Parity
    postal_code: str  # "" where not recorded
    district_code: str
    key: str = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "key", normalize_street(self.street))

    def covers(self, number: int) -> bool:
        if not self.number_from <= number <= self.number_to:
            return False
        if self.parity == "odd":
            return number % 2 == 1
        if self.parity == "even":
            return number % 2 == 0
        return True


@dataclass(frozen=True)
class DistrictMatch:
    code: str
    name: str
    routable: bool
    district: District | None  # None for Sentrum and Marka
    street: str  # as spelled in the table
    # True: a matching row has this postal code; False: the rows have other
    # postal codes (worth a human look); None: not given or not recorded.
    postal_code_agrees: bool | None


class AddressImportError(ValueError):
    """An address file has problems; ``problems`` lists them by line."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = list(problems)
        shown = "; ".join(self.problems[:5])
        more = f" (and {len(self.problems) - 5} more)" if len(self.problems) > 5 else ""
        super().__init__(f"{len(self.problems)} problem(s) in the address file: {shown}{more}")


# -- normalisation -----------------------------------------------------------

_WORD = re.compile(r"[^\W_]+")
# Whole-token abbreviations and spellings of the generic part of a street name.
_GENERIC_TOKENS = {
    "g": "gate",
    "gt": "gate",
    "gata": "gate",
    "gaten": "gate",
    "v": "vei",
    "vn": "vei",
    "veien": "vei",
    "veg": "vei",
    "vegen": "vei",
    "pl": "plass",
    "plassen": "plass",
    "alleen": "alle",
}
# The same, written together with the specific part ("Tøyengata", "Trondheimsvn.").
_GENERIC_SUFFIXES = (
    ("gaten", "gate"),
    ("gata", "gate"),
    ("gt", "gate"),
    ("veien", "vei"),
    ("vegen", "vei"),
    ("veg", "vei"),
    ("vn", "vei"),
    ("alleen", "alle"),
)


def normalize_street(street: str) -> str:
    """A comparison key: NFC, case-folded, punctuation and spaces gone, abbreviations expanded.

    ``Tøyengata``, ``Tøyengt.`` and ``TØYEN GATE`` share a key, as do
    ``Thorvald Meyers gate`` and ``Thorvald Meyersgate``; ``veien``/``vn.``/
    ``vegen`` become ``vei``, ``allé`` becomes ``alle``. Only the last word is
    rewritten: that is where Norwegian street names keep the generic part.
    """
    text = unicodedata.normalize("NFC", street).casefold()
    text = text.replace("é", "e").replace("è", "e").replace("ê", "e")
    tokens = _WORD.findall(text)
    if not tokens:
        return ""
    last = tokens[-1]
    if last in _GENERIC_TOKENS:
        last = _GENERIC_TOKENS[last]
    else:
        for suffix, replacement in _GENERIC_SUFFIXES:
            if last.endswith(suffix) and len(last) > len(suffix):
                last = last[: -len(suffix)] + replacement
                break
    tokens[-1] = last
    return "".join(tokens)


# A house letter is a single letter not followed by a letter or digit, so the
# "H" of a flat number (H0101) is not mistaken for one.
_HOUSE_NUMBER = re.compile(r"\s*(\d{1,5})(?:\s*([^\W\d_])(?![^\W_]))?")


def parse_house_number(text: str) -> tuple[int, str] | None:
    """``"12 B"`` -> ``(12, "B")``; ``"12-14"`` -> ``(12, "")``; nothing readable -> None.

    A trailing flat number (``12 H0101``) or range is ignored: the district
    follows the entrance, not the flat.
    """
    match = _HOUSE_NUMBER.match(unicodedata.normalize("NFC", text))
    if match is None:
        return None
    return int(match[1]), (match[2] or "").upper()


# -- districts -----------------------------------------------------------------


def is_routable(code: str) -> bool:
    """True for the 15 district codes 030101–030115; Sentrum and Marka are not."""
    return code in DISTRICT_NAMES


def _district_from_row(row: dict[str, str], code: str) -> District:
    return District(
        code=code,
        name=row["name"].strip(),
        office_name=row["office_name"].strip(),
        office_street_address=row["office_street_address"].strip(),
        office_postal_code=row["office_postal_code"].strip(),
        opening_hours=row["opening_hours"].strip(),
        duty_contact_name=row["duty_contact_name"].strip(),
        duty_contact_phone=row["duty_contact_phone"].strip(),
        demo=(row.get("demo") or "").strip().lower() in {"yes", "true", "1"},
    )


def load_districts(path: Path = DISTRICTS_FILE) -> tuple[District, ...]:
    """Read the district file and check it has exactly the 15 districts."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    codes = [(row.get("code") or "").strip() for row in rows]
    for code in codes:
        if not is_routable(code):
            raise ValueError(f"{path.name}: {code!r} is not one of Oslo's 15 district codes")
    districts = [_district_from_row(row, code) for row, code in zip(rows, codes, strict=True)]
    if sorted(codes) != sorted(DISTRICT_NAMES) or len(set(codes)) != len(codes):
        raise ValueError(f"{path.name}: must list each of the 15 districts exactly once")
    return tuple(sorted(districts, key=lambda d: d.code))


@lru_cache(maxsize=2)
def central_intake(path: Path = CENTRAL_INTAKE_FILE) -> District:
    """Central intake (code ``""``): it holds a case no district has, and the letter duty
    does not wait for routing, so its contact person and number must be known (issue 12)."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        (row,) = csv.DictReader(handle)  # exactly one row
    office = _district_from_row(row, "")
    if not (office.office_name and office.duty_contact_name and office.duty_contact_phone):
        raise ValueError(f"{path.name}: central intake needs an office, a contact and a phone")
    return office


@lru_cache(maxsize=1)
def _default_districts() -> dict[str, District]:
    return {d.code: d for d in load_districts()}


def all_districts() -> tuple[District, ...]:
    """The 15 districts in code order."""
    return tuple(_default_districts().values())


def district(code: str) -> District:
    """The district with this code; ValueError for Sentrum, Marka or an unknown code."""
    if code in NON_DISTRICT_AREAS:
        raise ValueError(f"{NON_DISTRICT_AREAS[code]} ({code}) is not a district of its own")
    try:
        return _default_districts()[code]
    except KeyError:
        raise ValueError(f"{code!r} is not an Oslo district code") from None


# -- the address table -------------------------------------------------------


def _row_problems(row: dict[str, str | None]) -> tuple[AddressRow | None, list[str]]:
    problems: list[str] = []
    street = unicodedata.normalize("NFC", (row.get("street") or "").strip())
    if not street or not normalize_street(street):
        problems.append("street is empty")
    numbers: list[int] = []
    for column in ("number_from", "number_to"):
        raw = (row.get(column) or "").strip()
        if not raw.isascii() or not raw.isdigit():
            problems.append(f"{column} must be a whole number")
        elif not 1 <= int(raw) <= MAX_HOUSE_NUMBER:
            problems.append(f"{column} must be between 1 and {MAX_HOUSE_NUMBER}")
        else:
            numbers.append(int(raw))
    if len(numbers) == 2 and numbers[0] > numbers[1]:
        problems.append("number_from is greater than number_to")
    parity = _PARITY_BY_NAME.get((row.get("parity") or "").strip().lower())
    if parity is None:
        problems.append("parity must be all, odd or even")
    postal_code = (row.get("postal_code") or "").strip()
    if postal_code and not re.fullmatch(r"\d{4}", postal_code):
        problems.append("postal_code must be four digits or empty")
    code = (row.get("district_code") or "").strip()
    if code not in AREA_NAMES:
        problems.append("district_code must be 030101–030117")
    if problems or parity is None:
        return None, problems
    return AddressRow(street, numbers[0], numbers[1], parity, postal_code, code), []


def _ranges_overlap(a: AddressRow, b: AddressRow) -> bool:
    low, high = max(a.number_from, b.number_from), min(a.number_to, b.number_to)
    if low > high:
        return False
    parities = {a.parity, b.parity} - {"all"}
    if len(parities) == 2:
        return False
    if not parities:
        return True
    wanted = 1 if parities == {"odd"} else 0
    return low % 2 == wanted or low + 1 <= high


def _conflicts(rows: Sequence[tuple[int, AddressRow]]) -> list[str]:
    by_street: dict[str, list[tuple[int, AddressRow]]] = defaultdict(list)
    for line, row in rows:
        by_street[row.key].append((line, row))
    problems = []
    for entries in by_street.values():
        for i, (line_a, a) in enumerate(entries):
            for line_b, b in entries[i + 1 :]:
                if a.district_code != b.district_code and _ranges_overlap(a, b):
                    problems.append(
                        f"line {line_b}: {b.street} {b.number_from}–{b.number_to} overlaps "
                        f"line {line_a} but names another district"
                    )
    return problems


def import_address_csv(path: Path | str) -> list[AddressRow]:
    """Read and validate an address table; raise AddressImportError listing every problem.

    Columns (header required, comma or semicolon separated, UTF-8 with or
    without BOM): ``street, number_from, number_to, parity, postal_code,
    district_code``. Two rows for the same street whose ranges overlap must
    name the same district: a table that routes one address two ways would
    send a tenant's case to the wrong office without anyone noticing.
    Used by ``outreach districts import FILE``.
    """
    source = Path(path)
    with source.open(encoding="utf-8-sig", newline="") as handle:
        sample = handle.readline()
        handle.seek(0)
        delimiter = ";" if sample.count(";") > sample.count(",") else ","
        reader = csv.DictReader(handle, delimiter=delimiter)
        header = [name.strip() for name in reader.fieldnames or []]
        missing = [c for c in ADDRESS_COLUMNS if c not in header]
        if missing:
            raise AddressImportError([f"header: missing column(s) {', '.join(missing)}"])
        reader.fieldnames = header
        problems: list[str] = []
        rows: list[tuple[int, AddressRow]] = []
        for line, raw in enumerate(reader, start=2):
            parsed, row_problems = _row_problems(raw)
            problems.extend(f"line {line}: {p}" for p in row_problems)
            if parsed is not None:
                rows.append((line, parsed))
            if len(problems) >= MAX_REPORTED_PROBLEMS:
                break
    if not rows and not problems:
        problems.append("the file has no address rows")
    problems.extend(_conflicts(rows))
    if problems:
        raise AddressImportError(problems[:MAX_REPORTED_PROBLEMS])
    return [row for _, row in rows]


@lru_cache(maxsize=1)
def default_address_table() -> tuple[AddressRow, ...]:
    """The shipped demo table (``outreach/data/oslo_addresses.csv``)."""
    return tuple(import_address_csv(ADDRESSES_FILE))


def _index(table: Iterable[AddressRow]) -> dict[str, list[AddressRow]]:
    index: dict[str, list[AddressRow]] = defaultdict(list)
    for row in table:
        index[row.key].append(row)
    return index


@lru_cache(maxsize=1)
def _shipped_index() -> dict[str, list[AddressRow]]:
    return _index(default_address_table())


# The table in force: set once at start (``use_address_table``) from the
# operator's import; the shipped demo table until then.
_installed: dict[str, list[AddressRow]] | None = None

IMPORTED_TABLE = "address-table.csv"


def _default_index() -> dict[str, list[AddressRow]]:
    return _installed if _installed is not None else _shipped_index()


def address_table_for(configured: Path | None, var_dir: Path) -> Path | None:
    """Which table to route by: the configured file, else an import in var/, else None (demo)."""
    if configured is not None:
        return configured
    imported = var_dir / IMPORTED_TABLE
    return imported if imported.exists() else None


def use_address_table(path: Path | None) -> int:
    """Route by ``path`` from now on (None: the shipped demo table); returns its row count.

    Raises ``AddressImportError`` for a table that does not validate, so a
    broken import stops the service at start rather than misroute cases.
    """
    global _installed
    if path is None:
        _installed = None
        return len(default_address_table())
    rows = import_address_csv(path)
    _installed = _index(rows)
    return len(rows)


def install_address_table(source: Path, dest: Path, *, dataset: str = "") -> list[AddressRow]:
    """Validate ``source`` whole, then put it at ``dest`` atomically, with a note of its origin.

    Nothing is written unless every row passes; the note (``dest`` with
    ``.json``) records the source file, its SHA-256, the row count, when it was
    imported and the dataset's own name/date (``dataset``), so the next
    yearly re-import knows what it replaces.
    """
    import hashlib
    import json
    import os
    from datetime import UTC, datetime

    rows = import_address_csv(source)
    raw = source.read_bytes()
    dest.parent.mkdir(parents=True, exist_ok=True)
    temporary = dest.with_name(dest.name + ".tmp")
    temporary.write_bytes(raw)
    os.replace(temporary, dest)
    note = {
        "source": source.name,
        "sha256": hashlib.sha256(raw).hexdigest(),
        "rows": len(rows),
        "imported_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "dataset": dataset,
    }
    dest.with_suffix(".json").write_text(json.dumps(note, indent=2) + "\n", encoding="utf-8")
    return rows


def lookup_district(
    street: str,
    house_number_text: str,
    postal_code: str | None,
    *,
    table: Sequence[AddressRow] | None = None,
    include_unroutable: bool = False,
) -> DistrictMatch | None:
    """The district an address belongs to, or None when the table cannot say for sure.

    None when the street is unknown, the house number is unreadable or outside
    every range, the candidates name more than one district (a human decides),
    or the address lies in Sentrum or Marka (unless ``include_unroutable``).
    An empty house number matches when every row for the street agrees.
    """
    rows = (_default_index() if table is None else _index(table)).get(normalize_street(street))
    if not rows:
        return None
    candidates = list(rows)
    if house_number_text.strip():
        parsed = parse_house_number(house_number_text)
        if parsed is None:
            return None
        candidates = [r for r in candidates if r.covers(parsed[0])]
    postal = (postal_code or "").strip()
    agrees: bool | None = None
    if postal:
        same_postal = [r for r in candidates if r.postal_code == postal]
        if same_postal:
            candidates, agrees = same_postal, True
        elif any(r.postal_code for r in candidates):
            agrees = False
    codes = {r.district_code for r in candidates}
    if len(codes) != 1:
        return None
    code = codes.pop()
    routable = is_routable(code)
    if not routable and not include_unroutable:
        return None
    return DistrictMatch(
        code=code,
        name=AREA_NAMES[code],
        routable=routable,
        district=district(code) if routable else None,
        street=candidates[0].street,
        postal_code_agrees=agrees,
    )
