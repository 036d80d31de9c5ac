"""Reservations NAV staff register on the tenant's behalf, and the re-check of warnings.

Husleieloven § 9-11: "Leier kan i skriftlig melding til utleier reservere seg
mot at slikt varsel blir sendt til sosialtjenesten". A tenant may tell NAV
instead of (or besides) the landlord; staff then register the reservation
against that landlord from the case page or the API (issue 14). The row is the
same as a landlord's (``warnings.register_reservation``'s keyed hashes and
encrypted name), with who registered it and the tenant's person; the landlord does
not see it in its list, since that would tell it of the tenant's contact with
NAV.

A reservation holds from when it is made, not from when the warning came: a
warning accepted before the reservation must not lead to a letter after it.
So the warning is checked again whenever its case is worked on – each step a
job runs (``jobs.execute.route``), and at once when a reservation is
registered – and refused when a reservation now meets it
(``refuse_reserved``). A refused warning keeps only a count per landlord
(``Landlord.refused_warnings``): its receipt, its trigger, the match review
and the timeline entries it caused, and the values it reported, go; its
pending steps are cancelled (a letter waiting in a print batch is withdrawn).
What the case holds from other sources stays: a case with another counting
notice is replanned without the warning; a case with nothing else is closed
("reserved"), and the contact details only this warning gave are cleared.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from outreach import timeline
from outreach.cases.response import end_case
from outreach.intake.landlord_schema import RESERVABLE_KIND
from outreach.ladder import planning
from outreach.ladder import steps as ladder_steps
from outreach.landlords import audit
from outreach.landlords.warnings import (
    LandlordError,
    count_refused,
    find_reservation,
    register_reservation,
)
from outreach.landlords.warnings import _birth_key as birth_key
from outreach.landlords.warnings import _reservation_keys as reservation_keys
from outreach.models import Case, Event, MatchReview, Person, Step, Trigger
from outreach.models.landlord import Landlord, LandlordWarning, WarningReservation
from outreach.models.staff import CaseDocument
from outreach.runtime import Runtime
from outreach.vocabulary import COUNTING, STEP_OPEN

#: The label a staff registration carries: the landlord may see it in a refusal,
#: so it names neither NAV nor a case.
STAFF_LABEL = "leietakers reservasjon"

#: ``Case.outcome`` of a case that held nothing but a refused warning.
RESERVED_OUTCOME = "reserved"


@dataclass(frozen=True)
class ReservationView:
    """A reservation as the case page and the staff API show it."""

    id: int
    landlord_id: int
    landlord_name: str
    registered_at: datetime
    by_staff: bool

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "landlord_id": self.landlord_id,
            "landlord_name": self.landlord_name,
            "registered_at": self.registered_at.isoformat(),
            "registered_by": "staff" if self.by_staff else "landlord",
        }


def tenant_of(rt: Runtime, person: Person) -> dict[str, Any]:
    """The identity a reservation is kept and matched by, as intake's tenant documents say it."""
    national_id = rt.protector.decrypt(person.national_id_enc) if person.national_id_enc else None
    return {"name": person.name, "national_id": national_id, "birth_date": person.birth_date}


def case_landlords(session: Session, case: Case) -> list[Landlord]:
    """The landlords whose warnings the case holds: the first to offer on the case page."""
    return list(
        session.scalars(
            select(Landlord)
            .join(LandlordWarning, LandlordWarning.landlord_id == Landlord.id)
            .join(Trigger, Trigger.id == LandlordWarning.trigger_id)
            .where(Trigger.case_id == case.id)
            .distinct()
            .order_by(Landlord.name)
        )
    )


def for_case(session: Session, case: Case) -> list[ReservationView]:
    """The reservations in force that staff registered for this case's tenant."""
    rows = session.execute(
        select(WarningReservation, Landlord.name)
        .join(Landlord, Landlord.id == WarningReservation.landlord_id)
        .where(
            WarningReservation.person_id == case.person_id,
            WarningReservation.withdrawn_at.is_(None),
        )
        .order_by(WarningReservation.registered_at.desc(), WarningReservation.id.desc())
    ).all()
    return [_view(row, name) for row, name in rows]


def _view(row: WarningReservation, landlord_name: str) -> ReservationView:
    return ReservationView(
        row.id,
        row.landlord_id,
        landlord_name,
        row.registered_at,
        by_staff=row.registered_by_user_id is not None,
    )


def register_for_case(
    session: Session,
    rt: Runtime,
    case: Case,
    landlord_id: int,
    *,
    user_id: int,
    actor: str,
) -> ReservationView:
    """Register the case's tenant's reservation against this landlord; commits.

    The case's warnings from that landlord are refused at once (``refuse_reserved``):
    a letter for one may be waiting in a print batch.
    """
    landlord = session.get(Landlord, landlord_id)
    if landlord is None:
        raise LandlordError("not_found", "No such landlord.")
    existing = session.scalar(
        select(WarningReservation).where(
            WarningReservation.person_id == case.person_id,
            WarningReservation.landlord_id == landlord.id,
            WarningReservation.withdrawn_at.is_(None),
        )
    )
    if existing is not None:
        return _view(existing, landlord.name)  # registered already: the same answer
    now = rt.now()
    timeline.record(
        session, case.id, "reservation_registered", now, actor=actor, landlord=landlord.name
    )
    audit.record(session, landlord.id, "reservation_registered", staff_user_id=user_id, at=now)
    tenant = tenant_of(rt, case.person)
    national_key, person_key = reservation_keys(rt, tenant)
    row = WarningReservation(
        landlord_id=landlord.id,
        label=STAFF_LABEL,
        national_id_hmac=national_key,
        person_hmac=person_key,
        name_enc=rt.protector.encrypt(tenant["name"]),
        birth_hmac=birth_key(rt, tenant["birth_date"]),
        registered_at=now,
        registered_by_user_id=user_id,
        person_id=case.person_id,
    )
    session.add(row)
    session.flush()
    refuse_reserved(session, rt, case, now)
    session.commit()
    return _view(row, landlord.name)


def withdraw_for_case(
    session: Session, rt: Runtime, case: Case, reservation_id: int, *, actor: str
) -> ReservationView:
    """Withdraw a reservation staff registered for this case's tenant; commits.

    A landlord's own registration is the landlord's to withdraw (the tenant
    wrote to it); staff see only theirs here.
    """
    row = session.get(WarningReservation, reservation_id)
    if (
        row is None
        or row.person_id != case.person_id
        or row.registered_by_user_id is None
        or row.withdrawn_at is not None
    ):
        raise LandlordError("not_found", "No such reservation on this case.")
    landlord = session.get(Landlord, row.landlord_id)
    assert landlord is not None
    row.withdrawn_at = rt.now()
    timeline.record(
        session,
        case.id,
        "reservation_withdrawn",
        row.withdrawn_at,
        actor=actor,
        landlord=landlord.name,
    )
    audit.record(session, landlord.id, "reservation_withdrawn", detail=actor, at=row.withdrawn_at)
    session.commit()
    return _view(row, landlord.name)


def register_by_landlord(
    session: Session,
    rt: Runtime,
    landlord: Landlord,
    data: dict[str, Any],
    *,
    account_id: int | None = None,
    key_id: int | None = None,
) -> WarningReservation:
    """A landlord registers a reservation it received (portal, API); commits.

    Its warnings about open cases are checked at once, so a letter waiting in a
    print batch is withdrawn before the batch is posted, not only at the next step.
    """
    row = register_reservation(session, rt, landlord, data, account_id=account_id, key_id=key_id)
    recheck_landlord(session, rt, landlord.id)
    return row


def recheck_landlord(session: Session, rt: Runtime, landlord_id: int) -> int:
    """``refuse_reserved`` on every open case holding a warning of this landlord; commits."""
    case_ids = session.scalars(
        select(Case.id)
        .join(Trigger, Trigger.case_id == Case.id)
        .join(LandlordWarning, LandlordWarning.trigger_id == Trigger.id)
        .where(LandlordWarning.landlord_id == landlord_id, Case.status == "open")
        .distinct()
    ).all()
    refused = 0
    now = rt.now()
    for case_id in case_ids:
        case = session.get(Case, case_id)
        assert case is not None
        refused += refuse_reserved(session, rt, case, now)
        session.commit()
    return refused


def refuse_reserved(session: Session, rt: Runtime, case: Case, now: datetime) -> int:
    """Refuse the case's warnings a reservation now meets; how many. The caller commits.

    The count, the removal and the replanning (or closing) are one transaction:
    no case is left half without its warning.
    """
    rows = session.execute(
        select(LandlordWarning, Trigger)
        .join(Trigger, Trigger.id == LandlordWarning.trigger_id)
        .where(Trigger.case_id == case.id, Trigger.kind == RESERVABLE_KIND)
        .order_by(Trigger.id)
    ).all()
    if not rows:
        return 0
    tenant = tenant_of(rt, case.person)
    refused = 0
    for receipt, trigger in rows:
        landlord = session.get(Landlord, receipt.landlord_id)
        assert landlord is not None
        if find_reservation(session, rt, landlord, tenant) is None:
            continue
        _forget(session, rt, case, receipt, trigger, now)
        count_refused(session, landlord.id, commit=False)
        refused += 1
    if refused:
        _settle(session, rt, case, now)
    return refused


def _forget(
    session: Session,
    rt: Runtime,
    case: Case,
    receipt: LandlordWarning,
    trigger: Trigger,
    now: datetime,
) -> None:
    """Cancel what the warning planned and remove every trace of it but the count."""
    tid = trigger.id
    for step in session.scalars(
        select(Step).where(Step.trigger_id == tid, Step.status.in_(STEP_OPEN))
    ):
        ladder_steps.cancel_step(session, rt, case, step, now, "tenant reserved")
    session.flush()
    session.execute(update(Step).where(Step.trigger_id == tid).values(trigger_id=None))
    session.execute(
        update(CaseDocument).where(CaseDocument.trigger_id == tid).values(trigger_id=None)
    )
    session.execute(delete(MatchReview).where(MatchReview.trigger_id == tid))
    for event in session.scalars(select(Event).where(Event.case_id == case.id)):
        if (event.data or {}).get("trigger_id") == tid:
            session.delete(event)
    person = case.person
    person.reported = {
        field: entry
        for field, entry in (person.reported or {}).items()
        if not (isinstance(entry, dict) and entry.get("trigger_id") == tid)
    }
    session.delete(receipt)
    session.flush()
    session.delete(trigger)
    session.flush()
    timeline.record(session, case.id, "warning_refused", now)


def _settle(session: Session, rt: Runtime, case: Case, now: datetime) -> None:
    """Replan on what is left; close a case that has nothing left."""
    session.expire(case, ["triggers"])
    remaining = [t for t in case.triggers if t.review in COUNTING or t.review == "pending"]
    if remaining:
        planning.replan(session, rt, case, now)
        planning.update_crisis(session, rt, case, now)
        return
    if case.status != "closed":
        end_case(
            session, rt, case, now, outcome=RESERVED_OUTCOME, reason="tenant reserved", actor=None
        )
        timeline.record(session, case.id, "case_closed", now, outcome=RESERVED_OUTCOME)
    if not any(t for t in _person_triggers(session, case.person_id)):
        _clear_landlord_contact(case.person)


def _person_triggers(session: Session, person_id: int) -> list[Trigger]:
    return list(
        session.scalars(select(Trigger).join(Case, Case.id == Trigger.case_id).where(
            Case.person_id == person_id
        ))
    )  # fmt: skip


def _clear_landlord_contact(person: Person) -> None:
    """The contact details a landlord gave, when no notice of anyone else is left."""
    sources = dict(person.contact_sources or {})
    for field, source in list(sources.items()):
        if source != "landlord":
            continue
        if field == "address":
            person.street = person.postal_code = person.city = person.address_key = ""
        elif field == "phone":
            person.phone = None
        elif field == "email":
            person.email = None
        else:
            continue
        del sources[field]
    person.contact_sources = sources
