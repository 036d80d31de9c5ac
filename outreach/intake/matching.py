"""Who is this trigger about? Find the person, and say how sure we are.

Bailiff petitions carry name, address and birth date – often not the
national id (DOMAIN.md) – so matching must work without it. Merging two
different people would send one person's letters about another's debt, so a
doubtful match is never merged: intake opens a case of its own and puts the
pair in front of staff (``MatchReview``). Missing a match is costly too: the
same household gets two letters and two caseworkers (issue 2).

The rules, strongest first (``score``):

- the same national id: the same person, whatever the name says;
- the same normalised name (``name_key``: case, accents and name order
  ignored), birth date and address: sure, the trigger joins the open case;
- a different birth date (both known) is never the same person – twins and
  parents share an address and a family name, and a typo in a birth date is
  for staff to spot, not for us to guess;
- otherwise doubtful, for staff: the same name and birth date at another
  address (moved); the same name and address with no birth date to compare;
  or, with the birth date equal, a *close* name (``compare_names``: a middle
  name or half a double surname missing, initials, ø/o and å/aa, spelling
  variants of transliterated names, one-letter typos) backed by the same
  address or the same phone. A close name alone, without address or phone,
  is not reported: many people born abroad are registered on 1 January, so
  a close name and a shared birth date say little.

Candidates are fetched by indexed columns only (``name_key``, narrowed in
SQL to a birth date that does not conflict; ``birth_date`` with address or
phone) and scored in Python. Names and birth dates are stored in clear (the
national id is the encrypted field), so no keyed hash is needed as a
blocking key.

Normalised once, at write time (issue 14, "Speed"): a person's name parts,
written and folded, are stored in ``Person.name_tokens`` (``stored_tokens``)
beside ``name_key``, so a look-up normalises only the trigger's name and
compares it with what each candidate already has. The stored form carries
``TOKENS_VERSION``: change the folding or the tokens and bump it, and rows
of the old version are normalised again on read until a migration refills them.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from outreach.districts import normalize_street
from outreach.models import Person

_NUMBERED = re.compile(r"^(?P<street>.*?)[\s,]+(?P<number>\d+\s*[A-Za-z]?)\s*$")

# At or above this a trigger joins the person's open case; between REVIEW and
# MERGE it becomes a case of its own with a review item for staff.
MERGE_THRESHOLD = 0.9
REVIEW_THRESHOLD = 0.5
# Ceiling for anything short of "sure": a close name never reaches a merge.
_DOUBT_CEILING = 0.85


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


NO_MATCH = Match(None, 0.0, "new")


@dataclass(frozen=True)
class Identity:
    """What matching compares: one side from the trigger, the other from a ``Person``.

    ``address`` is an ``address_key``; ``phone`` is E.164 (the schema
    normalises it); ``national_id_hash`` is the keyed HMAC, never the id.
    """

    name: str
    birth_date: date | None
    address: str
    phone: str | None = None
    national_id_hash: str | None = None
    # The name normalised (``name_key``, ``_tokens``), when the caller has it already
    # (a person's stored columns, the trigger's once per look-up): never recomputed.
    key: str | None = None
    tokens: tuple[tuple[str, str], ...] | None = None

    def name_key(self) -> str:
        return self.key if self.key is not None else name_key(self.name)

    def name_tokens(self) -> list[tuple[str, str]]:
        return list(self.tokens) if self.tokens is not None else _tokens(self.name)


# --- names --------------------------------------------------------------------

# Written one way on a Norwegian document and another on a foreign one (or by
# a keyboard without the letter): folded before comparing close names.
_FOLD = str.maketrans({"ø": "o", "æ": "ae", "å": "aa", "ß": "ss", "đ": "d", "ł": "l", "ı": "i"})

# Transliterations of the same name (compared after folding and collapsing
# doubled letters, see ``_skeleton``). Arabic and Somali names reach Norwegian
# registers in many spellings – Mohammed, Muhammad, Mohamed, Maxamed –
# and more than one edit apart, so the typo rule alone does not catch them.
# Each group is one name; the table is deliberately short: a wrong entry
# only ever costs a review, never a merge.
_VARIANT_GROUPS = (
    ("muhamad", "mohamed", "mohamad", "muhamed", "mohamud", "maxamed", "mehmet", "mahamed"),
    ("ahmad", "ahmed", "achmed", "axmed"),
    ("husein", "husain", "hosein", "husayn", "xusein"),
    ("hasan", "xasan", "hassen"),
    ("yusuf", "yousef", "yusef", "yosef", "jusuf", "yousuf", "yusuuf"),
    ("mustafa", "mostafa", "mustapha", "mustefa"),
    ("ibrahim", "ebrahim", "ibraahim", "ibrahiim"),
    ("osman", "usman", "othman", "uthman", "cusmaan", "usmaan"),
    ("omar", "umar", "cumar"),
    ("abdirahman", "abdurahman", "abdulrahman", "abdelrahman", "abdirahmaan", "abdurrahman"),
    ("fatima", "fatuma", "fatma", "faadumo", "fadumo"),
    ("aisha", "aysha", "ayesha", "aischa", "caasha", "aishah"),
    ("khadija", "kadija", "hadija", "khadidja", "khadiija", "khadiga"),
    ("mariam", "maryam", "meryem", "maryan", "mariama"),
)


def _collapse(folded: str) -> str:
    """Doubled letters as one: Hassan/Hasan, Mohammed/Mohamed, Cusmaan/Cusman."""
    return re.sub(r"(.)\1+", r"\1", folded)


_VARIANT = {_collapse(spelling): group[0] for group in _VARIANT_GROUPS for spelling in group}

# How much each kind of difference lowers the confidence in a close name.
_SAME, _FOLDED, _SPELLING, _TYPO, _INITIAL = 1.0, 0.95, 0.9, 0.85, 0.8
_MISSING_NAME = 0.9  # per name on one side only (a middle name, half a double surname)
_LABELS = {
    _FOLDED: "letters written differently (ø/o, å/aa, accents)",
    _SPELLING: "spelling variant",
    _TYPO: "one letter differs",
    _INITIAL: "initial for a name",
}
_MAX_TOKENS = 8  # longer "names" are not names; compare the first ones only


def _fold(token: str) -> str:
    text = unicodedata.normalize("NFKC", token).casefold().translate(_FOLD)
    kept = (ch for ch in unicodedata.normalize("NFKD", text) if unicodedata.category(ch) != "Mn")
    return "".join(ch for ch in kept if ch.isalnum())


def _skeleton(folded: str) -> str:
    """Doubled letters collapsed, then the variant group's name: Hassan -> hasan."""
    collapsed = _collapse(folded)
    return _VARIANT.get(collapsed, collapsed)


def _tokens(name: str) -> list[tuple[str, str]]:
    """Name parts as (written, folded); hyphens, commas, dots and slashes separate.

    "Written" is the part's ``name_key`` (Norwegian letters kept), so ø/o can
    be told from an exact agreement.
    """
    parts = re.sub(r"[,\-./]", " ", name).split()
    pairs = ((name_key(part), _fold(part)) for part in parts)
    return [(written, folded) for written, folded in pairs if folded][:_MAX_TOKENS]


#: Bump when ``name_key``, ``_fold`` or ``_tokens`` change: stored tokens of another
#: version are computed again from the name (``tokens_of``).
TOKENS_VERSION = 1


def stored_tokens(name: str) -> dict[str, Any]:
    """What ``Person.name_tokens`` keeps: the name's parts, written and folded, once."""
    return {"v": TOKENS_VERSION, "tokens": [list(pair) for pair in _tokens(name)]}


def tokens_of(name: str, stored: Any) -> tuple[tuple[str, str], ...]:
    """The stored parts when they are of this version, else the name's parts computed now."""
    if isinstance(stored, dict) and stored.get("v") == TOKENS_VERSION:
        return tuple((written, folded) for written, folded in stored["tokens"])
    return tuple(_tokens(name))


def _one_edit(a: str, b: str) -> bool:
    """One insertion, deletion, substitution or swap of neighbours (Damerau)."""
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        if len(diff) == 1:
            return True
        return (
            len(diff) == 2
            and diff[1] == diff[0] + 1
            and (a[diff[0]], a[diff[1]]) == (b[diff[1]], b[diff[0]])
        )
    short, long = (a, b) if len(a) < len(b) else (b, a)
    return any(long[:i] + long[i + 1 :] == short for i in range(len(long)))


def _token_quality(x: tuple[str, str], y: tuple[str, str]) -> float:
    """How alike two name parts are: 1.0 the same, 0.0 not alike."""
    if x[0] == y[0]:
        return _SAME
    a, b = x[1], y[1]
    if a == b:
        return _FOLDED
    if len(a) == 1 or len(b) == 1:
        # "A. Hassan": an initial stands for a name, never for another initial.
        initial, full = (a, b) if len(a) == 1 else (b, a)
        return _INITIAL if len(full) > 1 and full.startswith(initial) else 0.0
    if _skeleton(a) == _skeleton(b):
        return _SPELLING
    # Short names are too near each other (Ali/Adi, Ola/Ole) for the typo rule.
    if min(len(a), len(b)) >= 4 and _one_edit(a, b):
        return _TYPO
    return 0.0


@dataclass(frozen=True)
class NameCloseness:
    """How close two names are (``0.0``: not close) and what differs, for staff."""

    score: float
    differences: tuple[str, ...]


def _best_pairing(
    short: list[tuple[str, str]], long: list[tuple[str, str]]
) -> tuple[float, list[tuple[int, int, float]]]:
    """Each part of the shorter name paired with a distinct part of the longer one.

    The best product of qualities over all pairings; names have a handful of
    parts, so trying them all is cheap (at most 8!/(8-k)! and usually < 30).
    """
    best: tuple[float, list[tuple[int, int, float]]] = (0.0, [])

    def walk(
        i: int, used: frozenset[int], product: float, pairs: list[tuple[int, int, float]]
    ) -> None:
        nonlocal best
        if product <= best[0]:
            return
        if i == len(short):
            best = (product, pairs)
            return
        for j, other in enumerate(long):
            if j in used:
                continue
            quality = _token_quality(short[i], other)
            if quality > 0.0:
                walk(i + 1, used | {j}, product * quality, [*pairs, (i, j, quality)])

    walk(0, frozenset(), 1.0, [])
    return best


def compare_names(a: str, b: str) -> NameCloseness:
    """Are two written names close enough that staff should look?

    Close means every part of the shorter name has a partner in the longer
    one (order ignored: given and family names swap on foreign documents)
    and at least one partner is more than an initial; a one-part name with
    parts missing must agree exactly ("Hassan" / "Amina Hassan", not
    "Hasan" / "Amina Hassan"). Each difference lowers the score; names on
    one side only lower it per name. ``differences`` says how they differ,
    without the names: the reasons end up in the case timeline, which
    carries no personal data.
    """
    return _compare(name_key(a), _tokens(a), name_key(b), _tokens(b))


def _compare(
    key_a: str, ta: list[tuple[str, str]], key_b: str, tb: list[tuple[str, str]]
) -> NameCloseness:
    """``compare_names`` on names normalised already (stored, or once per look-up)."""
    if key_a == key_b:
        return NameCloseness(_SAME, ())
    if not ta or not tb:
        return NameCloseness(0.0, ())
    short, long = (ta, tb) if len(ta) <= len(tb) else (tb, ta)
    product, pairs = _best_pairing(short, long)
    if product == 0.0 or all(q == _INITIAL for _, _, q in pairs):
        return NameCloseness(0.0, ())
    missing = len(long) - len(short)
    if missing and len(short) == 1 and pairs[0][2] != _SAME:
        return NameCloseness(0.0, ())  # one part, itself only close: too little
    score = product * _MISSING_NAME**missing
    differences: list[str] = []
    if missing:
        differences.append("a name missing on one side")
    for quality in (_FOLDED, _SPELLING, _TYPO, _INITIAL):
        if any(q == quality for _, _, q in pairs):
            differences.append(_LABELS[quality])
    order = [j for _, j, _ in sorted(pairs)]
    if order != sorted(order):
        differences.append("names in another order")
    return NameCloseness(score, tuple(differences))


# --- the score ------------------------------------------------------------------


def score(trigger: Identity, person: Identity, person_id: int) -> Match:
    """How sure are we that the trigger is about this person? Pure: no I/O.

    Returns ``NO_MATCH`` when the two are not to be joined or shown to staff.
    Only the national id or the exact normalised name with birth date and
    address reach ``MERGE_THRESHOLD``; everything else that agrees enough is
    capped below it, so a doubtful match is a review and never a merge.
    """
    if trigger.national_id_hash is not None:
        if trigger.national_id_hash == person.national_id_hash:
            return Match(person_id, 1.0, "national_id")
        if person.national_id_hash is not None:
            return NO_MATCH  # both ids known and different: two people
    both_births = trigger.birth_date is not None and person.birth_date is not None
    if both_births and trigger.birth_date != person.birth_date:
        return NO_MATCH
    same_birth = both_births
    same_address = trigger.address == person.address
    same_phone = trigger.phone is not None and trigger.phone == person.phone
    phone_bonus = 0.05 if same_phone else 0.0
    phone_note = "; same phone" if same_phone else ""

    if trigger.name_key() == person.name_key():
        if same_birth and same_address:
            return Match(person_id, 0.95, "name_birth_date_address", "name, birth date, address")
        if same_birth:
            return Match(
                person_id,
                0.75 + phone_bonus,
                "name_birth_date",
                "name and birth date; address differs" + phone_note,
            )
        if same_address:  # one birth date unknown (a conflict returned above)
            return Match(
                person_id,
                0.6 + phone_bonus,
                "name_address",
                "name and address; no birth date to compare" + phone_note,
            )
        return NO_MATCH

    # A close name counts only with the same birth date and the same door or phone.
    if not same_birth or not (same_address or same_phone):
        return NO_MATCH
    closeness = _compare(
        trigger.name_key(), trigger.name_tokens(), person.name_key(), person.name_tokens()
    )
    if closeness.score == 0.0:
        return NO_MATCH
    if same_address and same_phone:
        base, method, agree = 0.85, "close_name_birth_date_address", "birth date, address, phone"
    elif same_address:
        base, method, agree = 0.8, "close_name_birth_date_address", "birth date, address"
    else:
        base, method, agree = 0.75, "close_name_birth_date_phone", "birth date, phone"
    confidence = min(_DOUBT_CEILING, max(REVIEW_THRESHOLD, base * closeness.score))
    reasons = f"similar name ({', '.join(closeness.differences)}), {agree}"
    if not same_address:
        reasons += "; address differs"
    return Match(person_id, round(confidence, 2), method, reasons)


# What scoring reads of a person: columns only, no ORM objects to build per candidate.
_COLUMNS = (
    Person.id,
    Person.name,
    Person.name_key,
    Person.name_tokens,
    Person.birth_date,
    Person.address_key,
    Person.phone,
    Person.national_id_hmac,
)


def _identity(row: Any) -> Identity:
    """A candidate as stored: its name normalised at write time, not again here."""
    return Identity(
        name=row.name,
        birth_date=row.birth_date,
        address=row.address_key,
        phone=row.phone,
        national_id_hash=row.national_id_hmac,
        key=row.name_key,
        tokens=tokens_of(row.name, row.name_tokens),
    )


def find_person(
    session: Session,
    *,
    national_id_hash: str | None,
    name: str,
    birth_date: date | None,
    street: str,
    postal_code: str,
    phone: str | None = None,
) -> Match:
    """The best match among the persons the indexes offer (``score`` decides).

    Candidates: the national id's person; everyone with the same
    ``name_key``; and, for close names, everyone born the same day who
    shares the address or the phone (``ix_persons_birth_date``). Persons
    written before that index existed are found the same way: the columns
    were always there, only the index is new.
    """
    if national_id_hash is not None:
        person = session.scalar(select(Person).where(Person.national_id_hmac == national_id_hash))
        if person is not None:
            return Match(person.id, 1.0, "national_id")
    trigger = Identity(
        name=name,
        birth_date=birth_date,
        address=address_key(street, postal_code),
        phone=phone,
        national_id_hash=national_id_hash,
        key=name_key(name),
        tokens=tuple(_tokens(name)),
    )
    same_name = select(*_COLUMNS).where(Person.name_key == trigger.key)
    if birth_date is not None:
        # Another birth date is never the same person (``score``): not even fetched.
        # (coalesce, not an OR: an OR on birth_date lets the planner read everyone born
        # that day through its index instead of the few of this name.)
        same_name = same_name.where(func.coalesce(Person.birth_date, birth_date) == birth_date)
    candidates = {row.id: row for row in session.execute(same_name)}
    if birth_date is not None:
        # Two look-ups rather than one OR: each is an index's (birth date + address,
        # phone), where an OR makes the database read everyone born that day.
        shares = [Person.address_key == trigger.address]
        if phone:
            shares.append(Person.phone == phone)
        for share in shares:
            born_same_day = select(*_COLUMNS).where(Person.birth_date == birth_date, share)
            candidates.update((row.id, row) for row in session.execute(born_same_day))
    best = NO_MATCH
    for person_id in sorted(candidates):  # the oldest person wins a tie
        match = score(trigger, _identity(candidates[person_id]), person_id)
        if match.confidence > best.confidence:
            best = match
    return best
