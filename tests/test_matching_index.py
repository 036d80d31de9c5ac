"""The indexed candidate search answers as the full comparison would (issue 14, "Speed").

``find_person`` fetches candidates through indexes (``name_key`` narrowed to a
birth date that does not conflict; birth date with address or phone) and
scores them with the names normalised at write time (``Person.name_tokens``).
The reference here scores *every* person, each name normalised afresh, as
matching did before: the answers must be the same, whatever the persons.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import create_engine, select, text

from outreach.intake.matching import (
    NO_MATCH,
    Identity,
    Match,
    address_key,
    find_person,
    name_key,
    score,
    stored_tokens,
)
from outreach.migrate import upgrade
from outreach.models import Person

# Parts close to each other in every way the rules know: folded letters, doubled
# letters, transliterations, one-letter typos, initials, order.
PARTS = [
    "Amina", "Amima", "A", "Hassan", "Hasan", "Xasan", "Søren", "Soren", "Mohammed",
    "Maxamed", "Berg", "Berq", "Demo", "Kari", "Jonas", "Joans", "Øyvind", "Oeyvind",
]  # fmt: skip
NAMES = st.lists(st.sampled_from(PARTS), min_size=1, max_size=4).map(" ".join)
BIRTHS = st.sampled_from([None, date(1990, 1, 1), date(1985, 6, 2)])
DOORS = st.sampled_from([("Tøyengata 12", "0190"), ("Tøyengt. 12", "0190"), ("Hagegata 3", "0653")])
PHONES = st.sampled_from([None, "+4741234567", "+4790000000"])
PEOPLE = st.tuples(NAMES, BIRTHS, DOORS, PHONES, st.booleans())


def _old_full_comparison(persons: list[Person], trigger: Identity) -> Match:
    """Every person scored, each name normalised now: matching before the index."""
    if trigger.national_id_hash is not None:
        for person in persons:
            if person.national_id_hmac == trigger.national_id_hash:
                return Match(person.id, 1.0, "national_id")
    best = NO_MATCH
    for person in sorted(persons, key=lambda p: p.id):
        identity = Identity(
            name=person.name,
            birth_date=person.birth_date,
            address=person.address_key,
            phone=person.phone,
            national_id_hash=person.national_id_hmac,
        )
        match = score(trigger, identity, person.id)
        if match.confidence > best.confidence:
            best = match
    return best


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(people=st.lists(PEOPLE, min_size=1, max_size=8), probe=PEOPLE, stored=st.booleans())
def test_indexed_search_finds_what_the_full_comparison_finds(
    rt: Any, people: list[Any], probe: Any, stored: bool
) -> None:
    with rt.session() as session:
        persons = []
        for i, (name, born, (street, postal), phone, with_id) in enumerate(people):
            person = Person(
                name=name,
                name_key=name_key(name),
                # Rows written before the column existed have none: normalised on read.
                name_tokens=stored_tokens(name) if stored else None,
                birth_date=born,
                street=street,
                postal_code=postal,
                address_key=address_key(street, postal),
                phone=phone,
                national_id_hmac=f"hmac-{i}" if with_id else None,
                contact_sources={},
                reported={},
            )
            session.add(person)
            persons.append(person)
        session.flush()
        name, born, (street, postal), phone, with_id = probe
        trigger = Identity(
            name=name,
            birth_date=born,
            address=address_key(street, postal),
            phone=phone,
            national_id_hash="hmac-0" if with_id else None,
        )
        found = find_person(
            session,
            national_id_hash=trigger.national_id_hash,
            name=name,
            birth_date=born,
            street=street,
            postal_code=postal,
            phone=phone,
        )
        assert found == _old_full_comparison(persons, trigger)
        session.rollback()


def test_the_migration_fills_the_tokens_of_existing_persons(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'before.sqlite3'}"
    upgrade(url, "c4e9a1f3b7d5")
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO persons (name, name_key, street, postal_code, city, address_key,"
                " language, email_consent, protected_address, vulnerable, contact_sources,"
                " reported, created_at) VALUES ('Søren Hassan-Berg', 'berg hassan søren', '',"
                " '', '', '', 'nb', 0, 0, 0, '{}', '{}', '2026-12-01 10:00:00')"
            )
        )
    upgrade(url)
    with engine.connect() as conn:
        tokens = conn.execute(select(Person.name_tokens)).scalar_one()
    engine.dispose()
    assert tokens == stored_tokens("Søren Hassan-Berg")
    assert [folded for _, folded in tokens["tokens"]] == ["soren", "hassan", "berg"]
