"""Reading a statistics file someone exported from a spreadsheet, and saying what is wrong with it.

The bailiff's overview and the population figures arrive as CSV from other
organisations' systems, usually through Excel: UTF-8 with or without a BOM,
comma, semicolon or tab between fields, blank rows (often only separators),
Norwegian or English column names. What we cannot read we refuse, naming the
line and the column, so the sender can fix the file; nothing here guesses a value.
"""

from __future__ import annotations

import csv
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from outreach.districts import AREA_NAMES

#: Problems listed for one file at most; the file needs fixing anyway.
MAX_PROBLEMS = 100
#: Larger than any real quarterly overview or population table (a few hundred rows).
MAX_BYTES = 1_000_000
SEPARATORS = (",", ";", "\t")

_ENGLISH = {
    "not_utf8": "the file is not UTF-8 text (save it as CSV UTF-8)",
    "too_large": "the file is larger than 1 MB",
    "empty_file": "the file has no data rows",
    "missing_columns": "missing column(s) {detail} (separator must be comma, semicolon or tab)",
    "field_count": "expected {detail} fields, found {value} (wrong separator?)",
    "empty": "is empty",
    "unknown_district": "unknown district {value!r}",
    "bad_quarter": "{value!r} is not a quarter like 2026-Q1",
    "bad_year": "{value!r} is not a year between 1990 and 2100",
    "not_a_number": "{value!r} is not a whole number",
    "negative": "{value!r} is negative",
    "not_positive": "{value!r} must be greater than zero",
    "too_large_number": "{value!r} is larger than {detail}",
    "unknown_plaintiff_type": "unknown plaintiff type {value!r}",
    "duplicate": "duplicate of line {detail}",
    "too_long": "is longer than {detail} characters",
}


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a file: ``line`` 0 is the whole file, 1 usually the header.

    ``code`` names the problem so a page can say it in its own language;
    ``str()`` is the operator's English (the CLI).
    """

    line: int
    field: str
    code: str
    value: str = ""
    detail: str = ""

    def __str__(self) -> str:
        text = _ENGLISH[self.code].format(value=self.value, detail=self.detail)
        where = f"line {self.line}" if self.line else "file"
        return f"{where}, {self.field}: {text}" if self.field else f"{where}: {text}"


class ImportRefused(ValueError):
    """The file was refused whole; ``problems`` says why, by line and column."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = list(problems)
        shown = "; ".join(str(p) for p in self.problems[:5])
        more = f" (and {len(self.problems) - 5} more)" if len(self.problems) > 5 else ""
        super().__init__(f"{len(self.problems)} problem(s), nothing imported: {shown}{more}")


Row = tuple[int, dict[str, str]]


def _blank(line: str) -> bool:
    return not line.strip() or not line.strip().strip(",;\t").strip()


def read_rows(
    data: bytes, columns: Mapping[str, Sequence[str]], *, comments: bool = False
) -> tuple[list[Row], list[Problem]]:
    """The data rows as ``(line, {column: text})``, and what stopped any row being read.

    ``columns`` maps each column's name to the names a header may use for it
    (case and surrounding spaces ignored). Blank lines are skipped; with
    ``comments``, so are lines starting with ``#`` (the shipped population file
    says where its figures come from).
    """
    if len(data) > MAX_BYTES:
        return [], [Problem(0, "", "too_large")]
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return [], [Problem(0, "", "not_utf8")]
    lines = [
        (number, line)
        for number, line in enumerate(text.splitlines(), start=1)
        if not _blank(line) and not (comments and line.lstrip().startswith("#"))
    ]
    if not lines:
        return [], [Problem(0, "", "empty_file")]
    header_line, header_text = lines[0]
    separator = max(SEPARATORS, key=header_text.count)
    header = [h.strip().casefold() for h in next(csv.reader([header_text], delimiter=separator))]
    by_alias = {alias.casefold(): name for name, aliases in columns.items() for alias in aliases}
    named = [by_alias.get(h, "") for h in header]
    missing = [name for name in columns if name not in named]
    if missing:
        return [], [Problem(header_line, "", "missing_columns", detail=", ".join(missing))]
    rows: list[Row] = []
    problems: list[Problem] = []
    for number, line in lines[1:]:
        fields = next(csv.reader([line], delimiter=separator))
        while len(fields) > len(header) and not fields[-1].strip():
            fields.pop()  # spreadsheets add empty trailing cells
        if len(fields) != len(header):
            problems.append(
                Problem(number, "", "field_count", str(len(fields)), detail=str(len(header)))
            )
            continue
        cells = zip(named, fields, strict=True)
        rows.append((number, {name: value.strip() for name, value in cells if name}))
    if not rows and not problems:
        problems.append(Problem(0, "", "empty_file"))
    return rows, problems


def district_code(text: str) -> str | None:
    """A district code from a code ("030101") or a name ("Gamle Oslo", "Bydel Gamle Oslo")."""
    if text in AREA_NAMES:
        return text
    name = text.casefold().removeprefix("bydel ").strip()
    for code, known in AREA_NAMES.items():
        if known.casefold() == name:
            return code
    return None


def count(
    problems: list[Problem], line: int, field: str, text: str, *, limit: int = 10_000_000
) -> int | None:
    """A non-negative whole number, or None with the problem recorded."""
    digits = text.replace(" ", "").replace("\u00a0", "")
    if digits.startswith("-") and digits[1:].isascii() and digits[1:].isdigit():
        problems.append(Problem(line, field, "negative", text))
        return None
    if not digits or not digits.isascii() or not digits.isdigit():
        problems.append(Problem(line, field, "empty" if not text else "not_a_number", text))
        return None
    value = int(digits)
    if value > limit:
        problems.append(Problem(line, field, "too_large_number", text, detail=str(limit)))
        return None
    return value
