"""Person matching with a crowded birth date, as a ratio against a bare indexed look-up.

Many people born abroad are registered as born on 1 January, so a close-name
match (outreach/intake/matching.py) must stay cheap when thousands share a
birth date: its candidates come from indexes (name key, birth date narrowed
to the same address or phone), then are scored in Python. The baseline is
the cheapest possible look-up: one indexed SELECT on ``name_key``.

Prints only; never fails on a slow machine.
"""

from __future__ import annotations

import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import select

from benchmarks._support import bench_runtime
from outreach.intake.matching import address_key, find_person, name_key, stored_tokens
from outreach.models import Person

CROWD = 20_000
LOOKUPS = 200
BORN = date(1990, 1, 1)
# A common name: many people called the same, born on other days (issue 14, "Speed").
NAMESAKES = 3_000


def main() -> None:
    with bench_runtime() as (rt, _clock):
        with rt.session() as session:
            session.add_all(
                Person(
                    name=f"Person {i}",
                    name_key=name_key(f"Person {i}"),
                    name_tokens=stored_tokens(f"Person {i}"),
                    birth_date=BORN,
                    address_key=address_key(f"Gate {i % 500}", "0190"),
                    phone=None,
                )
                for i in range(CROWD)
            )
            session.add_all(
                Person(
                    name="Mohammed Ali",
                    name_key=name_key("Mohammed Ali"),
                    name_tokens=stored_tokens("Mohammed Ali"),
                    birth_date=date.fromordinal(BORN.toordinal() + 1 + i),
                    address_key=address_key(f"Gate {i % 500}", "0190"),
                    phone=None,
                )
                for i in range(NAMESAKES)
            )
            session.add(
                Person(
                    name="Amina Demo Hassan",
                    name_key=name_key("Amina Demo Hassan"),
                    name_tokens=stored_tokens("Amina Demo Hassan"),
                    birth_date=BORN,
                    address_key=address_key("Tøyengata 12", "0190"),
                    phone="+4741234567",
                )
            )
            session.commit()
            started = time.perf_counter()
            for _ in range(LOOKUPS):
                session.scalars(
                    select(Person).where(Person.name_key == name_key("Amina Hassan"))
                ).all()
            bare = (time.perf_counter() - started) / LOOKUPS
            started = time.perf_counter()
            for _ in range(LOOKUPS):
                match = find_person(
                    session,
                    national_id_hash=None,
                    name="Amina Hassan",
                    birth_date=BORN,
                    street="Tøyengata 12",
                    postal_code="0190",
                    phone="+4741234567",
                )
            ours = (time.perf_counter() - started) / LOOKUPS
            started = time.perf_counter()
            for _ in range(LOOKUPS):
                namesake = find_person(
                    session,
                    national_id_hash=None,
                    name="Mohammed Ali",
                    birth_date=BORN,
                    street="Tøyengata 12",
                    postal_code="0190",
                    phone=None,
                )
            common = (time.perf_counter() - started) / LOOKUPS
        assert match.review  # the close name was found, not merged
        assert namesake.person_id is None  # namesakes born on other days are others
        print(
            f"matching, {NAMESAKES} of the same name born on other days: {common * 1000:6.2f} ms "
            f"per look-up   ratio (ours/bare): {common / bare:5.1f}x"
        )
        print(
            f"matching, {CROWD} born the same day: {ours * 1000:6.2f} ms per look-up   "
            f"bare name-key SELECT: {bare * 1000:6.2f} ms   ratio (ours/bare): {ours / bare:5.1f}x"
        )


if __name__ == "__main__":
    main()
