"""A Table as a CSV file a Norwegian Excel opens as it is, and cannot be made to run.

Excel set to Norwegian splits on semicolons and reads a decimal comma; without
a byte-order mark it reads UTF-8 as Windows-1252 ("GrÃ¼nerlÃ¸kka"). So: BOM,
``;``, CRLF, shares as decimal fractions with a comma.

Formula injection (OWASP "CSV Injection"): a cell that starts with ``=``,
``+``, ``-``, ``@``, a tab or a carriage return is a formula to a spreadsheet,
and a district or category name is text someone typed. Every such cell gets a
leading apostrophe, which spreadsheets show as text and do not evaluate. The
numbers written here never start with one of those (counts and shares are not
negative), so the rule needs no exception.

The caller passes a table that has already been through
:func:`outreach.reports.suppress.suppress`: an export always leaves the district.
"""

from __future__ import annotations

import csv
import io

from outreach.reports.tables import Cell, Table

BOM = "\ufeff"
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(text: str) -> str:
    """A cell a spreadsheet shows as text, never as a formula."""
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def cell_text(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "ja" if value else "nei"
    if isinstance(value, float):
        return f"{value:.4f}".rstrip("0").rstrip(".").replace(".", ",") or "0"
    return str(value)


def to_csv(table: Table) -> bytes:
    """UTF-8 with BOM, semicolon-separated, the header row first."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow([neutralise(name) for name in table.columns])
    for row in table.rows:
        writer.writerow([neutralise(cell_text(value)) for value in row])
    return (BOM + out.getvalue()).encode("utf-8")


def file_name(table: Table, *, district: str | None, start: str, end: str) -> str:
    """``notices_by_kind-030101-2026-01-2026-12.csv``: the key is ASCII by contract."""
    safe_key = "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in table.key)
    return f"{safe_key}-{district or 'oslo'}-{start}-{end}.csv"
