"""``accept_trigger``: the one action that turns a trigger into a case.

Everything happens in one transaction – the trigger row, the person, the case,
routing and forwards, the planned steps, their timeline events – so a trigger
is either wholly accepted (and in the database before the response is sent)
or not at all. Redis is not touched: the tick hands due steps to the queue
later, so intake works while Redis is down (principle 1).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from outreach import timeline
from outreach.cases.pause import notice_while_paused
from outreach.intake.matching import Match, find_person
from outreach.intake.person import apply_household, new_person, update_person
from outreach.intake.reroute import brings_routing_facts, reroute, route_case
from outreach.intake.trust import hold_for_staff, is_party, source_key
from outreach.ladder import planning
from outreach.models import Case, MatchReview, Person, Trigger
from outreach.runtime import Runtime
from outreach.vocabulary import COUNTING


@dataclass(frozen=True)
class IntakeResult:
    trigger_id: int
    case_id: int
    case_reference: str
    district: str | None
    case_created: bool
    duplicate: bool
    match_method: str
    match_confidence: float
    review_id: int | None = None
    # Held for staff: the sender is not party to the case it joined (issue 13, item 1).
    held: bool = False
    # A notice sent again with other details: the fields it corrected (names, not values).
    corrected: tuple[str, ...] = ()

    def as_json(self) -> dict[str, Any]:
        return {
            "trigger_id": self.trigger_id,
            "case_id": self.case_id,
            "case_reference": self.case_reference,
            "district": self.district,
            "case_created": self.case_created,
            "duplicate": self.duplicate,
            "match": {"method": self.match_method, "confidence": self.match_confidence},
            "review_id": self.review_id,
            "corrected": list(self.corrected),
        }


class IdempotencyConflict(Exception):
    """The same Idempotency-Key came back with another request body."""

    def __init__(self, trigger_id: int) -> None:
        super().__init__("This Idempotency-Key was used for another request body.")
        self.trigger_id = trigger_id


def _existing(
    session: Session, data: dict[str, Any], idempotency_key: str | None
) -> Trigger | None:
    if idempotency_key:
        by_key = session.scalar(select(Trigger).where(Trigger.idempotency_key == idempotency_key))
        if by_key is not None:
            return by_key
    reference = data["source"].get("reference")
    if not reference:
        return None
    return session.scalar(
        select(Trigger)
        .where(
            Trigger.kind == data["kind"],
            Trigger.source_key == source_key(data["source"]),
            Trigger.source_reference == reference,
        )
        .limit(1)
    )


def _check_same_request(
    found: Trigger, idempotency_key: str | None, request_hash: str | None
) -> None:
    """Same key, other body: refuse instead of answering with the first result."""
    if (
        idempotency_key
        and request_hash
        and found.idempotency_key == idempotency_key
        and found.request_hash is not None
        and found.request_hash != request_hash
    ):
        raise IdempotencyConflict(found.id)


def _result_for(
    session: Session, trigger: Trigger, *, duplicate: bool, corrected: tuple[str, ...] = ()
) -> IntakeResult:
    case = session.get(Case, trigger.case_id)
    assert case is not None
    review = session.scalar(select(MatchReview.id).where(MatchReview.trigger_id == trigger.id))
    return IntakeResult(
        trigger_id=trigger.id,
        case_id=case.id,
        case_reference=case.reference,
        district=case.district_code,
        case_created=trigger.match_method in {"new", "review"} and not duplicate,
        duplicate=duplicate,
        match_method=trigger.match_method,
        match_confidence=trigger.match_confidence,
        review_id=review,
        held=trigger.review == "pending",
        corrected=corrected,
    )


def _correct(
    session: Session, rt: Runtime, found: Trigger, data: dict[str, Any], actor: str | None
) -> tuple[str, ...]:
    """The same notice again (same sender and reference) with other details is a
    correction – a caseworker fixing a typed address, a sender's amended copy – not
    a copy to drop (issue 12, item 12). It writes what a later notice from this
    sender would (``update_person``: by trust, or reported for staff when the first
    notice was held), with the same events, and a corrected address routes an
    unrouted case. A closed case is left as it is; the same details change nothing.
    """
    case = session.get(Case, found.case_id)
    if case is None or case.status == "closed":
        return ()
    now = rt.now()
    source = data["source"]["type"]
    party = found.review in COUNTING
    date_before = case.eviction_date
    person_changes, reported = update_person(
        case.person, data["tenant"], rt, source=source, party=party, trigger_id=found.id
    )
    household_changes = apply_household(case, data, rt) if party else []
    if not (person_changes or reported or household_changes):
        return ()
    _record_changes(
        session, case, found.id, now, actor, source, person_changes, reported,
        household_changes, date_before,
    )  # fmt: skip
    if case.district_code is None and person_changes:
        route_case(session, case, data, now, None)
    elif brings_routing_facts(person_changes, household_changes):
        reroute(session, rt, case, household_changes, now)
    planning.update_crisis(session, rt, case, now)
    planning.replan(session, rt, case, now)
    session.commit()
    return tuple(person_changes + reported + household_changes)


def _record_changes(
    session: Session,
    case: Case,
    trigger_id: int,
    at: datetime,
    actor: str | None,
    source: str,
    person_changes: list[str],
    reported: list[str],
    household_changes: list[str],
    date_before: date | None,
) -> None:
    """What a notice changed on the person and the household: field names, never values."""
    if person_changes:
        timeline.record(
            session, case.id, "person_updated", at, actor=actor,
            trigger_id=trigger_id, fields=person_changes,
        )  # fmt: skip
    if reported:
        timeline.record(
            session, case.id, "contact_reported", at, actor=actor,
            trigger_id=trigger_id, reported_fields=reported, source_type=source,
        )  # fmt: skip
    if household_changes:
        timeline.record(
            session, case.id, "household_updated", at, actor=actor,
            trigger_id=trigger_id, fields=household_changes, **_date_change(date_before, case),
        )  # fmt: skip


def _open_case(session: Session, person: Person, received_at: datetime) -> Case:
    earlier = session.scalar(select(Case.id).where(Case.person_id == person.id).limit(1))
    case = Case(
        reference="pending",
        person=person,
        status="open",
        opened_at=received_at,
        is_repeat=earlier is not None,
        children_ages=[],
    )
    session.add(case)
    session.flush()
    case.reference = f"OUT-{received_at.year}-{case.id:06d}"
    return case


def accept_trigger(
    session: Session,
    rt: Runtime,
    data: dict[str, Any],
    *,
    idempotency_key: str | None = None,
    received_by: str | None = None,
    actor: str | None = None,
    before_commit: Callable[[IntakeResult], None] | None = None,
    request_hash: str | None = None,
    sees: Callable[[Case], bool] | None = None,
) -> IntakeResult:
    """Accept a validated trigger (see ``intake.schema.load_trigger``).

    ``sees`` is a staff sender's reach (which cases they may read): a
    caseworker's notice about a case they may not see is held for that case's
    own staff, as is a landlord's about a case it is not party to
    (``intake.trust``).

    Idempotent: the same ``Idempotency-Key`` or the same kind + source
    reference from the same sender returns the first result. The caller
    scopes ``idempotency_key`` to itself (``"user:3:<key>"``); with
    ``request_hash`` given, the same key with another body raises
    ``IdempotencyConflict`` and writes nothing. Commits on success; ``before_commit``
    lets a caller add its own rows (a landlord's receipt) to the same
    transaction, so they exist together or not at all.
    """
    now = rt.now()
    found = _existing(session, data, idempotency_key)
    if found is not None:
        _check_same_request(found, idempotency_key, request_hash)
        corrected = _correct(session, rt, found, data, actor)
        return _result_for(session, found, duplicate=True, corrected=corrected)
    try:
        result = _accept(
            session, rt, data, now, idempotency_key, request_hash, received_by, actor, sees
        )
        if before_commit is not None:
            before_commit(result)
        session.commit()
        return result
    except IntegrityError:
        # A concurrent request with the same key or reference won the race.
        session.rollback()
        found = _existing(session, data, idempotency_key)
        if found is None:
            raise
        _check_same_request(found, idempotency_key, request_hash)
        return _result_for(session, found, duplicate=True)


def _accept(
    session: Session,
    rt: Runtime,
    data: dict[str, Any],
    now: datetime,
    idempotency_key: str | None,
    request_hash: str | None,
    received_by: str | None,
    actor: str | None,
    sees: Callable[[Case], bool] | None,
) -> IntakeResult:
    tenant = data["tenant"]
    source = data["source"]["type"]
    received_at = data.get("received_at") or now
    national_hash = (
        rt.protector.lookup_hash(tenant["national_id"]) if tenant.get("national_id") else None
    )
    match: Match = find_person(
        session,
        national_id_hash=national_hash,
        name=tenant["name"],
        birth_date=tenant.get("birth_date"),
        street=tenant["address"]["street"],
        postal_code=tenant["address"]["postal_code"],
        phone=tenant.get("phone"),  # supporting evidence for a close name
    )
    candidate_case: Case | None = None
    if match.person_id is not None:
        candidate_case = session.scalar(
            select(Case).where(Case.person_id == match.person_id, Case.status != "closed")
        )
        if candidate_case is None and match.review:
            # Only closed cases: still for staff to check – the same person is a repeat case.
            candidate_case = session.scalar(
                select(Case)
                .where(Case.person_id == match.person_id)
                .order_by(Case.opened_at.desc(), Case.id.desc())
                .limit(1)
            )

    case: Case | None = None
    person_changes: list[str] = []
    party = True
    if match.merge:
        person = session.get(Person, match.person_id)
        assert person is not None
        case = candidate_case
        method = match.method
        party = case is None or is_party(case, data["source"], sees)
    else:
        person = new_person(tenant, rt, source=source)
        session.add(person)
        method = "review" if match.review else "new"
    case_created = case is None
    if case is None:
        case = _open_case(session, person, received_at)

    trigger = Trigger(
        case=case,
        kind=data["kind"],
        received_at=received_at,
        source_type=data["source"]["type"],
        source_name=data["source"].get("name") or "",
        source_org_number=data["source"].get("org_number"),
        source_reference=data["source"].get("reference"),
        source_key=source_key(data["source"]),
        idempotency_key=idempotency_key,
        request_hash=request_hash if idempotency_key else None,
        arrears_amount=data.get("arrears_amount"),
        eviction_date=data.get("eviction_date"),
        notes=data.get("notes") or "",
        match_method=method,
        match_confidence=match.confidence if match.person_id else 1.0,
        review=None if party else "pending",
    )
    if party:
        # Before the trigger's INSERT, so its round and parties are in it (one statement,
        # not an INSERT and an UPDATE); a held notice joins nothing until staff confirm it.
        planning.join_round(case, trigger, new_case=case_created)
        from outreach.parties import store_parties  # where the copies go (issue 3)

        store_parties(trigger, data)
    session.add(trigger)
    session.flush()
    reported: list[str] = []
    if match.merge:
        person_changes, reported = update_person(
            person, tenant, rt, source=source, party=party, trigger_id=trigger.id
        )
    if not party:
        apply_household(case, data, rt, party=False)  # reported, for staff
        reported += [f for f in ("children", "adults") if f in (case.person.reported or {})]
        hold_for_staff(session, rt, case, trigger, reported, received_at, actor)
        return _result_for(session, trigger, duplicate=False)
    date_before = case.eviction_date
    household_changes = apply_household(case, data, rt)

    session.flush()

    if case_created:
        timeline.record(
            session,
            case.id,
            "case_opened",
            received_at,
            actor=actor,
            repeat_case=case.is_repeat or None,
            trigger_kind=data["kind"],
        )
    timeline.record(
        session,
        case.id,
        "trigger_received",
        received_at,
        actor=actor,
        trigger_id=trigger.id,
        trigger_kind=data["kind"],
        source_type=trigger.source_type,
        match=method,
        confidence=round(trigger.match_confidence, 2),
    )
    _record_changes(
        session, case, trigger.id, received_at, actor, source, person_changes, reported,
        household_changes if not case_created else [], date_before,
    )  # fmt: skip
    review_id = None
    if method == "review" and candidate_case is not None:
        review = MatchReview(
            trigger_id=trigger.id,
            case_id=case.id,
            candidate_case_id=candidate_case.id,
            confidence=match.confidence,
            reasons=match.reasons,
        )
        session.add(review)
        case.needs_match_review = True
        session.flush()
        review_id = review.id
        timeline.record(
            session,
            case.id,
            "match_review_requested",
            received_at,
            candidate_case=candidate_case.reference,
            confidence=round(match.confidence, 2),
            reasons=match.reasons,
        )

    if case_created or case.district_code is None:
        route_case(session, case, data, received_at, received_by)
    elif brings_routing_facts(person_changes, household_changes):
        reroute(session, rt, case, household_changes, received_at)
    planning.update_crisis(session, rt, case, received_at)
    planning.replan(session, rt, case, now)  # a paused case too: its deadlines are not paused
    notice_while_paused(session, rt, case, trigger.id, now)
    return IntakeResult(
        trigger_id=trigger.id,
        case_id=case.id,
        case_reference=case.reference,
        district=case.district_code,
        case_created=case_created,
        duplicate=False,
        match_method=method,
        match_confidence=trigger.match_confidence,
        review_id=review_id,
    )


def _date_change(before: date | None, case: Case) -> dict[str, Any]:
    """The new eviction date on the event (a date, never personal data), and the one it replaced."""
    if case.eviction_date == before or case.eviction_date is None:
        return {}
    return {
        "eviction_date": case.eviction_date.isoformat(),
        "eviction_date_was": before.isoformat() if before else None,
    }
