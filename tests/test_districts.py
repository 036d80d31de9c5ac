"""Oslo's districts, the address table and its importer."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest

from outreach.config import Settings
from outreach.districts import (
    ADDRESS_COLUMNS,
    IMPORTED_TABLE,
    AddressImportError,
    all_districts,
    default_address_table,
    district,
    import_address_csv,
    is_routable,
    lookup_district,
    normalize_street,
    parse_house_number,
    use_address_table,
)
from outreach.identity import normalize_phone
from outreach.runtime import build_runtime

OFFICIAL = {
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

HEADER = ",".join(ADDRESS_COLUMNS)


def write_csv(tmp_path: Path, *lines: str, header: str = HEADER, name: str = "a.csv") -> Path:
    path = tmp_path / name
    path.write_text("\n".join([header, *lines]) + "\n", encoding="utf-8")
    return path


# -- districts -------------------------------------------------------------------


def test_the_fifteen_districts() -> None:
    districts = all_districts()
    assert {d.code: d.name for d in districts} == OFFICIAL
    assert [d.code for d in districts] == sorted(OFFICIAL)


def test_district_rows_are_complete_and_marked_demo() -> None:
    for d in all_districts():
        assert d.office_name.startswith("NAV ")
        assert d.office_street_address
        assert len(d.office_postal_code) == 4
        assert d.office_postal_code.isdigit()
        assert d.opening_hours
        assert d.duty_contact_name
        # Duty phones must at least be dialable numbers.
        assert normalize_phone(d.duty_contact_phone) == d.duty_contact_phone
        assert d.demo, "shipped contacts are fictitious and must say so"


def test_district_lookup_by_code() -> None:
    assert district("030102").name == "Grünerløkka"
    with pytest.raises(ValueError, match="Sentrum"):
        district("030116")
    with pytest.raises(ValueError, match="Marka"):
        district("030117")
    with pytest.raises(ValueError):
        district("030118")


@pytest.mark.parametrize("code", sorted(OFFICIAL))
def test_districts_are_routable(code: str) -> None:
    assert is_routable(code)


@pytest.mark.parametrize("code", ["030116", "030117", "030100", "0301", "", "301"])
def test_sentrum_marka_and_junk_are_not_routable(code: str) -> None:
    assert not is_routable(code)


# -- normalisation ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Tøyengata", "Tøyengt."),
        ("Tøyengata", "TØYEN GATE"),
        ("Thorvald Meyers gate", "Thorvald Meyers gt."),
        ("Thorvald Meyers gate", "thorvald meyers g."),
        ("Thorvald Meyers gate", "Thorvald  Meyersgate"),
        ("Thorvald Meyers gate", "Thorvald Meyers gata"),
        ("Trondheimsveien", "Trondheimsvn."),
        ("Trondheimsveien", "Trondheimsvegen"),
        ("Cecilie Thoresens vei", "Cecilie Thoresens veien"),
        ("Cecilie Thoresens vei", "Cecilie Thoresens vn"),
        ("Bygdøy allé", "Bygdøy alle"),
        ("Fred. Olsens gate", "Fred Olsens gate"),
    ],
)
def test_street_spellings_share_a_key(a: str, b: str) -> None:
    assert normalize_street(a) == normalize_street(b)


def test_nfd_input_matches_nfc() -> None:
    decomposed = unicodedata.normalize("NFD", "Åsengata")
    assert decomposed != "Åsengata"
    assert normalize_street(decomposed) == normalize_street("Åsengata")


def test_different_streets_keep_different_keys() -> None:
    assert normalize_street("Sagveien") != normalize_street("Sagene")
    assert normalize_street("Kirkegata") != normalize_street("Kirkeveien")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12", (12, "")),
        ("12 B", (12, "B")),
        ("12b", (12, "B")),
        (" 7 ", (7, "")),
        ("12-14", (12, "")),
        ("12 H0101", (12, "")),
        ("12B, H0101", (12, "B")),
        ("B12", None),
        ("", None),
    ],
)
def test_parse_house_number(text: str, expected: tuple[int, str] | None) -> None:
    assert parse_house_number(text) == expected


# -- lookup against the shipped table ----------------------------------------------


def test_shipped_table_covers_every_district() -> None:
    table = default_address_table()
    assert 60 <= len(table) <= 150
    assert {r.district_code for r in table} >= set(OFFICIAL)


@pytest.mark.parametrize(
    ("street", "number", "postal", "code"),
    [
        ("Thorvald Meyers gate", "49", "0555", "030102"),
        ("Thorvald Meyers gt.", "12 B", None, "030102"),
        ("TØYENGATA", "2", "0190", "030101"),
        ("Kjelsåsveien", "", None, "030108"),
        ("Hallagerbakken", "10", "1256", "030115"),
        ("Bygdøy alle", "5", None, "030105"),
    ],
)
def test_lookup_shipped_table(street: str, number: str, postal: str | None, code: str) -> None:
    match = lookup_district(street, number, postal)
    assert match is not None
    assert match.code == code
    assert match.routable
    assert match.district is not None
    assert match.district.code == code


def test_lookup_unknown_street_or_unreadable_number() -> None:
    assert lookup_district("Finnesikkeveien", "1", "0555") is None
    assert lookup_district("Thorvald Meyers gate", "B12", "0555") is None


def test_sentrum_address_is_not_a_routing_target() -> None:
    assert lookup_district("Karl Johans gate", "22", "0159") is None
    area = lookup_district("Karl Johans gt.", "22", "0159", include_unroutable=True)
    assert area is not None
    assert area.code == "030116"
    assert area.name == "Sentrum"
    assert not area.routable
    assert area.district is None


def test_postal_code_agreement_is_reported() -> None:
    agrees = lookup_district("Hallagerbakken", "10", "1256")
    assert agrees is not None
    assert agrees.postal_code_agrees is True
    differs = lookup_district("Hallagerbakken", "10", "0555")
    assert differs is not None
    assert differs.postal_code_agrees is False
    unknown = lookup_district("Tøyengata", "2", "0190")
    assert unknown is not None
    assert unknown.postal_code_agrees is None


# -- lookup logic on a table that splits streets -------------------------------------


@pytest.fixture
def split_table(tmp_path: Path) -> list:
    path = write_csv(
        tmp_path,
        "Grenseveien,1,99,odd,0661,030101",
        "Grenseveien,2,98,even,0662,030113",
        "Grenseveien,101,199,all,0663,030112",
        "Delegata,1,50,all,0551,030102",
        "Delegata,1,50,all,0461,030103",
        "Torget,1,9999,all,,030116",
    )
    # Delegata names two districts for the same numbers: that must not import.
    with pytest.raises(AddressImportError):
        import_address_csv(path)
    clean = write_csv(
        tmp_path,
        "Grenseveien,1,99,odd,0661,030101",
        "Grenseveien,2,98,even,0662,030113",
        "Grenseveien,101,199,all,0663,030112",
        "Torget,1,9999,all,,030116",
        name="clean.csv",
    )
    return import_address_csv(clean)


def test_split_by_parity_and_range(split_table: list) -> None:
    def code(number: str, postal: str | None = None) -> str | None:
        match = lookup_district("Grensevn.", number, postal, table=split_table)
        return match.code if match else None

    assert code("7") == "030101"
    assert code("8") == "030113"
    assert code("8 C") == "030113"
    assert code("150") == "030112"
    assert code("100") is None  # even numbers stop at 98, odd at 99
    assert code("250") is None
    # Without a number the street names three districts: a human decides.
    assert code("") is None


def test_postal_code_narrows_a_split_street(split_table: list) -> None:
    match = lookup_district("Grenseveien", "", "0662", table=split_table)
    assert match is not None
    assert match.code == "030113"
    assert match.postal_code_agrees is True


# -- the importer ---------------------------------------------------------------------


def test_import_shipped_table_round_trips() -> None:
    rows = import_address_csv(Path(__file__).parents[1] / "outreach/data/oslo_addresses.csv")
    assert rows == list(default_address_table())


def test_import_semicolon_and_bom(tmp_path: Path) -> None:
    path = tmp_path / "excel.csv"
    text = ";".join(ADDRESS_COLUMNS) + "\nSagveien;1;30;all;0458;030103\n"
    path.write_bytes("\ufeff".encode() + text.encode("utf-8"))
    rows = import_address_csv(path)
    assert len(rows) == 1
    assert rows[0].district_code == "030103"
    assert rows[0].parity == "all"


def test_import_normalizes_street_to_nfc(tmp_path: Path) -> None:
    path = write_csv(tmp_path, unicodedata.normalize("NFD", "Åsengata") + ",1,9,all,,030103")
    rows = import_address_csv(path)
    assert rows[0].street == "Åsengata"


def test_import_reports_every_problem_with_its_line(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path,
        "Sagveien,1,30,all,0458,030103",
        ",1,30,all,0458,030103",
        "Sagveien,x,30,all,0458,030103",
        "Sagveien,40,31,all,0458,030103",
        "Sagveien,1,30,some,0458,030103",
        "Sagveien,1,30,all,458,030103",
        "Sagveien,1,30,all,0458,030118",
        "Sagveien,0,30,all,0458,030103",
    )
    with pytest.raises(AddressImportError) as info:
        import_address_csv(path)
    problems = info.value.problems
    expected = [
        "line 3: street is empty",
        "line 4: number_from must be a whole number",
        "line 5: number_from is greater than number_to",
        "line 6: parity must be all, odd or even",
        "line 7: postal_code must be four digits or empty",
        "line 8: district_code must be 030101–030117",
        "line 9: number_from must be between 1 and 9999",
    ]
    assert problems == expected


def test_import_refuses_missing_columns(tmp_path: Path) -> None:
    header = "street,number_from,number_to,district"
    path = write_csv(tmp_path, "Sagveien,1,30,030103", header=header)
    with pytest.raises(AddressImportError, match="missing column"):
        import_address_csv(path)


def test_import_refuses_an_empty_file(tmp_path: Path) -> None:
    with pytest.raises(AddressImportError, match="no address rows"):
        import_address_csv(write_csv(tmp_path))


def test_import_conflicts_respect_parity(tmp_path: Path) -> None:
    odd_even = write_csv(
        tmp_path,
        "Grenseveien,1,99,odd,,030101",
        "Grenseveien,2,98,even,,030113",
        name="ok.csv",
    )
    assert len(import_address_csv(odd_even)) == 2
    # Odd and even sides never clash; an 'all' row inside the odd range does.
    clash = write_csv(
        tmp_path,
        "Grenseveien,1,99,odd,,030101",
        "Grensevn.,51,51,all,,030113",
        name="clash.csv",
    )
    with pytest.raises(AddressImportError, match="overlaps line 2"):
        import_address_csv(clash)
    # Overlap within the same district is harmless (e.g. two postal codes).
    same = write_csv(
        tmp_path,
        "Grenseveien,1,99,all,0661,030101",
        "Grenseveien,50,60,all,0662,030101",
        name="same.csv",
    )
    assert len(import_address_csv(same)) == 2


# -- importing a table the service then routes by -------------------------------------


def _cli(*args: str, var_dir: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "OUTREACH_VAR_DIR": str(var_dir)}
    env.pop("OUTREACH_ADDRESS_TABLE", None)
    return subprocess.run(
        [sys.executable, "-m", "outreach.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_districts_import_installs_a_valid_table_that_routing_then_uses(tmp_path: Path) -> None:
    source = write_csv(tmp_path, "Nyveien,1,9999,all,,030111", name="official.csv")
    var_dir = tmp_path / "var"
    result = _cli("districts", "import", str(source), "--dataset", "test 2026", var_dir=var_dir)
    assert result.returncode == 0, result.stderr
    assert "1 address rows imported" in result.stdout
    installed = var_dir / IMPORTED_TABLE
    note = json.loads(installed.with_suffix(".json").read_text())
    assert note["rows"] == 1 and note["dataset"] == "test 2026" and note["source"] == "official.csv"

    assert lookup_district("Nyveien", "3", None) is None  # still the shipped demo table
    try:
        build_runtime(Settings(env="test", var_dir=var_dir, testing=True))
        match = lookup_district("Nyveien", "3", None)
        assert match is not None and match.code == "030111"
        assert lookup_district("Tøyengata", "1", None) is None  # the demo table is gone
    finally:
        use_address_table(None)
    assert lookup_district("Tøyengata", "1", None) is not None


def test_districts_import_writes_nothing_when_a_row_is_wrong(tmp_path: Path) -> None:
    source = write_csv(
        tmp_path, "Nyveien,1,50,all,,030111", "Nyveien,40,60,all,,030112", name="bad.csv"
    )
    var_dir = tmp_path / "var"
    result = _cli("districts", "import", str(source), var_dir=var_dir)
    assert result.returncode != 0
    assert "nothing was imported" in result.stderr
    assert not (var_dir / IMPORTED_TABLE).exists()


def test_a_broken_configured_table_stops_the_start(tmp_path: Path) -> None:
    source = write_csv(tmp_path, "Nyveien,1,50,all,,039999", name="bad.csv")
    with pytest.raises(AddressImportError):
        build_runtime(Settings(env="test", var_dir=tmp_path, address_table=source, testing=True))
    use_address_table(None)
