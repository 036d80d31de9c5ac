"""The landlord's actions: send a warning, register or withdraw a tenant's reservation.

Both the portal (``/utleier``) and the API (``/api/v1/landlord``) call these,
so a rule lives in one place. What a landlord gets back is a receipt and
nothing else: the same answer whether or not the tenant is known to NAV, has
an open case, or is a client anywhere (DESIGN.md principle 6).

A warning about a tenant who reserved against § 9-11 warnings with this
landlord is refused before anything is written ("a reserved tenant's warning
is refused and not kept", DESIGN.md). The refusal tells the landlord only
what it registered itself.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from outreach import identity
from outreach.intake.accept import IntakeResult, accept_trigger
from outreach.intake.landlord_schema import RESERVABLE_KIND
from outreach.intake.matching import compare_names, name_key
from outreach.landlords import audit, processing
from outreach.landlords.accounts import APPROVED, may_send
from outreach.models.landlord import Landlord, LandlordAccount, LandlordWarning, WarningReservation
from outreach.passwords import hash_password
from outreach.runtime import Runtime

OSLO = ZoneInfo("Europe/Oslo")
#: "En eventuell begjæring om fravikelse bør tidligst fremsettes for
#: namsmyndigheten to uker etter at skriftlig varsel er sendt" (§ 9-11, seeds/000).
PETITION_WAIT = timedelta(days=14)
_RECEIPT_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


class LandlordError(Exception):
    """A landlord action that cannot be done; ``code`` is stable for the API."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class Receipt:
    receipt: str
    kind: str
    reference: str
    received_at: datetime
    duplicate: bool
    status: str = processing.RECEIVED  # received | passed_on (``landlords.processing``)

    @property
    def earliest_petition_on(self) -> date | None:
        if self.kind != RESERVABLE_KIND:
            return None
        return (self.received_at.astimezone(OSLO) + PETITION_WAIT).date()

    def as_json(self) -> dict[str, Any]:
        petition = self.earliest_petition_on
        return {
            "receipt": self.receipt,
            "status": self.status,
            "kind": self.kind,
            "reference": self.reference,
            "received_at": self.received_at.astimezone(OSLO).isoformat(),
            "earliest_petition_on": petition.isoformat() if petition else None,
            "duplicate": self.duplicate,
        }


def ensure_landlord(session: Session, org_number: str, name: str) -> Landlord:
    """Create or rename the landlord with this (valid) org number."""
    digits = identity.validate_org_number(org_number)
    landlord = session.scalar(select(Landlord).where(Landlord.org_number == digits))
    if landlord is None:
        # Approved: NAV itself runs the script. An existing landlord keeps its status:
        # a script never lifts a suspension (``accounts.change_status`` does, logged).
        landlord = Landlord(org_number=digits, name=name, kind="company", status=APPROVED)
        session.add(landlord)
        session.flush()
        audit.record(session, landlord.id, "approved", detail="outreach create-landlord")
    landlord.name = name
    session.flush()
    return landlord


def ensure_account(
    session: Session,
    landlord: Landlord,
    username: str,
    display_name: str,
    password: str | None = None,
) -> LandlordAccount:
    username = username.strip().casefold()
    account = session.scalar(select(LandlordAccount).where(LandlordAccount.username == username))
    if account is None:
        account = LandlordAccount(landlord=landlord, username=username, display_name=display_name)
        session.add(account)
    elif account.landlord_id != landlord.id:
        raise LandlordError("username_taken", f"{username} belongs to another landlord")
    account.display_name = display_name
    if password:
        account.password_hash = hash_password(password)
    session.flush()
    return account


def _reservation_keys(rt: Runtime, tenant: dict[str, Any]) -> tuple[str | None, str | None]:
    """Keyed hashes of the tenant's identity; a domain prefix keeps them apart from persons'."""
    national = tenant.get("national_id")
    national_key = rt.protector.lookup_hash(f"reservation:nid:{national}") if national else None
    birth = tenant.get("birth_date")
    person_key = (
        rt.protector.lookup_hash(f"reservation:person:{name_key(tenant['name'])}|{birth}")
        if birth
        else None
    )
    return national_key, person_key


def _birth_key(rt: Runtime, birth: date | None) -> str | None:
    return rt.protector.lookup_hash(f"reservation:birth:{birth.isoformat()}") if birth else None


@dataclass(frozen=True)
class ReservationHit:
    """A warning that meets a reservation: ``sure`` (same id or name) or a close name."""

    label: str
    sure: bool
    differences: tuple[str, ...] = ()


def find_reservation(
    session: Session, rt: Runtime, landlord: Landlord, tenant: dict[str, Any]
) -> ReservationHit | None:
    """The reservation this warning's tenant made with this landlord, if any.

    The same rules as person matching (``intake.matching.compare_names``): a
    missing middle name, another order, a transliteration, an initial or one
    typo, with the same birth date, is the reserved tenant until someone shows
    otherwise (issue 13, item 3) – a reservation exists so that nothing is
    sent, so a doubt refuses. Two different national ids are two people.
    """
    national_key, person_key = _reservation_keys(rt, tenant)
    birth_key = _birth_key(rt, tenant.get("birth_date"))
    matches = [
        column == key
        for column, key in (
            (WarningReservation.national_id_hmac, national_key),
            (WarningReservation.person_hmac, person_key),
            (WarningReservation.birth_hmac, birth_key),
        )
        if key is not None
    ]
    if not matches:
        return None
    candidates = session.scalars(
        select(WarningReservation)
        .where(
            WarningReservation.landlord_id == landlord.id,
            WarningReservation.withdrawn_at.is_(None),
            or_(*matches),
        )
        .order_by(WarningReservation.id)
    )
    best: ReservationHit | None = None
    for row in candidates:
        if national_key is not None and row.national_id_hmac is not None:
            if row.national_id_hmac == national_key:
                return ReservationHit(row.label, sure=True)
            continue  # two national ids: two people
        if person_key is not None and row.person_hmac == person_key:
            return ReservationHit(row.label, sure=True)
        if row.name_enc is None or row.birth_hmac != birth_key:
            continue
        closeness = compare_names(tenant["name"], rt.protector.decrypt(row.name_enc))
        if closeness.score > 0.0 and best is None:
            best = ReservationHit(row.label, sure=False, differences=closeness.differences)
    return best


def _receipt_number() -> str:
    return "UV-" + "".join(secrets.choice(_RECEIPT_ALPHABET) for _ in range(8))


def _receipt(row: LandlordWarning, *, duplicate: bool) -> Receipt:
    return Receipt(row.receipt, row.kind, row.reference, row.submitted_at, duplicate)


def _trigger_document(landlord: Landlord, data: dict[str, Any], now: datetime) -> dict[str, Any]:
    """The intake document for a landlord's warning: the landlord is the source, nothing else."""
    notes = data.get("notes") or ""
    if data.get("arrears_since"):
        since = data["arrears_since"].strftime("%d.%m.%Y")
        notes = f"Ubetalt husleie siden {since} (oppgitt av utleier). {notes}".strip()
    return {
        "kind": data["kind"],
        "received_at": now,
        "source": {
            "type": "landlord",
            "name": landlord.name,
            "org_number": landlord.org_number,
            # Namespaced: two landlords may both use "2026-117" (a private one has no
            # org number: its id, which no org number looks like).
            "reference": f"{landlord.org_number or f'L{landlord.id}'}/{data['reference']}",
        },
        "tenant": data["tenant"],
        "household": data.get("household") or {},
        "eviction_date": data.get("eviction_date"),
        "client": {"status": "none", "district": None},
        "district": None,
        "arrears_amount": data.get("arrears_amount"),
        "notes": notes,
    }


def submit_warning(
    session: Session,
    rt: Runtime,
    landlord: Landlord,
    data: dict[str, Any],
    *,
    via: str,
    account_id: int | None = None,
    token_id: int | None = None,
    idempotency_key: str | None = None,
) -> Receipt:
    """Accept a validated warning (``load_warning``) as a trigger; commits.

    The same reference (or Idempotency-Key) from the same landlord answers
    with the first receipt. Raises ``LandlordError('tenant_reserved')``
    before writing anything when the tenant reserved with this landlord, and
    ``landlord_not_approved`` unless NAV has approved the landlord.
    """
    if not may_send(landlord):
        raise LandlordError("landlord_not_approved", "NAV has not approved this landlord.")
    earlier = session.scalar(
        select(LandlordWarning).where(
            LandlordWarning.landlord_id == landlord.id,
            LandlordWarning.reference == data["reference"],
        )
    )
    if earlier is not None:
        return _receipt(earlier, duplicate=True)
    if data["kind"] == RESERVABLE_KIND:
        hit = find_reservation(session, rt, landlord, data["tenant"])
        if hit is not None:
            count_refused(session, landlord.id)
        refuse_if_reserved(hit)
    now = rt.now()
    rows: list[LandlordWarning] = []

    def _add_receipt(result: IntakeResult) -> None:
        row = LandlordWarning(
            landlord_id=landlord.id,
            trigger_id=result.trigger_id,
            receipt=_receipt_number(),
            kind=data["kind"],
            reference=data["reference"],
            arrears_amount=data.get("arrears_amount"),
            submitted_at=now,
            via=via,
            account_id=account_id,
            token_id=token_id,
        )
        session.add(row)
        rows.append(row)
        session.flush()
        # The receipt only: never the tenant (``landlords.audit``).
        audit.record(
            session,
            landlord.id,
            "warning_submitted",
            account_id=account_id,
            key_id=token_id,
            detail=f"{row.receipt} ({via})",
            at=now,
        )

    scoped_key = f"landlord:{landlord.id}:{idempotency_key}" if idempotency_key else None
    result = accept_trigger(
        session,
        rt,
        _trigger_document(landlord, data, now),
        idempotency_key=scoped_key,
        actor=f"landlord:{landlord.id}",
        before_commit=_add_receipt,
    )
    if rows:
        return _receipt(rows[0], duplicate=False)
    # The trigger was already there (same Idempotency-Key, another reference,
    # or a concurrent request won): answer with its receipt.
    first = session.scalar(
        select(LandlordWarning).where(
            LandlordWarning.landlord_id == landlord.id,
            LandlordWarning.trigger_id == result.trigger_id,
        )
    )
    if first is None:
        raise LandlordError(
            "idempotency_conflict", "This Idempotency-Key was used for another request."
        )
    return _receipt(first, duplicate=True)


def count_refused(session: Session, landlord_id: int, *, commit: bool = True) -> None:
    """One more refused warning for this landlord: all that is kept of it."""
    session.execute(
        update(Landlord)
        .where(Landlord.id == landlord_id)
        .values(refused_warnings=Landlord.refused_warnings + 1)
    )
    if commit:
        session.commit()


def refuse_if_reserved(hit: ReservationHit | None) -> None:
    """Refuse a warning that meets a reservation, saying which of the landlord's own."""
    if hit is None:
        return
    if hit.sure:
        raise LandlordError(
            "tenant_reserved",
            "The tenant has reserved against warnings to NAV (husleieloven § 9-11), "
            f"as registered by you ({hit.label}). The warning was not received and "
            "nothing was kept.",
        )
    raise LandlordError(
        "tenant_possibly_reserved",
        f"The tenant may be the one who reserved against warnings to NAV ({hit.label}): "
        f"the same birth date and a close name ({', '.join(hit.differences)}). "
        "The warning was not received and nothing was kept. If this is another person, "
        "add the national identity number to both the reservation and the warning.",
    )


def list_warnings(session: Session, landlord: Landlord, limit: int = 200) -> list[Receipt]:
    rows = list(
        session.scalars(
            select(LandlordWarning)
            .where(LandlordWarning.landlord_id == landlord.id)
            .order_by(LandlordWarning.submitted_at.desc(), LandlordWarning.id.desc())
            .limit(limit)
        )
    )
    found = processing.statuses(session, rows)
    return [
        Receipt(r.receipt, r.kind, r.reference, r.submitted_at, False, found[r.id]) for r in rows
    ]


def register_reservation(
    session: Session,
    rt: Runtime,
    landlord: Landlord,
    data: dict[str, Any],
    *,
    account_id: int | None = None,
    key_id: int | None = None,
) -> WarningReservation:
    """Record a reservation (validated by ``ReservationSchema``); commits."""
    national_key, person_key = _reservation_keys(rt, data)
    row = WarningReservation(
        landlord_id=landlord.id,
        label=data["label"],
        national_id_hmac=national_key,
        person_hmac=person_key,
        name_enc=rt.protector.encrypt(data["name"]),
        birth_hmac=_birth_key(rt, data.get("birth_date")),
        registered_at=rt.now(),
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        landlord.id,
        "reservation_registered",
        account_id=account_id,
        key_id=key_id,
        detail=f"reservation {row.id}",  # the id: the label may name the tenant
        at=row.registered_at,
    )
    session.commit()
    return row


def withdraw_reservation(
    session: Session,
    rt: Runtime,
    landlord: Landlord,
    reservation_id: int,
    *,
    account_id: int | None = None,
    key_id: int | None = None,
) -> WarningReservation:
    row = session.get(WarningReservation, reservation_id)
    # NAV's registrations (``landlords.reservations``) are not the landlord's to see.
    if row is None or row.landlord_id != landlord.id or row.registered_by_user_id is not None:
        raise LandlordError("not_found", "No such reservation.")
    if row.withdrawn_at is None:
        row.withdrawn_at = rt.now()
        audit.record(
            session,
            landlord.id,
            "reservation_withdrawn",
            account_id=account_id,
            key_id=key_id,
            detail=f"reservation {row.id}",
            at=row.withdrawn_at,
        )
        session.commit()
    return row


def list_reservations(session: Session, landlord: Landlord) -> list[WarningReservation]:
    return list(
        session.scalars(
            select(WarningReservation)
            .where(
                WarningReservation.landlord_id == landlord.id,
                WarningReservation.withdrawn_at.is_(None),
                WarningReservation.registered_by_user_id.is_(None),
            )
            .order_by(WarningReservation.registered_at.desc())
        )
    )
