"""The bailiff's quarterly overview, and the petitions that never reached NAV (issue 15).

Oslo's bailiff (namsmannen) counts petitions and evictions per quarter,
district and plaintiff (seeds/004: the project mapped "alle innkomne
begjæringer" with the bailiff). Every petition should also reach NAV as an
``eviction_petition`` notice; a petition the bailiff counted and NAV never got
is a family nobody contacted – each a possible system failure ("systemsvikt").

The import is all or nothing per file: a statistics file with one bad line is
not trusted for its other lines either (a shifted column makes every line
plausible and wrong), so the whole file is refused with every problem named by
line and column, and the sender fixes and re-sends it. A file replaces the
quarters it contains, so importing the same file twice changes nothing and a
corrected file simply replaces the first.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, or_, select
from sqlalchemy.orm import Session

from outreach.districts import AREA_NAMES, DISTRICT_NAMES
from outreach.models import Case, Trigger
from outreach.models.statistics import BailiffCount
from outreach.reports.csvfile import (
    MAX_PROBLEMS,
    ImportRefused,
    Problem,
    count,
    district_code,
    read_rows,
)
from outreach.reports.quarters import (
    bound,
    next_quarter_start,
    parse_quarter,
    quarter_start,
    quarters_between,
)
from outreach.reports.tables import Cell, ReportFilter, Table
from outreach.vocabulary import PLAINTIFF_TYPES

COLUMNS = {
    "quarter": ("quarter", "kvartal"),
    "district": ("district", "district_code", "bydel"),
    "plaintiff_type": ("plaintiff_type", "plaintiff", "saksøkertype", "saksøker", "saksokertype"),
    "petitions": ("petitions", "begjæringer", "begjaeringer", "begjæring"),
    "evictions": ("evictions", "utkastelser", "gjennomførte utkastelser", "utkastelse"),
}
#: What a bailiff's file may call each plaintiff type (vocabulary.PLAINTIFF_TYPES).
PLAINTIFF_ALIASES: dict[str, str] = {
    **{t: t for t in PLAINTIFF_TYPES},
    "privat utleier": "private_landlord",
    "privat": "private_landlord",
    "borettslag": "housing_cooperative",
    "boligsameie": "housing_cooperative",
    "borettslag/sameie": "housing_cooperative",
    "kommunal utleier": "municipal_landlord",
    "kommunal": "municipal_landlord",
    "kommunen": "municipal_landlord",
    "boligbygg": "municipal_landlord",
    "bank/långiver": "bank",
    "långiver": "bank",
    "annen": "other",
    "annet": "other",
    "andre": "other",
}
#: Bokmål names for the tables (the dashboard shows titles as they are).
PLAINTIFF_NAMES: dict[str | None, str] = {
    "private_landlord": "Privat utleier",
    "housing_cooperative": "Borettslag/sameie",
    "municipal_landlord": "Kommunal utleier",
    "bank": "Bank/långiver",
    "other": "Annen",
    None: "Ikke registrert",
}
MAX_COUNT = 100_000  # per quarter, district and plaintiff: Oslo has ~5,000 petitions a year


@dataclass(frozen=True)
class BailiffRow:
    quarter: str
    district_code: str
    plaintiff_type: str
    petitions: int
    evictions: int


def parse_bailiff(data: bytes) -> list[BailiffRow]:
    """Every row of a bailiff's overview, or :class:`ImportRefused` naming each bad line."""
    rows, problems = read_rows(data, COLUMNS)
    parsed: list[BailiffRow] = []
    seen: dict[tuple[str, str, str], int] = {}
    for line, row in rows:
        before = len(problems)
        quarter = parse_quarter(row["quarter"])
        if quarter is None:
            problems.append(Problem(line, "quarter", "bad_quarter", row["quarter"]))
        code = district_code(row["district"])
        if code is None:
            problems.append(Problem(line, "district", "unknown_district", row["district"]))
        plaintiff = PLAINTIFF_ALIASES.get(row["plaintiff_type"].casefold())
        if plaintiff is None:
            problems.append(
                Problem(line, "plaintiff_type", "unknown_plaintiff_type", row["plaintiff_type"])
            )
        petitions = count(problems, line, "petitions", row["petitions"], limit=MAX_COUNT)
        evictions = count(problems, line, "evictions", row["evictions"], limit=MAX_COUNT)
        if len(problems) > before:
            continue
        assert quarter and code and plaintiff and petitions is not None and evictions is not None
        key = (quarter, code, plaintiff)
        if key in seen:
            problems.append(Problem(line, "", "duplicate", detail=str(seen[key])))
            continue
        seen[key] = line
        parsed.append(BailiffRow(quarter, code, plaintiff, petitions, evictions))
    if problems:
        raise ImportRefused(sorted(problems, key=lambda p: p.line)[:MAX_PROBLEMS])
    return parsed


def import_bailiff(
    session: Session,
    rows: list[BailiffRow],
    *,
    source_name: str,
    imported_by: str,
    now: datetime,
) -> list[str]:
    """Replace the quarters the rows cover (the caller commits: all or nothing); the quarters."""
    quarters = sorted({row.quarter for row in rows})
    session.execute(delete(BailiffCount).where(BailiffCount.quarter.in_(quarters)))
    session.add_all(
        BailiffCount(
            quarter=row.quarter,
            district_code=row.district_code,
            plaintiff_type=row.plaintiff_type,
            petitions=row.petitions,
            evictions=row.evictions,
            source_name=source_name[:200],
            imported_by=imported_by[:80],
            imported_at=now,
        )
        for row in rows
    )
    session.flush()
    return quarters


def imported_quarters(session: Session) -> list[tuple[str, int, int, datetime]]:
    """Per imported quarter: petitions, evictions and when it was imported (newest first)."""
    query = (
        select(
            BailiffCount.quarter,
            func.sum(BailiffCount.petitions),
            func.sum(BailiffCount.evictions),
            func.max(BailiffCount.imported_at),
        )
        .group_by(BailiffCount.quarter)
        .order_by(BailiffCount.quarter.desc())
    )
    return [(q, int(p), int(e), at) for q, p, e, at in session.execute(query)]


Key = tuple[str | None, str | None]  # (district code, plaintiff type)


@dataclass
class _Counts:
    petitions: int = 0
    nav_petitions: int = 0
    evictions: int = 0
    nav_evictions: int = 0

    def add(self, other: _Counts) -> None:
        self.petitions += other.petitions
        self.nav_petitions += other.nav_petitions
        self.evictions += other.evictions
        self.nav_evictions += other.nav_evictions

    def cells(self) -> tuple[int, ...]:
        return (
            self.petitions,
            self.nav_petitions,
            self.petitions - self.nav_petitions,
            self.evictions,
            self.nav_evictions,
            self.evictions - self.nav_evictions,
        )


@dataclass(frozen=True)
class _Compared:
    quarters: list[str]
    missing: list[str]
    counts: dict[Key, _Counts]


def _compare(session: Session, filt: ReportFilter) -> _Compared:
    """Both sides' counts per (district, plaintiff type) for the quarters the bailiff reported.

    Only quarters with a bailiff figure are compared (NAV's count against a
    missing file would show every petition as "too many"); the NAV side counts
    whole quarters too, as the bailiff does, even where the filter cuts one.
    """
    wanted = quarters_between(filt.start, filt.end)
    reported = set(
        session.scalars(
            select(BailiffCount.quarter).where(BailiffCount.quarter.in_(wanted)).distinct()
        )
    )
    quarters = [q for q in wanted if q in reported]
    missing = [q for q in wanted if q not in reported]
    counts: dict[Key, _Counts] = defaultdict(_Counts)
    if not quarters:
        return _Compared(quarters, missing, counts)
    bailiff = (
        select(
            BailiffCount.district_code,
            BailiffCount.plaintiff_type,
            func.sum(BailiffCount.petitions),
            func.sum(BailiffCount.evictions),
        )
        .where(BailiffCount.quarter.in_(quarters))
        .group_by(BailiffCount.district_code, BailiffCount.plaintiff_type)
    )
    if filt.district is not None:
        bailiff = bailiff.where(BailiffCount.district_code == filt.district)
    for code, plaintiff, petitions, evictions in session.execute(bailiff):
        counts[code, plaintiff].petitions += int(petitions)
        counts[code, plaintiff].evictions += int(evictions)
    # A dismissed notice was not this case's (issue 13); a pending one did reach NAV.
    counting = or_(Trigger.review.is_(None), Trigger.review != "dismissed")
    in_quarter = or_(
        *(
            (Trigger.received_at >= bound(quarter_start(q)))
            & (Trigger.received_at < bound(next_quarter_start(q)))
            for q in quarters
        )
    )
    nav = (
        select(Case.district_code, Trigger.plaintiff_type, Trigger.kind, func.count(Trigger.id))
        .join(Case, Case.id == Trigger.case_id)
        .where(Trigger.kind.in_(("eviction_petition", "eviction_completed")), in_quarter, counting)
        .group_by(Case.district_code, Trigger.plaintiff_type, Trigger.kind)
    )
    if filt.district is not None:
        nav = nav.where(Case.district_code == filt.district)
    for nav_code, nav_plaintiff, kind, n in session.execute(nav):
        if kind == "eviction_petition":
            counts[nav_code, nav_plaintiff].nav_petitions += n
        else:
            counts[nav_code, nav_plaintiff].nav_evictions += n
    return _Compared(quarters, missing, counts)


def _district_order(codes: set[str | None], filt: ReportFilter) -> list[str | None]:
    if filt.district is not None:
        return [filt.district]
    known = list(DISTRICT_NAMES) + [c for c in AREA_NAMES if c not in DISTRICT_NAMES]
    extra = sorted(c for c in codes if c is not None and c not in AREA_NAMES)
    return known + extra + ([None] if None in codes else [])


def _district_name(code: str | None) -> str:
    return "Uten bydel" if code is None else AREA_NAMES.get(code, code)


def _description(compared: _Compared) -> str:
    text = (
        "Begjæringer og utkastelser etter namsmannens kvartalstall, mot varslene NAV fikk "
        "(begjæring og gjennomført utkastelse) i de samme hele kvartalene. Differansen er "
        "begjæringer som aldri nådde NAV – hver en mulig systemsvikt; et negativt tall betyr "
        "at NAV registrerte flere enn namsmannen (kvartalsgrense eller bydel ulikt registrert)."
    )
    if compared.quarters:
        text += " Kvartal: " + ", ".join(compared.quarters) + "."
    if compared.missing:
        text += " Namsmannens tall mangler for: " + ", ".join(compared.missing) + "."
    return text


_COLUMNS = (
    "Begjæringer (namsmannen)",
    "Begjæringer mottatt av NAV",
    "Aldri nådd NAV",
    "Utkastelser (namsmannen)",
    "Utkastelser registrert av NAV",
    "Differanse utkastelser",
)


def reconciliation(session: Session, filt: ReportFilter) -> Table:
    """Per district: the bailiff's petitions and evictions against what reached NAV."""
    compared = _compare(session, filt)
    by_district: dict[str | None, _Counts] = defaultdict(_Counts)
    for (code, _plaintiff), counts in compared.counts.items():
        by_district[code].add(counts)
    rows: list[tuple[Cell, ...]] = []
    total = _Counts()
    if compared.quarters:
        for code in _district_order(set(by_district), filt):
            counts = by_district.get(code, _Counts())
            if code not in DISTRICT_NAMES and code != filt.district and counts == _Counts():
                continue  # Sentrum, Marka, no district: only when they have something
            total.add(counts)
            rows.append((_district_name(code), *counts.cells()))
        if filt.district is None:
            rows.append(("Oslo i alt", *total.cells()))
    return Table(
        key="reconciliation",
        title="Avstemming mot namsmannen",
        columns=("Bydel", *_COLUMNS),
        rows=tuple(rows),
        counts=frozenset(range(1, 7)),
        description=_description(compared),
    )


def reconciliation_by_plaintiff(session: Session, filt: ReportFilter) -> Table:
    """The same per district and plaintiff type, where either side has a figure.

    NAV's notices without a recorded plaintiff type show as "Ikke registrert":
    their petitions are then missing from a type the bailiff names, so read
    this table with the district table beside it.
    """
    compared = _compare(session, filt)
    codes = {code for code, _plaintiff in compared.counts}
    rows: list[tuple[Cell, ...]] = []
    # A type outside the vocabulary (an older value) still shows, after the known ones.
    odd = sorted({p for _c, p in compared.counts if p is not None and p not in PLAINTIFF_TYPES})
    plaintiffs: list[str | None] = [*PLAINTIFF_TYPES, *odd, None]
    for code in _district_order(codes, filt) if compared.quarters else []:
        for plaintiff in plaintiffs:
            counts = compared.counts.get((code, plaintiff))
            if counts is None or counts == _Counts():
                continue
            name = PLAINTIFF_NAMES.get(plaintiff, str(plaintiff))
            rows.append((_district_name(code), name, *counts.cells()))
    return Table(
        key="reconciliation_by_plaintiff",
        title="Avstemming mot namsmannen etter saksøkertype",
        columns=("Bydel", "Saksøkertype", *_COLUMNS),
        rows=tuple(rows),
        counts=frozenset(range(2, 8)),
        description=_description(compared),
    )
