"""Who is this trigger about? Find the person, and say how sure we are.

Bailiff petitions carry name, address and birth date – often not the
national id (DOMAIN.md) – so matching must work without it. Merging two
different people would send one person's letters about another's debt, so a
doubtful match is never merged: intake opens a case of its own and puts the
pair in front of staff (``MatchReview``).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from outreach.districts import normalize_street
from outreach.models import Person

_NUMBERED = re.compile(r"^(?P<street>.*?)[\s,]+(?P<number>\d+\s*[A-Za-z]?)\s*$")

# At or above this a trigger joins the person's open case; between REVIEW and
# MERGE it becomes a case of its own with a review item for staff.
MERGE_THRESHOLD = 0.9
REVIEW_THRESHOLD = 0.5


def name_key(name: str) -> str:
    """Case-, accent- and order-insensitive key: "Hansen, Kari" == "kari  hansen".

    Norwegian letters are kept (ø is not o); other accents are dropped because
    senders differ in how they type them (é/e).
    """
    text = unicodedata.normalize("NFKC", name).casefold()
    text = text.replace(",", " ").replace("-", " ")
    kept = []
    for ch in unicodedata.normalize("NFD", text):
        if unicodedata.category(ch) == "Mn" and ch != "\u030a":  # keep å's ring
            continue
        kept.append(ch)
    text = unicodedata.normalize("NFC", "".join(kept))
    return " ".join(sorted(t for t in re.split(r"\s+", text) if t))


def address_key(street: str, postal_code: str) -> str:
    """ "Tøyengt. 12 b" and "Tøyengata 12B" are the same door."""
    match = _NUMBERED.match(unicodedata.normalize("NFKC", street).strip())
    if match is None:
        return f"{normalize_street(street)}||{postal_code.strip()}"
    number = re.sub(r"\s+", "", match["number"]).upper()
    return f"{normalize_street(match['street'])}|{number}|{postal_code.strip()}"


@dataclass(frozen=True)
class Match:
    person_id: int | None
    confidence: float
    method: str
    reasons: str = ""

    @property
    def merge(self) -> bool:
        return self.person_id is not None and self.confidence >= MERGE_THRESHOLD

    @property
    def review(self) -> bool:
        return self.person_id is not None and REVIEW_THRESHOLD <= self.confidence < MERGE_THRESHOLD


def find_person(
    session: Session,
    *,
    national_id_hash: str | None,
    name: str,
    birth_date: date | None,
    street: str,
    postal_code: str,
) -> Match:
    if national_id_hash is not None:
        person = session.scalar(select(Person).where(Person.national_id_hmac == national_id_hash))
        if person is not None:
            return Match(person.id, 1.0, "national_id")
    key = name_key(name)
    addr = address_key(street, postal_code)
    candidates = session.scalars(select(Person).where(Person.name_key == key)).all()
    best = Match(None, 0.0, "new")
    for person in candidates:
        if national_id_hash is not None and person.national_id_hmac not in (None, national_id_hash):
            continue  # both ids known and different: two people
        same_birth = birth_date is not None and person.birth_date == birth_date
        birth_conflict = birth_date is not None and person.birth_date is not None and not same_birth
        same_address = person.address_key == addr
        if birth_conflict:
            continue
        if same_birth and same_address:
            match = Match(person.id, 0.95, "name_birth_date_address", "name, birth date, address")
        elif same_birth:
            match = Match(
                person.id, 0.75, "name_birth_date", "name and birth date; address differs"
            )
        elif same_address:
            match = Match(
                person.id, 0.6, "name_address", "name and address; no birth date to compare"
            )
        else:
            continue
        if match.confidence > best.confidence:
            best = match
    return best
