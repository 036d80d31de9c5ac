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
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from outreach import timeline
from outreach.intake.matching import Match, address_key, find_person, name_key
from outreach.intake.routing import route
from outreach.ladder import planning
from outreach.models import Case, Event, MatchReview, Person, Trigger
from outreach.runtime import Runtime


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
        }


class IdempotencyConflict(Exception):
    """The same Idempotency-Key came back with another request body."""

    def __init__(self, trigger_id: int) -> None:
        super().__init__("This Idempotency-Key was used for another request body.")
        self.trigger_id = trigger_id


def source_key(source: dict[str, Any]) -> str:
    """Who sent a trigger, for scoping its reference.

    References are the sender's own numbering (a landlord's "2024-1", the
    bailiff's case number): only the same sender sending the same reference
    again is the same trigger. The org number identifies a sender; without
    one, its name (case and spacing ignored) does.
    """
    org = source.get("org_number")
    if org:
        return f"{source['type']}:{org}"
    name = " ".join((source.get("name") or "").split()).lower()
    return f"{source['type']}:name:{name}"


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


def _result_for(session: Session, trigger: Trigger, *, duplicate: bool) -> IntakeResult:
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
    )


def _person_facts(person: Person) -> dict[str, Any]:
    """What a trigger may change on a person, by field name (for ``person_updated``)."""
    return {
        "name": person.name,
        "address": (person.street, person.postal_code, person.city),
        "national_id": person.national_id_hmac,
        "birth_date": person.birth_date,
        "phone": person.phone,
        "email": person.email,
        "email_consent": person.email_consent,
        "language": person.language,
        "protected_address": person.protected_address,
        "vulnerable": person.vulnerable,
    }


def _update_person(person: Person, tenant: dict[str, Any], rt: Runtime) -> list[str]:
    """Newer contact details win; nothing known is erased by a sparser trigger.

    Returns the names of the fields that changed – never their values: the
    timeline says *that* the address changed, the person page shows the new
    one to those who may see it (timeline.py: no personal data in events).
    """
    before = _person_facts(person)
    address = tenant["address"]
    person.name = tenant["name"]
    person.name_key = name_key(tenant["name"])
    person.street = address["street"]
    person.postal_code = address["postal_code"]
    person.city = address.get("city") or person.city
    person.address_key = address_key(address["street"], address["postal_code"])
    if tenant.get("national_id") and person.national_id_hmac is None:
        person.national_id_enc = rt.protector.encrypt(tenant["national_id"])
        person.national_id_hmac = rt.protector.lookup_hash(tenant["national_id"])
    if tenant.get("birth_date"):
        person.birth_date = tenant["birth_date"]
    if tenant.get("phone"):
        if tenant["phone"] != person.phone:
            person.sms_opted_out_at = None  # a new number has not opted out
        person.phone = tenant["phone"]
    if tenant.get("email"):
        person.email = tenant["email"]
    if tenant.get("email_consent") is not None:
        person.email_consent = bool(tenant["email_consent"])
    if tenant.get("language") and tenant["language"] != "nb":
        person.language = tenant["language"]
    person.protected_address = person.protected_address or bool(tenant.get("protected_address"))
    person.vulnerable = person.vulnerable or bool(tenant.get("vulnerable"))
    after = _person_facts(person)
    return [name for name, value in after.items() if before[name] != value]


def _new_person(tenant: dict[str, Any], rt: Runtime) -> Person:
    person = Person(name=tenant["name"], name_key="", language=tenant.get("language") or "nb")
    _update_person(person, tenant, rt)
    return person


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
) -> IntakeResult:
    """Accept a validated trigger (see ``intake.schema.load_trigger``).

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
        return _result_for(session, found, duplicate=True)
    try:
        result = _accept(session, rt, data, now, idempotency_key, request_hash, received_by, actor)
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
) -> IntakeResult:
    tenant = data["tenant"]
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
    if match.merge:
        person = session.get(Person, match.person_id)
        assert person is not None
        person_changes = _update_person(person, tenant, rt)
        case = candidate_case
        method = match.method
    else:
        person = _new_person(tenant, rt)
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
    )
    session.add(trigger)
    household_changes = _apply_household(case, data)

    if not case_created and case.ladder_state != "running":
        # A new notice after the tenant answered starts a new contact round:
        # the earlier answer was about the earlier notice.
        case.ladder_round += 1
        case.ladder_state = "running"
        case.letter_sent_at = None
        case.contact_started_at = None
    trigger.round = case.ladder_round
    from outreach.parties import store_parties  # where the copies go (issue 3)

    store_parties(trigger, data)
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
    if person_changes:
        timeline.record(
            session, case.id, "person_updated", received_at, actor=actor,
            trigger_id=trigger.id, fields=person_changes,
        )  # fmt: skip
    if household_changes and not case_created:
        timeline.record(
            session, case.id, "household_updated", received_at, actor=actor,
            trigger_id=trigger.id, fields=household_changes,
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
        _route(session, case, data, received_at, received_by)
    elif _brings_routing_facts(data, case, person_changes, household_changes):
        _reroute(session, rt, case, data, household_changes, received_at)
    planning.update_crisis(session, rt, case, trigger)
    planning.replan(session, rt, case, now)
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


def _apply_household(case: Case, data: dict[str, Any]) -> list[str]:
    """Household, client and eviction facts; returns the names of the changed fields."""
    before = _household_facts(case)
    household = data.get("household") or {}
    if household.get("children"):
        case.children_ages = sorted(household["children"])
    if household.get("adults") is not None:
        case.adults = household["adults"]
    client = data.get("client") or {}
    if client.get("status") and client["status"] != "none":
        case.client_status = client["status"]
        case.client_district = client.get("district")
    eviction_date = data.get("eviction_date")
    if eviction_date is not None and (
        case.eviction_date is None or eviction_date < case.eviction_date
    ):
        case.eviction_date = eviction_date
    after = _household_facts(case)
    return [name for name, value in after.items() if before[name] != value]


def _household_facts(case: Case) -> dict[str, Any]:
    return {
        "children": list(case.children_ages or []),
        "adults": case.adults,
        "client_status": case.client_status,
        "client_district": case.client_district,
        "eviction_date": case.eviction_date,
    }


def _brings_routing_facts(
    data: dict[str, Any], case: Case, person_changes: list[str], household_changes: list[str]
) -> bool:
    """A later trigger is routed again only when it says something routing reads."""
    given = data.get("district")
    return (
        bool({"client_status", "client_district"} & set(household_changes))
        or "address" in person_changes
        or (given is not None and given != case.district_code)
    )


def _staff_overridden(session: Session, case: Case) -> bool:
    """Did a person set the district? (``cases.assign_district``, method staff_override)."""
    events = session.scalars(
        select(Event).where(Event.case_id == case.id, Event.kind.in_(("forwarded", "routed")))
    )
    return any((event.data or {}).get("method") == "staff_override" for event in events)


def _reroute(
    session: Session,
    rt: Runtime,
    case: Case,
    data: dict[str, Any],
    household_changes: list[str],
    at: datetime,
) -> None:
    """The circular's forwarding rules again, for a case that already has a district.

    An active client case elsewhere learned from a second trigger is forwarded
    «umiddelbart» (seeds/000), as on the first. The forward is the staff
    action's (``cases.assign_district``: tasks, visits and waiting letters go
    along), recorded with the rule's method. A staff override always wins
    (issue 2): once a person has set the district, triggers never move it.
    """
    if _staff_overridden(session, case):
        return
    person = case.person
    decision = route(
        given_district=data.get("district"),
        street=person.street,
        postal_code=person.postal_code,
        client_status=case.client_status,
        client_district=case.client_district,
        received_by=case.district_code,
    )
    if {"client_status", "client_district"} & set(household_changes):
        for forward in decision.forwards:
            if forward.event == "client_file_transfer":
                timeline.record(
                    session, case.id, forward.event, at, from_district=forward.from_district,
                    to_district=forward.to_district, reason=forward.reason,
                )  # fmt: skip
    if decision.district is None or decision.district == case.district_code:
        return
    from outreach.cases.forwarding import assign_district

    reason = next(
        (f.reason for f in decision.forwards if f.event == "forwarded"),
        "district given in the trigger",
    )
    session.flush()
    assign_district(
        session, rt, case, district=decision.district, reason=reason, method=decision.method
    )


def _route(
    session: Session,
    case: Case,
    data: dict[str, Any],
    at: datetime,
    received_by: str | None,
) -> None:
    client = data.get("client") or {}
    decision = route(
        given_district=data.get("district"),
        street=data["tenant"]["address"]["street"],
        postal_code=data["tenant"]["address"]["postal_code"],
        client_status=client.get("status") or "none",
        client_district=client.get("district"),
        received_by=received_by,
    )
    case.district_code = decision.district
    for forward in decision.forwards:
        timeline.record(
            session,
            case.id,
            forward.event,
            at,
            from_district=forward.from_district,
            to_district=forward.to_district,
            reason=forward.reason,
        )
    if decision.district is None:
        timeline.record(session, case.id, "unrouted", at, reason="no district given or found")
    else:
        timeline.record(
            session,
            case.id,
            "routed",
            at,
            district=decision.district,
            method=decision.method,
        )
