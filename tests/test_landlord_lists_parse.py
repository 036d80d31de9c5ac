"""Reading arrears lists as spreadsheets write them (issue 14): property tests for every
row a spreadsheet can write, and the malformed rows of a real export, each on its own."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from outreach.landlords import lists_cells as cells
from outreach.landlords.lists_parse import (
    MAX_BYTES,
    ListFileError,
    ListRow,
    parse_list,
    parse_records,
)

HEADERS = {
    "nb": ("Referanse", "Navn", "Fødselsdato", "Fødselsnummer", "Adresse", "Postnummer",
           "Poststed", "Telefon", "Restanse", "Antall måneder"),
    "en": ("Reference", "Name", "Birth date", "National ID", "Address", "Postal code", "City",
           "Phone", "Arrears amount", "Months in arrears"),
}  # fmt: skip
LETTERS = "A-Za-zÆØÅæøåé"


def _amount(value: Decimal, style: str) -> str:
    whole, cents = f"{value:.2f}".split(".")
    grouped = f"{int(whole):,}"
    return {
        "nb": grouped.replace(",", " ") + "," + cents,
        "nbsp": grouped.replace(",", "\u00a0") + "," + cents,
        "dots": grouped.replace(",", ".") + "," + cents,
        "en": grouped + "." + cents,
        "plain": f"{whole}.{cents}",
        "kr": "kr " + grouped.replace(",", " ") + "," + cents,
        "int": grouped.replace(",", ".") if cents == "00" else f"{whole},{cents}",
    }[style]


def _date(value: date, style: str) -> str:
    return {
        "iso": value.isoformat(),
        "nb": value.strftime("%d.%m.%Y"),
        "short": f"{value.day}.{value.month}.{value.year}",
        "slash": value.strftime("%d/%m/%Y"),
        "serial": str((value - cells.EXCEL_EPOCH).days),
        "time": value.isoformat() + " 00:00:00",
    }[style]


words = st.from_regex(rf"[{LETTERS}][{LETTERS}' -]{{0,20}}[{LETTERS}]", fullmatch=True)
list_rows = st.builds(
    ListRow,
    row=st.just(0),
    reference=st.from_regex(r"[A-Za-z0-9][A-Za-z0-9./_-]{0,20}", fullmatch=True),
    name=words,
    birth_date=st.dates(date(1901, 1, 1), date(2010, 12, 31)),
    national_id=st.none() | st.from_regex(r"[1-9][0-9]{10}", fullmatch=True),
    address=st.builds(lambda w, n: f"{w} {n}", words, st.integers(1, 300)),
    postal_code=st.from_regex(r"[0-9]{4}", fullmatch=True),
    city=words,
    phone=st.none() | st.from_regex(r"\+47[49][0-9]{7}", fullmatch=True),
    arrears_amount=st.decimals(Decimal(1), Decimal(9_999_999), places=2),
    months_in_arrears=st.integers(1, 120),
)


@settings(max_examples=150, deadline=None)
@given(
    rows=st.lists(list_rows, min_size=1, max_size=5),
    delimiter=st.sampled_from([";", ",", "\t"]),
    bom=st.booleans(),
    language=st.sampled_from(sorted(HEADERS)),
    amount_style=st.sampled_from(["nb", "nbsp", "dots", "en", "plain", "kr", "int"]),
    date_style=st.sampled_from(["iso", "nb", "short", "slash", "serial", "time"]),
    blank_lines=st.booleans(),
)
def test_any_row_a_spreadsheet_writes_reads_back_to_itself(
    rows: list[ListRow], delimiter: str, bom: bool, language: str, amount_style: str,
    date_style: str, blank_lines: bool,
) -> None:  # fmt: skip
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(HEADERS[language])
    for row in rows:
        writer.writerow((
            row.reference, row.name, _date(row.birth_date, date_style),  # type: ignore[arg-type]
            row.national_id or "", row.address, row.postal_code, row.city, row.phone or "",
            _amount(row.arrears_amount, amount_style), row.months_in_arrears,
        ))  # fmt: skip
        if blank_lines:
            out.write("\r\n" + delimiter * 9 + "\r\n")
    content = ("\ufeff" if bom else "").encode() + out.getvalue().encode()
    parsed = parse_list(content)
    assert parsed.refused == ()
    assert [r.__dict__ | {"row": 0} for r in parsed.rows] == [r.__dict__ for r in rows]


@settings(max_examples=300, deadline=None)
@given(
    value=st.decimals(Decimal(0), Decimal(99_999_999), places=2),
    style=st.sampled_from(["nb", "nbsp", "dots", "en", "plain", "kr", "int"]),
)
def test_an_amount_in_any_locale_reads_back(value: Decimal, style: str) -> None:
    assert cells.amount(_amount(value, style)) == value


@given(st.dates(date(1900, 3, 1), date(2100, 12, 31)))
def test_an_excel_serial_number_is_the_date_excel_shows(value: date) -> None:
    assert cells.birth_date(str((value - cells.EXCEL_EPOCH).days)) == value
    assert cells.birth_date(f"{(value - cells.EXCEL_EPOCH).days}.0") == value


def test_excels_known_serials() -> None:
    assert cells.birth_date("45292") == date(2024, 1, 1)
    assert cells.birth_date("32142") == date(1987, 12, 31)


# What a municipal landlord's accounting export looked like (names and numbers made up):
# a title line, a BOM, semicolons, a row pasted in with commas, blank and ";;;" lines,
# Excel dates, a national id that lost its leading zero, a postal code that lost its own,
# amounts with spaces, dots and non-breaking spaces, and the rows a person would fix.
EXPORT = (
    "\ufeffRestanser per 30.11.2026;;;;;;;;;\r\n"
    ";;;;;;;;;\r\n"
    "Kontraktsnummer;Leietakers navn;Født;Fnr;Leieadresse;Postnr;Sted;Mobil;Restansebeløp;Mnd\r\n"
    "K-1001;Nora Berg;14.05.1979;;Tøyengata 12;190;Oslo;91234567;12 345,50;2\r\n"
    "K-1002;Ali Hassan;29221;;Grønlandsleiret 5;0190;Oslo;;8.000,00;1\r\n"
    'K-1003,Per Olsen,1985-02-03,,Trondheimsveien 2,0560,Oslo,,"24,500.00",3\r\n'
    "\r\n"
    "K-1004;Kari Nilsen;;5107912345;Storgata 1;0155;Oslo;;7\u00a0000;1\r\n"
    "K-1005;Ola Nordmann;31.02.1990;;Akersgata 3;0158;Oslo;;1 000;2\r\n"
    "K-1006;Eva Lund;03.03.1970;;;0159;Oslo;;kr 4 000,-;x\r\n"
    "K 1007;Bo Ek;03.03.1971;;Gata 2;0159;Oslo;;;2\r\n"
    ";;;;;;;;;\r\n"
).encode()


def test_the_malformed_rows_of_a_real_export_are_read_each_on_its_own() -> None:
    parsed = parse_list(EXPORT)
    assert parsed.format == "csv" and parsed.total == 7
    good = {r.reference: r for r in parsed.rows}
    assert set(good) == {"K-1001", "K-1002", "K-1003", "K-1004"}
    assert good["K-1001"].postal_code == "0190"
    assert good["K-1001"].arrears_amount == Decimal("12345.50")
    assert good["K-1002"].birth_date == date(1980, 1, 1)
    assert good["K-1003"].arrears_amount == Decimal("24500.00")
    assert good["K-1004"].national_id == "05107912345"
    assert good["K-1004"].arrears_amount == Decimal("7000.00")
    refused = {r.row: {f.field for f in r.faults} for r in parsed.refused}
    assert refused == {
        9: {"birth_date"},
        10: {"address", "months_in_arrears"},
        11: {"reference", "arrears_amount"},
    }


def test_cp1252_from_windows_excel_is_read() -> None:
    parsed = parse_list(EXPORT.decode("utf-8").encode("cp1252", errors="replace"))
    assert {r.reference for r in parsed.rows} >= {"K-1001", "K-1002"}


@pytest.mark.parametrize(
    ("content", "field", "code"),
    [
        (b"", "file", "empty"),
        (b"\xef\xbb\xbf\r\n;;;\r\n", "file", "empty"),
        (b"a;b;c\r\n1;2;3\r\n", "file", "no_header"),
        (b"PK\x03\x04\x14\x00\x06\x00", "file", "wrong_type"),
        (b"%PDF-1.7\n", "file", "wrong_type"),
        (b"Referanse;Navn;Adresse;Restanse;Mnd\r\nK-1;A;B;1;1\r\n", "birth_date", "missing_column"),
        (b"Referanse;Navn;Adresse;Restanse;Mnd;Fnr\r\n", "file", "empty"),
        (b"{not json", "file", "invalid_json"),
        (b"x" * (MAX_BYTES + 1), "file", "too_large"),
    ],
)
def test_a_file_that_cannot_be_read_names_the_field(content: bytes, field: str, code: str) -> None:
    with pytest.raises(ListFileError) as caught:
        parse_list(content)
    assert (caught.value.field, caught.value.code) == (field, code)


def test_json_rows_use_the_same_names_and_rules() -> None:
    rows = [
        {"reference": "K-1", "name": "Nora Berg", "birth_date": 29221, "address": "Gata 1",
         "postal_code": "0190", "city": "Oslo", "arrears_amount": 12345.5,
         "months_in_arrears": 2},
        {"reference": "K-2", "name": "", "birth_date": "1980-01-01", "address": "Gata 1",
         "postal_code": "0190", "arrears_amount": "1", "months_in_arrears": 1},
        "not a row",
    ]  # fmt: skip
    parsed = parse_list(json.dumps({"rows": rows}).encode())
    assert parsed.format == "json"
    assert parsed.rows[0].arrears_amount == Decimal("12345.50")
    assert parsed.rows[0].birth_date == date(1980, 1, 1)
    assert [(r.row, r.faults[0].field) for r in parsed.refused] == [(2, "name"), (3, "row")]
    with pytest.raises(ListFileError):
        parse_records([])
