"""A believable year of notices, written fast with bulk inserts (issue 15's dashboard).

For the dashboard's browser screenshots and the report benchmark: persons,
cases, their notices, steps and attempts spread over twelve months and the
fifteen districts, deterministic (a seeded generator). Not the demo data –
``outreach.demo`` fills ``make run`` – and no person in it is real: names are
"Person 17".

Core ``insert()`` with lists of rows: SQLAlchemy sends them as multi-row
INSERTs (``insertmanyvalues``), so a city-year of 10,000 cases and 100,000
attempts is written in seconds on PostgreSQL.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from outreach.districts import DISTRICT_NAMES
from outreach.models import Attempt, Case, Person, Step, Trigger
from outreach.vocabulary import NOTICE_REASONS, PLAINTIFF_TYPES

OSLO = ZoneInfo("Europe/Oslo")
OUTCOMES = ("paid", "payment_plan", "rent_covered_by_nav", "moved", "evicted", "withdrawn", "other")
#: Bigger districts get more notices (roughly Oslo's population shares).
WEIGHTS = (10, 11, 6, 8, 9, 5, 7, 8, 5, 5, 6, 9, 8, 7, 7)
KINDS = ("unpaid_rent_warning", "eviction_petition", "forced_sale_notice", "eviction_scheduled")
KIND_WEIGHTS = (55, 30, 5, 10)
CHANNELS = ("sms", "letter", "email", "phone_call", "home_visit")


def _chunks(rows: list[dict[str, Any]], size: int = 5000) -> list[list[dict[str, Any]]]:
    return [rows[i : i + size] for i in range(0, len(rows), size)]


def _insert_returning(session: Session, model: Any, rows: list[dict[str, Any]]) -> list[int]:
    ids: list[int] = []
    for chunk in _chunks(rows):
        result = session.execute(
            insert(model).returning(model.id, sort_by_parameter_order=True), chunk
        )
        ids.extend(result.scalars())
    return ids


def fill_year(
    session: Session,
    *,
    year_start: date,
    cases: int,
    attempts_per_case: int = 0,
    districts: tuple[str, ...] = tuple(DISTRICT_NAMES),
    seed: int = 15,
) -> None:
    """``cases`` cases over the twelve months from ``year_start``, each with one notice."""
    rng = random.Random(seed)
    weights = WEIGHTS[: len(districts)] if len(districts) <= len(WEIGHTS) else None
    persons: list[dict[str, Any]] = []
    case_rows: list[dict[str, Any]] = []
    triggers: list[dict[str, Any]] = []
    steps: list[dict[str, Any]] = []
    span = (year_start.replace(year=year_start.year + 1) - year_start).days
    start = datetime.combine(year_start, time(8), OSLO)
    for i in range(cases):
        person_id = case_id = i  # the list index: the database's ids replace it below
        # More notices in spring and autumn, fewer in July (the courts' summer).
        day = rng.randrange(span)
        while (year_start + timedelta(days=day)).month == 7 and rng.random() < 0.6:
            day = rng.randrange(span)
        received = start + timedelta(days=day, minutes=rng.randrange(9 * 60))
        district = rng.choices(districts, weights=weights)[0]
        closed = rng.random() < 0.7
        letter_days = rng.choice((0, 1, 1, 2, 2, 3, 3, 4, 6))
        contact = rng.random() < 0.75
        persons.append(
            {
                "name": f"Person {person_id}",
                "name_key": f"person {person_id}",
                "birth_date": date(1940 + rng.randrange(62), 1 + rng.randrange(12), 1),
                "language": "nb",
                "contact_sources": {},
                "reported": {},
                "created_at": received.astimezone(UTC),
            }
        )
        kind = rng.choices(KINDS, weights=KIND_WEIGHTS)[0]
        case_rows.append(
            {
                "reference": f"Y{seed:02d}{case_id:07d}",
                "person_id": person_id,
                "district_code": district,
                "status": "closed" if closed else "open",
                "outcome": rng.choice(OUTCOMES) if closed else None,
                "opened_at": received,
                "closed_at": received + timedelta(days=5 + rng.randrange(80)) if closed else None,
                "is_repeat": rng.random() < 0.12,
                "first_timer": rng.random() < 0.6,
                "children_ages": [rng.randrange(18)] if rng.random() < 0.3 else [],
                "fact_sources": {},
                "letter_sent_at": received + timedelta(days=letter_days),
                "contact_started_at": (
                    received + timedelta(days=letter_days + rng.randrange(10)) if contact else None
                ),
            }
        )
        plaintiff = rng.choices(PLAINTIFF_TYPES, weights=(50, 20, 20, 5, 5))[0]
        triggers.append(
            {
                "case_id": case_id,
                "kind": kind,
                "received_at": received,
                "source_type": "municipal_landlord"
                if plaintiff == "municipal_landlord"
                else "landlord",
                "source_name": "Utleier AS",
                "plaintiff_type": plaintiff,
                "reason": "forced_sale"
                if kind == "forced_sale_notice"
                else NOTICE_REASONS[rng.choices((0, 1, 2), weights=(85, 10, 5))[0]],
                "created_at": received,
            }
        )
        for n in range(attempts_per_case):
            steps.append(
                {
                    "case_id": case_id,
                    "rule": f"step_{n}",
                    "key": f"y-{case_id}-{n}",
                    "channel": CHANNELS[n % len(CHANNELS)],
                    "due_at": received + timedelta(days=n),
                    "status": "done",
                    "params": {},
                    "created_at": received,
                }
            )
    person_ids = _insert_returning(session, Person, persons)
    for row in case_rows:
        row["person_id"] = person_ids[row["person_id"]]
    case_ids = _insert_returning(session, Case, case_rows)
    for row in (*triggers, *steps):
        row["case_id"] = case_ids[row["case_id"]]
    for chunk in _chunks(triggers):
        session.execute(insert(Trigger), chunk)
    if steps:
        for chunk in _chunks(steps):
            session.execute(insert(Step), chunk)
        step_ids = session.execute(
            select(Step.id, Step.case_id, Step.channel, Step.due_at).where(
                Step.case_id.in_(case_ids) if len(case_ids) < 1000 else Step.key.like("y-%")
            )
        ).all()
        attempts = [
            {
                "step_id": step_id,
                "case_id": case_id,
                "try_no": 1,
                "channel": channel,
                "status": rng.choice(("delivered", "delivered", "sent", "failed")),
                "created_at": due_at,
                "updated_at": due_at,
            }
            for step_id, case_id, channel, due_at in step_ids
        ]
        for chunk in _chunks(attempts):
            session.execute(insert(Attempt), chunk)
    session.commit()
