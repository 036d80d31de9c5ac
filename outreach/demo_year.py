"""A believable year of finished cases for ``make run``, so the figures (issue 15) have data.

Rows are written directly, not through intake and the ladder: a year of
notices, letters, SMS, calls, visits and assessments through the real
machinery would take minutes and send things. Every case of the year is
closed, with nothing planned, so the worker and the tick leave them alone;
the demo's live cases (``outreach.demo``) are the ones to work with. The
proportions follow the seeds where they say something (004: about half are
repeat cases in Oslo; Bergen's petitions 66 % co-ops, 22 % private, 12 %
municipal; DOMAIN.md: about a quarter of petitions end in eviction), and are
plausible guesses elsewhere. Deterministic: the same seed gives the same year.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from outreach.districts import all_districts
from outreach.models import Attempt, Case, Event, Flag, Person, Step, Trigger
from outreach.workdays import OSLO, WorkCalendar

PREFIX = "DEMO-AAR-"
FIRST = [
    "Ingrid",
    "Fatima",
    "Jonas",
    "Sofie",
    "Ahmed",
    "Marta",
    "Lars",
    "Hodan",
    "Piotr",
    "Nora",
    "Ali",
    "Kari",
    "Olena",
    "Tomas",
    "Leila",
    "Erik",
    "Anna",
    "Yusuf",
    "Hanne",
]
LAST = [
    "Berg",
    "Hansen",
    "Ali",
    "Johansen",
    "Nowak",
    "Larsen",
    "Mohamed",
    "Olsen",
    "Khan",
    "Pettersen",
    "Nguyen",
    "Karlsen",
    "Shevchenko",
    "Andersen",
    "Haugen",
    "Warsame",
]
CALENDAR = WorkCalendar()


def _pick(rng: random.Random, weights: Mapping[str, float]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


FIRST_KINDS = {
    "unpaid_rent_warning": 34,
    "eviction_petition": 46,
    "forced_sale_notice": 8,
    "eviction_scheduled": 10,
    "lacks_capacity": 2,
}
PETITION_PLAINTIFFS = {
    "housing_cooperative": 50,
    "private_landlord": 28,
    "municipal_landlord": 14,
    "other": 8,
}
CONTACT = {  # (channel, through a task)
    "phone_in": 30,
    "sms_reply": 24,
    "phone_task": 22,
    "visit": 10,
    "booking": 10,
    "walk_in": 4,
}
REACHED_OUTCOMES = {
    "paid": 28,
    "payment_plan": 26,
    "rent_covered_by_nav": 16,
    "moved": 10,
    "withdrawn": 12,
    "other": 8,
}
UNREACHED_OUTCOMES = {"evicted": 30, "moved": 25, "withdrawn": 20, "paid": 10, "other": 15}
SYSTEM_FAILURES = (
    "Restansen var kjent i NAV i flere måneder uten tiltak",
    "Varselet ble liggende hos feil bydel",
    "Søknad om husleie var ikke behandlet før begjæringen",
)


@dataclass
class _Rows:
    """What one case becomes, before the ids exist."""

    case: Case
    notices: list[Trigger] = field(default_factory=list)
    letters: list[tuple[Trigger, datetime]] = field(default_factory=list)
    events: list[tuple[str, datetime, str | None, dict[str, Any]]] = field(default_factory=list)
    contact_round: datetime | None = None
    flags: list[Flag] = field(default_factory=list)


def _working_time(rng: random.Random, day: date) -> datetime:
    day = CALENDAR.next_working_day(day, include_today=True)
    return datetime.combine(day, time(8 + rng.randrange(7), rng.choice((0, 15, 30, 45))), OSLO)


def _notice(kind: str, at: datetime, rng: random.Random, plaintiff: str | None = None) -> Trigger:
    if plaintiff is None:
        plaintiff = {
            "unpaid_rent_warning": _pick(rng, {"municipal_landlord": 55, "private_landlord": 45}),
            "forced_sale_notice": "bank",
        }.get(kind) or _pick(rng, PETITION_PLAINTIFFS)
    source = (
        plaintiff
        if kind == "unpaid_rent_warning"
        else ("court" if kind == "forced_sale_notice" else "bailiff")
    )
    source_type = "landlord" if source == "private_landlord" else source
    reason = {"unpaid_rent_warning": "arrears", "forced_sale_notice": "forced_sale"}.get(kind)
    if reason is None:
        reason = _pick(rng, {"arrears": 88, "end_of_lease": 6, "breach_of_contract": 6})
    return Trigger(
        kind=kind, received_at=at, source_type=source_type, source_name="Demo",
        plaintiff_type=plaintiff, reason=reason, match_method="new", notes="",
    )  # fmt: skip


def _one_case(
    rng: random.Random, n: int, person: Person, district: str, opened: datetime, now: datetime
) -> _Rows:
    children = [rng.randrange(1, 17) for _ in range(rng.choice((1, 1, 2, 3)))] if (
        rng.random() < 0.35
    ) else []  # fmt: skip
    case = Case(
        reference=f"{PREFIX}{n:05d}", person=person, district_code=district, status="closed",
        opened_at=opened, children_ages=children, adults=rng.choice((1, 1, 2)),
        ladder_state="stopped",
    )  # fmt: skip
    rows = _Rows(case)
    kind = _pick(rng, FIRST_KINDS)
    first = _notice(kind, opened, rng)
    rows.notices.append(first)
    rows.events.append(("case_opened", opened, None, {"trigger_kind": kind}))
    later = opened
    if kind == "eviction_petition":
        first.eviction_date = (opened + timedelta(days=rng.randrange(40, 70))).date()
    # The letter: most within three working days, some late (a busy week, a holiday).
    delay = rng.choices((0, 1, 2, 3, 4, 6), weights=(10, 35, 25, 15, 10, 5))[0]
    posted = None
    if kind != "lacks_capacity":
        deadline_day = CALENDAR.add_working_days(opened, delay).date()
        posted = datetime.combine(deadline_day, time(14, 0), OSLO)
        if delay == 0:
            posted = min(
                opened + timedelta(hours=3), datetime.combine(opened.date(), time(15), OSLO)
            )
        posted = max(posted, opened + timedelta(minutes=30))
        rows.letters.append((first, posted))
        rows.events.append(("letter_sent", posted, "letter", {"audience": "tenant"}))
        later = posted
    reached = rng.random() < 0.66
    evicted = False
    if kind in ("eviction_petition", "eviction_scheduled") and first.eviction_date is None:
        first.eviction_date = (opened + timedelta(days=rng.randrange(14, 40))).date()
    if reached:
        route = _pick(rng, CONTACT)
        answered = later + timedelta(days=rng.randrange(1, 12), hours=rng.randrange(0, 6))
        channel = {"phone_in": "phone", "phone_task": "phone", "walk_in": "walk_in"}.get(
            route, route
        )
        data: dict[str, Any] = {"round": 1}
        if route in ("phone_task", "visit"):
            data["task_id"] = 0  # a task of the year; not a row here
        if route in ("sms_reply", "phone_task", "visit"):
            rows.contact_round = later + timedelta(days=7)
        rows.events.append(("response_registered", min(answered, now), channel, data))
        later = min(answered, now)
    else:
        rows.contact_round = later + timedelta(days=7)
        unreachable = later + timedelta(days=rng.randrange(14, 21))
        rows.events.append(("unreachable", min(unreachable, now), None, {"round": 1}))
        later = min(unreachable, now)
        flag_kinds = []
        age = opened.year - (person.birth_date or date(1980, 1, 1)).year
        if children:
            flag_kinds.append("child_welfare_assessment")
        if age >= 67 or rng.random() < 0.4:
            flag_kinds.append("special_followup")
        for flag_kind in flag_kinds:
            due = CALENDAR.add_working_days(later, 2)
            decided_at = later + timedelta(days=rng.choice((0.5, 1, 1.5, 2, 3, 5)))
            decision = rng.choice(
                (
                    "no_report",
                    "no_report",
                    "no_report",
                    "no_report",
                    "seek_parent_consent",
                    "report",
                )
                if flag_kind == "child_welfare_assessment"
                else ("no_special_followup", "special_followup_started", "referred")
            )
            undecided = decided_at > now
            rows.flags.append(
                Flag(kind=flag_kind, round=1, raised_at=later, due_at=due,
                     status="open" if undecided else "decided",
                     decision=None if undecided else decision,
                     decided_at=None if undecided else decided_at)
            )  # fmt: skip
        evicted = kind in ("eviction_petition", "eviction_scheduled") and rng.random() < 0.45
    if kind in ("eviction_petition", "eviction_scheduled") and first.eviction_date:
        if rng.random() < 0.25 and not evicted:
            moved_to = first.eviction_date + timedelta(days=rng.randrange(14, 45))
            at = _working_time(rng, min(first.eviction_date - timedelta(days=5), now.date()))
            if at > opened and at < now:
                rows.notices.append(_notice("eviction_scheduled", at, rng, first.plaintiff_type))
                rows.notices[-1].eviction_date = moved_to
                first.petition_outcome, first.petition_outcome_source = "postponed", "notice"
                first.petition_outcome_at = at
        if evicted:
            at = datetime.combine(first.eviction_date, time(11), OSLO)
            if opened < at < now:
                rows.notices.append(_notice("eviction_completed", at, rng, first.plaintiff_type))
                first.petition_outcome, first.petition_outcome_source = "evicted", "notice"
                first.petition_outcome_at = at
                later = max(later, at)
            else:
                evicted = False
    outcome = (
        "evicted" if evicted else _pick(rng, REACHED_OUTCOMES if reached else UNREACHED_OUTCOMES)
    )
    if outcome == "evicted" and not evicted:
        outcome = "other"
    if outcome == "withdrawn" and kind == "eviction_petition" and not first.petition_outcome:
        first.petition_outcome, first.petition_outcome_source = "withdrawn", "staff"
        first.petition_outcome_at = later
    closed = min(later + timedelta(days=rng.randrange(3, 30)), now - timedelta(minutes=5))
    case.closed_at = max(closed, later)
    case.outcome = outcome
    rows.events.append(("case_closed", case.closed_at, None, {"outcome": outcome}))
    if rng.random() < 0.025:
        case.system_failure = True
        case.system_failure_reason = rng.choice(SYSTEM_FAILURES)
        case.system_failure_at = case.closed_at
        rows.events.append(
            ("system_failure_marked", case.closed_at, None,
             {"failure_reason": case.system_failure_reason})
        )  # fmt: skip
    return rows


def seed_year(session: Session, now: datetime, cases: int = 420, seed: int = 15) -> int:
    """About a year of closed cases ending at ``now``; none if they exist already."""
    if session.scalar(
        select(func.count()).select_from(Case).where(Case.reference.like(f"{PREFIX}%"))
    ):
        return 0
    rng = random.Random(seed)  # noqa: S311 - demo data, not secrets
    districts = [d.code for d in all_districts()]
    weights = [rng.uniform(0.5, 2.0) for _ in districts]
    people: list[Person] = []
    history: dict[int, list[datetime]] = {}
    plans: list[_Rows] = []
    starts = sorted(
        _working_time(rng, (now - timedelta(days=rng.randrange(5, 365))).date())
        for _ in range(cases)
    )
    for n, opened in enumerate(starts, start=1):
        if people and rng.random() < 0.18:
            index = rng.randrange(len(people))  # a person seen before: maybe a repeat case
            person = people[index]
        else:
            born = date(rng.randrange(1938, 2005), rng.randrange(1, 13), rng.randrange(1, 29))
            name = f"{rng.choice(FIRST)} Demo {rng.choice(LAST)}"
            person = Person(name=name, name_key=name.lower(), birth_date=born, language="nb")
            index = len(people)
            people.append(person)
        rows = _one_case(rng, n, person, rng.choices(districts, weights)[0], opened, now)
        before = [t for t in history.get(index, []) if t < opened]
        rows.case.first_timer = not before
        rows.case.is_repeat = bool(before) and max(before) >= opened - timedelta(days=730)
        history.setdefault(index, []).append(rows.case.closed_at or opened)
        plans.append(rows)
    session.add_all(people)
    session.add_all(p.case for p in plans)
    session.flush()
    for rows in plans:
        for notice in rows.notices:
            notice.case_id = rows.case.id
        session.add_all(rows.notices)
    session.flush()
    steps: list[tuple[Step, _Rows]] = []
    for rows in plans:
        case_id = rows.case.id
        for notice, posted in rows.letters:
            step = Step(
                case_id=case_id, trigger_id=notice.id, rule="letter", key=f"letter:t{notice.id}",
                channel="letter", due_at=notice.received_at, status="done", finished_at=posted,
                deadline_at=CALENDAR.add_working_days(notice.received_at, 3),
            )  # fmt: skip
            steps.append((step, rows))
        if rows.contact_round is not None:
            steps.append(
                (Step(case_id=case_id, rule="sms", key="sms:r1", channel="sms",
                      due_at=rows.contact_round, status="done", finished_at=rows.contact_round),
                 rows)
            )  # fmt: skip
        for flag in rows.flags:
            flag.case_id = case_id
        session.add_all(rows.flags)
        session.add_all(
            Event(case_id=case_id, kind=kind, at=at, channel=channel, actor="seed-demo", data=data)
            for kind, at, channel, data in sorted(rows.events, key=lambda e: e[1])
        )
    session.add_all(step for step, _rows in steps)
    session.flush()
    for step, rows in steps:
        session.add(
            Attempt(
                step_id=step.id, case_id=rows.case.id, try_no=1, channel=step.channel,
                status="posted" if step.channel == "letter" else "delivered",
                created_at=step.finished_at, updated_at=step.finished_at,
            )
        )  # fmt: skip
    session.commit()
    return len(plans)
