"""Issue 15: population per district, the bailiff's quarterly overview, and their figures.

Every expected figure below was computed by hand from the fixed data set in
``_world`` (the arithmetic is in the comments), on SQLite and PostgreSQL.
"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from outreach.config import REPO_ROOT
from outreach.districts import AREA_NAMES, DISTRICT_NAMES
from outreach.models import Case, Person, Trigger
from outreach.models.statistics import BailiffCount, Population
from outreach.reports.bailiff import (
    BailiffRow,
    import_bailiff,
    parse_bailiff,
    reconciliation,
    reconciliation_by_plaintiff,
)
from outreach.reports.csvfile import ImportRefused, Problem
from outreach.reports.figures import compute
from outreach.reports.population import (
    POPULATION_FILE,
    import_population,
    parse_population,
    per_1000,
    seed_population,
)
from outreach.reports.quarters import OSLO, parse_quarter, quarters_between
from outreach.reports.tables import ReportFilter, Table
from outreach.vocabulary import PLAINTIFF_TYPES

NOW = datetime(2026, 12, 1, 10, 0, tzinfo=OSLO)
Q1 = ReportFilter(date(2026, 1, 1), date(2026, 4, 1), step="quarter")
EXAMPLE = REPO_ROOT / "docs" / "examples" / "bailiff-2026-Q1.csv"
HEADER = "quarter,district,plaintiff_type,petitions,evictions\n"

# The bailiff's Q1 and Q2 for the fixed world.
BAILIFF_Q1 = (
    HEADER
    + "2026-Q1,030101,private_landlord,5,2\n"
    + "2026-Q1,030101,municipal_landlord,2,0\n"
    + "2026-Q1,030102,housing_cooperative,3,1\n"
    + "2026-Q1,030103,bank,1,0\n"
)
BAILIFF_Q2 = HEADER + "2026-Q2,030101,municipal_landlord,9,4\n"


def _at(y: int, m: int, d: int, hour: int = 10, minute: int = 0) -> datetime:
    return datetime(y, m, d, hour, minute, tzinfo=OSLO)


def _case(
    session: Any, ref: str, district: str | None, notices: list[tuple[str, datetime, str | None]]
) -> Case:
    """A case opened at its first notice's time, with ``(kind, received_at, plaintiff)`` notices."""
    person = Person(name=f"Person {ref}", name_key=f"person {ref}")
    session.add(person)
    session.flush()
    case = Case(
        reference=f"OUT-2026-{ref}", person_id=person.id, district_code=district,
        opened_at=notices[0][1], status="open",
    )  # fmt: skip
    session.add(case)
    session.flush()
    for kind, at, plaintiff in notices:
        trigger = Trigger(
            case_id=case.id, kind=kind, received_at=at, source_type="bailiff",
            plaintiff_type=plaintiff,
        )  # fmt: skip
        session.add(trigger)
    session.flush()
    return case


def _world(session: Any) -> None:
    """The fixed data set.

    Gamle Oslo (030101):
      A  petition 10 Jan (private), eviction completed 15 Mar (private)
      B  petition 31 Mar 23:30 Oslo time (municipal) – still Q1 in Oslo, 22:30 UTC
      C  petition 1 Apr 00:30 Oslo time (municipal) – Q2 in Oslo, though 31 Mar in UTC
      D  petition 1 Feb (private), dismissed by staff as not this case's – never counted
    Grünerløkka (030102):
      E  petition 10 Feb, plaintiff type not recorded
    No district yet:
      F  petition 20 Jan (private)
    """
    _case(
        session, "A", "030101",
        [("eviction_petition", _at(2026, 1, 10), "private_landlord"),
         ("eviction_completed", _at(2026, 3, 15), "private_landlord")],
    )  # fmt: skip
    _case(session, "B", "030101", [("eviction_petition", _at(2026, 3, 31, 23, 30), "municipal_landlord")])  # fmt: skip  # noqa: E501
    _case(session, "C", "030101", [("eviction_petition", _at(2026, 4, 1, 0, 30), "municipal_landlord")])  # fmt: skip  # noqa: E501
    dismissed = _case(session, "D", "030101", [("eviction_petition", _at(2026, 2, 1), "private_landlord")])  # fmt: skip  # noqa: E501
    dismissed.triggers[0].review = "dismissed"
    _case(session, "E", "030102", [("eviction_petition", _at(2026, 2, 10), None)])
    _case(session, "F", None, [("eviction_petition", _at(2026, 1, 20), "private_landlord")])
    session.flush()


def _import(session: Any, text: str, name: str = "test.csv") -> list[str]:
    return import_bailiff(
        session, parse_bailiff(text.encode()), source_name=name, imported_by="test", now=NOW
    )


def _rows(table: Table) -> dict[Any, tuple[Any, ...]]:
    return {row[0]: row[1:] for row in table.rows}


# -- reconciliation --------------------------------------------------------------------


def test_reconciliation_by_district_for_one_quarter(rt: Any) -> None:
    with rt.session() as session:
        _world(session)
        _import(session, BAILIFF_Q1)
        _import(session, BAILIFF_Q2)
        table = reconciliation(session, Q1)
    rows = _rows(table)
    # columns: bailiff petitions, NAV petitions, never reached NAV, bailiff evictions,
    # NAV eviction_completed, difference.
    # Gamle Oslo: bailiff 5 + 2 = 7 petitions, 2 + 0 = 2 evictions; NAV got A and B (C is Q2
    # in Oslo, D was dismissed) = 2; 7 - 2 = 5 never reached NAV; completed: A = 1; 2 - 1 = 1.
    assert rows["Gamle Oslo"] == (7, 2, 5, 2, 1, 1)
    # Grünerløkka: bailiff 3 and 1; NAV got E (no plaintiff type) = 1; 3 - 1 = 2; 1 - 0 = 1.
    assert rows["Grünerløkka"] == (3, 1, 2, 1, 0, 1)
    # Sagene: the bank's one petition never reached NAV.
    assert rows["Sagene"] == (1, 0, 1, 0, 0, 0)
    # A case with no district yet: NAV got F, the bailiff names a district for it.
    assert rows["Uten bydel"] == (0, 1, -1, 0, 0, 0)
    # Every district is listed, with zeros where nothing happened.
    assert rows["Frogner"] == (0, 0, 0, 0, 0, 0)
    assert [r[0] for r in table.rows][:15] == list(DISTRICT_NAMES.values())
    # City: 7 + 3 + 1 = 11 petitions; NAV 2 + 1 + 1 = 4; 11 - 4 = 7; evictions 2 + 1 = 3; NAV 1.
    assert rows["Oslo i alt"] == (11, 4, 7, 3, 1, 2)
    assert table.rows[-1][0] == "Oslo i alt"
    assert "Sentrum" not in rows, "an area with nothing is left out"
    assert table.counts == frozenset(range(1, 7))
    assert "2026-Q1" in table.description and "mangler" not in table.description


def test_reconciliation_by_plaintiff_type(rt: Any) -> None:
    with rt.session() as session:
        _world(session)
        _import(session, BAILIFF_Q1)
        table = reconciliation_by_plaintiff(session, Q1)
    assert [row for row in table.rows] == [
        # Gamle Oslo, private: bailiff 5/2; NAV A's petition and completion: 1/1.
        ("Gamle Oslo", "Privat utleier", 5, 1, 4, 2, 1, 1),
        # Gamle Oslo, municipal: bailiff 2/0; NAV B = 1.
        ("Gamle Oslo", "Kommunal utleier", 2, 1, 1, 0, 0, 0),
        ("Grünerløkka", "Borettslag/sameie", 3, 0, 3, 1, 0, 1),
        # E's petition has no plaintiff type: its own row, so the type rows read short.
        ("Grünerløkka", "Ikke registrert", 0, 1, -1, 0, 0, 0),
        ("Sagene", "Bank/långiver", 1, 0, 1, 0, 0, 0),
        ("Uten bydel", "Privat utleier", 0, 1, -1, 0, 0, 0),
    ]


def test_reconciliation_for_one_district_and_for_two_quarters(rt: Any) -> None:
    with rt.session() as session:
        _world(session)
        _import(session, BAILIFF_Q1)
        _import(session, BAILIFF_Q2)
        own = reconciliation(session, ReportFilter(date(2026, 1, 1), date(2026, 4, 1), "030101"))
        half = reconciliation(session, ReportFilter(date(2026, 1, 1), date(2026, 7, 1), "030101"))
        # A filter inside a quarter compares the whole quarter: the bailiff's unit.
        february = reconciliation(session, ReportFilter(date(2026, 2, 1), date(2026, 3, 1)))
        year = reconciliation(session, ReportFilter(date(2026, 1, 1), date(2027, 1, 1)))
    assert own.rows == (("Gamle Oslo", 7, 2, 5, 2, 1, 1),)
    # Q1 + Q2: bailiff 7 + 9 = 16 petitions, 2 + 4 = 6 evictions; NAV A, B, C = 3; 16 - 3 = 13.
    assert half.rows == (("Gamle Oslo", 16, 3, 13, 6, 1, 5),)
    assert _rows(february)["Oslo i alt"] == (11, 4, 7, 3, 1, 2)
    # Q3 and Q4 have no bailiff file: only Q1 and Q2 are compared, and the table says so.
    assert _rows(year)["Gamle Oslo"] == (16, 3, 13, 6, 1, 5)
    assert "Namsmannens tall mangler for: 2026-Q3, 2026-Q4." in year.description


def test_reconciliation_without_a_bailiff_file_shows_nothing(rt: Any) -> None:
    with rt.session() as session:
        _world(session)
        table = reconciliation(session, Q1)
        by_type = reconciliation_by_plaintiff(session, Q1)
    assert table.rows == () and by_type.rows == ()
    assert "mangler for: 2026-Q1" in table.description


def test_the_figures_are_on_the_dashboard(rt: Any) -> None:
    with rt.session() as session:
        keys = [table.key for table in compute(session, Q1)]
    assert keys[-3:] == ["per_1000", "reconciliation", "reconciliation_by_plaintiff"]


# -- per 1,000 inhabitants -------------------------------------------------------------

POPULATION = (
    "district_code,year,population,source\n"
    "030101,2025,4000,test 2025\n"
    "030102,2025,4000,test 2025\n"
    "030101,2026,5000,test 2026\n"
)


def test_per_1000_uses_the_latest_year_not_after_the_period(rt: Any) -> None:
    with rt.session() as session:
        _world(session)
        import_population(session, parse_population(POPULATION.encode()), NOW)
        table = per_1000(session, Q1)
        last_year = per_1000(session, ReportFilter(date(2025, 1, 1), date(2026, 1, 1)))
        before = per_1000(session, ReportFilter(date(2015, 1, 1), date(2016, 1, 1)))
    rows = _rows(table)
    # columns: population, its year, notices, per 1,000, cases opened, per 1,000.
    # Gamle Oslo, 2026 figure (5,000): notices A, A's completion, B = 3 (C is April, D was
    # dismissed); 3 * 1000 / 5000 = 0.6. Cases opened: A, B, D = 3 (D's case is a case) -> 0.6.
    assert rows["Gamle Oslo"] == (5000, 2026, 3, 0.6, 3, 0.6)
    # Grünerløkka has no 2026 figure: 2025's 4,000. E: 1 * 1000 / 4000 = 0.25 -> 0.3, halves
    # up as statistics tables round (Python's round() would say 0.2).
    assert rows["Grünerløkka"] == (4000, 2025, 1, 0.3, 1, 0.3)
    # No population figure: no rate, the counts still shown.
    assert rows["Sagene"] == (None, None, 0, None, 0, None)
    # City: 5000 + 4000 = 9000; notices 3 + 1 + F = 5; 5000 / 9000 = 0.555… -> 0.6; the
    # figures are of two years, so no single year is named.
    assert rows["Oslo i alt"] == (9000, None, 5, 0.6, 5, 0.6)
    assert table.counts == frozenset({3, 5})
    assert "test 2025; test 2026" in table.description
    # 2025: Gamle Oslo's 2025 figure (4,000); no notices then.
    assert _rows(last_year)["Gamle Oslo"] == (4000, 2025, 0, 0.0, 0, 0.0)
    assert _rows(before)["Oslo i alt"] == (None, None, 0, None, 0, None)
    assert "ingen befolkningstall" in before.description


def test_per_1000_for_one_district(rt: Any) -> None:
    with rt.session() as session:
        _world(session)
        import_population(session, parse_population(POPULATION.encode()), NOW)
        table = per_1000(session, ReportFilter(date(2026, 1, 1), date(2026, 4, 1), "030102"))
    assert table.rows == (("Grünerløkka", 4000, 2025, 1, 0.3, 1, 0.3),)


def test_the_shipped_population_is_seeded_once_and_an_import_replaces_its_year(rt: Any) -> None:
    with rt.session() as session:
        assert seed_population(session, NOW) == 17
        assert seed_population(session, NOW) == 0
        import_population(session, parse_population(POPULATION.encode()), NOW)
        fixed = "district_code,year,population,source\n030101,2016,51500,SSB corrected\n"
        import_population(session, parse_population(fixed.encode()), NOW)
        assert seed_population(session, NOW) == 0, "a seed never replaces an imported figure"
        query = select(Population.year, func.count()).group_by(Population.year)
        by_year = {year: n for year, n in session.execute(query)}
        # 2016 was replaced by a file with one row; 2025 and 2026 untouched.
        assert by_year == {2016: 1, 2025: 2, 2026: 1}
        table = per_1000(session, ReportFilter(date(2016, 1, 1), date(2017, 1, 1)))
    assert _rows(table)["Gamle Oslo"][:2] == (51500, 2016)


def test_the_shipped_population_file_is_ssb_2016_and_sums_to_its_total() -> None:
    rows = parse_population(POPULATION_FILE.read_bytes())
    assert {r.district_code for r in rows} == set(AREA_NAMES)
    assert {r.year for r in rows} == {2016}
    # SSB's Oslo total 658,390 less the 3,594 of "Uoppgitt bydel".
    assert sum(r.population for r in rows) == 658_390 - 3_594
    assert all("ssb.no/270431" in r.source for r in rows)


def test_a_bad_population_file_is_refused_by_line() -> None:
    text = (
        "bydel;år;folkemengde;kilde\n"
        "Gamle Oslo;2024;62000;SSB\n"
        "Atlantis;2024;100;SSB\n"
        "030102;24;100;SSB\n"
        "030103;2024;0;SSB\n"
        "030104;2024;many;\n"
        "bydel gamle oslo;2024;1;SSB\n"
    )
    with pytest.raises(ImportRefused) as refused:
        parse_population(text.encode())
    assert refused.value.problems == [
        Problem(3, "district_code", "unknown_district", "Atlantis"),
        Problem(4, "year", "bad_year", "24"),
        Problem(5, "population", "not_positive", "0"),
        Problem(6, "population", "not_a_number", "many"),
        Problem(6, "source", "empty"),
        Problem(7, "district_code", "duplicate", "030101", "2"),
    ]


# -- the bailiff's file: row by row ----------------------------------------------------


def _problems(text: str | bytes) -> list[str]:
    data = text.encode() if isinstance(text, str) else text
    with pytest.raises(ImportRefused) as refused:
        parse_bailiff(data)
    return [str(p) for p in refused.value.problems]


def test_a_spreadsheet_export_with_bom_semicolons_and_blank_lines_is_read() -> None:
    text = (
        "\ufeffKvartal;Bydel;Saksøkertype;Begjæringer;Utkastelser\r\n"
        "2026-Q1;Gamle Oslo;Privat utleier;12;3\r\n"
        ";;;;\r\n"
        "\r\n"
        "2026-q1;Bydel Grünerløkka;borettslag;1 204;0;;\r\n"
    )
    assert parse_bailiff(text.encode()) == [
        BailiffRow("2026-Q1", "030101", "private_landlord", 12, 3),
        BailiffRow("2026-Q1", "030102", "housing_cooperative", 1204, 0),
    ]


def test_a_malformed_bailiff_file_is_refused_naming_line_and_field() -> None:
    text = (
        HEADER
        + "2026-Q1,030101,private_landlord,5,2\n"
        + "\n"
        + "2026-Q5,Atlantis,alien,x,-1\n"
        + "2026-Q1,030101,private_landlord,6,1\n"
        + "2026-Q1;030102;bank;1;0\n"
        + "2026-Q1,030102,bank,,0\n"
    )
    assert _problems(text) == [
        "line 4, quarter: '2026-Q5' is not a quarter like 2026-Q1",
        "line 4, district: unknown district 'Atlantis'",
        "line 4, plaintiff_type: unknown plaintiff type 'alien'",
        "line 4, petitions: 'x' is not a whole number",
        "line 4, evictions: '-1' is negative",
        "line 5: duplicate of line 2",
        "line 6: expected 5 fields, found 1 (wrong separator?)",
        "line 7, petitions: is empty",
    ]


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"quarter|district|plaintiff_type|petitions|evictions\n2026-Q1|030101|bank|1|0\n",
         "line 1: missing column(s) quarter, district, plaintiff_type, petitions, evictions"),
        (HEADER.encode(), "file: the file has no data rows"),
        (b"", "file: the file has no data rows"),
        ("kvartal;bydel;saksøkertype;begjæringer;utkastelser\n2026-Q1;Østensjø;bank;1;0\n"
         .encode("latin-1"), "file: the file is not UTF-8 text"),
        (b"quarter,district,petitions,evictions\n2026-Q1,030101,1,0\n",
         "line 1: missing column(s) plaintiff_type"),
    ],
)  # fmt: skip
def test_a_file_that_cannot_be_read_says_why(data: bytes, expected: str) -> None:
    problems = _problems(data)
    assert len(problems) == 1 and problems[0].startswith(expected), problems


def test_quarters() -> None:
    assert parse_quarter(" 2026-q1 ") == parse_quarter("2026Q1") == "2026-Q1"
    assert parse_quarter("2026-Q0") is parse_quarter("Q1-2026") is parse_quarter("1850-Q1") is None
    assert quarters_between(date(2026, 2, 1), date(2026, 3, 1)) == ["2026-Q1"]
    assert quarters_between(date(2025, 11, 1), date(2026, 4, 2)) == [
        "2025-Q4", "2026-Q1", "2026-Q2",
    ]  # fmt: skip
    assert quarters_between(date(2026, 1, 1), date(2026, 1, 1)) == []


# -- the import: all or nothing, idempotent --------------------------------------------


def _stored(session: Any) -> list[tuple[Any, ...]]:
    query = select(
        BailiffCount.quarter,
        BailiffCount.district_code,
        BailiffCount.plaintiff_type,
        BailiffCount.petitions,
        BailiffCount.evictions,
    ).order_by(BailiffCount.quarter, BailiffCount.district_code, BailiffCount.plaintiff_type)
    return [tuple(row) for row in session.execute(query)]


def test_reimporting_a_quarter_replaces_it_and_leaves_other_quarters(rt: Any) -> None:
    with rt.session() as session:
        _import(session, BAILIFF_Q1)
        _import(session, BAILIFF_Q2)
        first = _stored(session)
        _import(session, BAILIFF_Q1)
        assert _stored(session) == first, "the same file twice changes nothing"
        corrected = HEADER + "2026-Q1,030101,private_landlord,6,2\n"
        assert _import(session, corrected) == ["2026-Q1"]
        assert _stored(session) == [
            ("2026-Q1", "030101", "private_landlord", 6, 2),
            ("2026-Q2", "030101", "municipal_landlord", 9, 4),
        ]


def test_a_refused_file_changes_nothing(rt: Any) -> None:
    with rt.session() as session:
        _import(session, BAILIFF_Q1)
        session.commit()
        before = _stored(session)
        with pytest.raises(ImportRefused):
            _import(session, HEADER + "2026-Q1,030101,bank,1,0\n2026-Q1,030101,bank,x,0\n")
        assert _stored(session) == before


_row = st.builds(
    BailiffRow,
    quarter=st.sampled_from(["2025-Q4", "2026-Q1", "2026-Q2"]),
    district_code=st.sampled_from(sorted(AREA_NAMES)),
    plaintiff_type=st.sampled_from(PLAINTIFF_TYPES),
    petitions=st.integers(0, 5000),
    evictions=st.integers(0, 5000),
)


def _csv(rows: list[BailiffRow], separator: str, bom: bool, names: bool) -> bytes:
    lines = [separator.join(HEADER.strip().split(","))]
    for i, r in enumerate(rows):
        district = AREA_NAMES[r.district_code] if names and i % 2 else r.district_code
        fields = [r.quarter, district, r.plaintiff_type, str(r.petitions), str(r.evictions)]
        lines.append(separator.join(fields))
        if i % 3 == 0:
            lines.append("")  # a blank line anywhere is skipped
    return ("\ufeff" if bom else "").encode() + "\r\n".join(lines).encode()


def _key(r: BailiffRow) -> tuple[str, str, str]:
    return (r.quarter, r.district_code, r.plaintiff_type)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    rows=st.lists(_row, max_size=25, unique_by=_key),
    separator=st.sampled_from([",", ";", "\t"]),
    bom=st.booleans(),
    names=st.booleans(),
)  # fmt: skip
def test_any_valid_file_imports_to_its_own_counts(
    rt: Any, rows: list[BailiffRow], separator: str, bom: bool, names: bool
) -> None:
    """Whatever the separator, BOM, blank lines or district names: what is stored and what
    the reconciliation shows are the file's sums, and importing it twice changes nothing."""
    data = _csv(rows, separator, bom, names)
    if not rows:
        with pytest.raises(ImportRefused):
            parse_bailiff(data)
        return
    with rt.session() as session:
        session.execute(BailiffCount.__table__.delete())
        for _ in range(2):
            import_bailiff(
                session, parse_bailiff(data), source_name="h.csv", imported_by="t", now=NOW
            )
        stored = _stored(session)
        table = reconciliation(session, ReportFilter(date(2025, 10, 1), date(2026, 7, 1)))
        session.rollback()
    expected = sorted(
        (r.quarter, r.district_code, r.plaintiff_type, r.petitions, r.evictions) for r in rows
    )
    assert stored == expected
    total = _rows(table)["Oslo i alt"]
    assert total[0] == sum(r.petitions for r in rows)
    assert total[3] == sum(r.evictions for r in rows)


# -- the console script and the sample file --------------------------------------------


def _cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "outreach.cli", *args],
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        env={**os.environ, **env},
        timeout=120,
        check=False,
    )


def test_the_import_commands(tmp_path: Path, redis_url: str) -> None:
    env = {"OUTREACH_VAR_DIR": str(tmp_path), "REDIS_URL": redis_url, "DATABASE_URL": ""}
    upgraded = _cli(env, "db", "upgrade")
    assert upgraded.returncode == 0, upgraded.stderr
    assert "17 population figures added" in upgraded.stdout
    first = _cli(env, "import-bailiff", str(EXAMPLE))
    assert first.returncode == 0, first.stderr
    assert "75 bailiff rows imported; replaced quarter(s) 2026-Q1" in first.stdout
    assert _cli(env, "import-bailiff", str(EXAMPLE)).returncode == 0
    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER + "2026-Q1,030101,bank,1,0\n2026-Q1,Atlantis,bank,1,0\n")
    refused = _cli(env, "import-bailiff", str(bad))
    assert refused.returncode != 0
    assert "nothing was imported" in refused.stderr
    assert "line 3, district: unknown district 'Atlantis'" in refused.stderr
    population = tmp_path / "population.csv"
    population.write_text(POPULATION)
    imported = _cli(env, "import-population", str(population))
    assert imported.returncode == 0, imported.stderr
    assert "3 population rows imported; replaced year(s) 2025, 2026" in imported.stdout


def test_the_sample_bailiff_file_is_valid() -> None:
    rows = parse_bailiff(EXAMPLE.read_bytes())
    assert len(rows) == 15 * len(PLAINTIFF_TYPES)
    assert {r.quarter for r in rows} == {"2026-Q1"}


# -- the staff page --------------------------------------------------------------------


def _upload(client: Any, url: str, data: bytes, name: str) -> Any:
    from io import BytesIO

    from tests.test_staff_support import csrf_token

    token = csrf_token(client, "/staff/statistikk/import")
    return client.post(
        url,
        data={"csrf_token": token, "file": (BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def test_an_administrator_imports_on_the_staff_page(app: Any, rt: Any) -> None:
    from tests.test_staff_support import login, make_user, text_of

    make_user(rt, "ada", roles="admin", districts="")
    client = app.test_client()
    login(client, "ada")
    page = client.get("/staff/statistikk/import")
    assert page.status_code == 200 and "Ingen kvartaler er importert" in text_of(page)
    done = _upload(client, "/staff/statistikk/import/namsmannen", EXAMPLE.read_bytes(), "q1.csv")
    assert done.status_code == 302
    shown = text_of(client.get("/staff/statistikk/import"))
    assert "75 rader fra namsmannen er importert; de erstatter 2026-Q1." in shown
    assert "<td>2026-Q1</td><td>813</td><td>181</td>" in shown  # the sample file's sums
    bad = "kvartal;bydel;saksøkertype;begjæringer;utkastelser\n2026-Q1;Atlantis;bank;tre;0\n"
    refused = _upload(client, "/staff/statistikk/import/namsmannen", bad.encode(), "feil.csv")
    body = text_of(refused)
    assert refused.status_code == 400
    assert "feil.csv ble ikke importert" in body
    assert "Ukjent bydel «Atlantis»." in body and "«tre» er ikke et helt tall." in body
    assert "<td>2026-Q1</td><td>813</td><td>181</td>" in body, "the earlier import stands"
    missing = client.post(
        "/staff/statistikk/import/befolkning",
        data={"csrf_token": csrf_token_for(client)},
    )
    assert missing.status_code == 400 and "Velg en CSV-fil." in text_of(missing)
    people = _upload(client, "/staff/statistikk/import/befolkning", POPULATION.encode(), "p.csv")
    assert people.status_code == 302
    shown = text_of(client.get("/staff/statistikk/import"))
    assert "3 befolkningstall er importert; de erstatter år 2025, 2026." in shown
    assert "<td>2026</td><td>1</td><td>5000</td><td>test 2026</td>" in shown


def csrf_token_for(client: Any) -> str:
    from tests.test_staff_support import csrf_token

    return csrf_token(client, "/staff/statistikk/import")


@pytest.mark.parametrize("role", ["analyst", "district_lead", "caseworker"])
def test_only_an_administrator_imports_statistics(app: Any, rt: Any, role: str) -> None:
    from tests.test_staff_support import login, make_user

    make_user(rt, f"u-{role}", roles=role)
    client = app.test_client()
    login(client, f"u-{role}")
    assert client.get("/staff/statistikk/import").status_code == 403
    with rt.session() as session:
        assert session.scalar(select(func.count()).select_from(BailiffCount)) == 0
