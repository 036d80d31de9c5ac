"""Reference data and demo content: districts, demo staff, a few cases.

``seed_districts`` is also used in production (the district table must exist
before routing); ``seed_demo`` only for ``make run`` and ``simulate``.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from outreach.districts import all_districts
from outreach.intake.accept import accept_trigger
from outreach.intake.schema import load_trigger
from outreach.landlords import accounts
from outreach.landlords.warnings import ensure_account, ensure_landlord
from outreach.models import District, User
from outreach.models.landlord import LandlordAccount
from outreach.passwords import hash_password
from outreach.runtime import Runtime
from outreach.staff.tokens import issue_token
from outreach.staff.users import save_user

DEMO_PASSWORD = "demo-passord-123"  # noqa: S105 - printed by `make run`, demo only
DEMO_LANDLORD_LOGIN = "utleier@example.no"
# A private landlord's application waiting for an administrator (/staff/utleiere).
DEMO_APPLICANT_LOGIN = "soker@example.no"


def seed_districts(session: Session) -> int:
    """Insert missing districts; never overwrite contacts an office has edited."""
    known = set(session.scalars(select(District.code)))
    added = 0
    for d in all_districts():
        if d.code in known:
            continue
        session.add(
            District(
                code=d.code,
                name=d.name,
                office_name=d.office_name,
                street=d.office_street_address,
                postal_code=d.office_postal_code,
                city="Oslo",
                opening_hours=d.opening_hours,
                duty_contact_name=d.duty_contact_name,
                duty_contact_phone=d.duty_contact_phone,
            )
        )
        added += 1
    session.flush()
    return added


def ensure_user(
    session: Session,
    username: str,
    display_name: str,
    *,
    roles: str,
    districts: str,
    phone: str | None = None,
    password: str | None = None,
    email: str | None = None,
) -> User:
    """Create or update a user (``outreach.staff_users.save_user``), then email and password."""
    user = save_user(session, username, display_name, roles=roles, districts=districts, phone=phone)
    if email is not None:
        user.email = email or None  # "" clears it
    if password:
        user.password_hash = hash_password(password)
    session.flush()
    return user


DEMO_TRIGGERS: list[dict[str, Any]] = [
    {
        "kind": "eviction_petition",
        "source": {
            "type": "bailiff",
            "name": "Oslo namsfogdkontor",
            "reference": "DEMO-NF-1001",
            "address": {"street": "Postboks 8024 Dep", "postal_code": "0030", "city": "Oslo"},
        },
        "tenant": {
            "name": "Amina Demo Hassan",
            "birth_date": "1988-04-12",
            "address": {"street": "Tøyengata 12", "postal_code": "0190", "city": "Oslo"},
            "phone": "+4741234567",
            "language": "so",
        },
        "household": {"children": [4, 9], "adults": 1},
        "arrears_amount": "38500",
    },
    {
        "kind": "unpaid_rent_warning",
        "source": {
            "type": "municipal_landlord",
            "name": "Boligbygg Oslo KF",
            "reference": "DEMO-BB-2002",
        },
        "tenant": {
            "name": "Per Demo Olsen",
            "birth_date": "1951-09-30",
            "address": {"street": "Trondheimsveien 100", "postal_code": "0565", "city": "Oslo"},
            "language": "nb",
        },
        "arrears_amount": "12500",
    },
]


def _seed_application(session: Session, rt: Runtime) -> None:
    """A pending application, once: the administrator's landlord page has something to do."""
    taken = select(LandlordAccount.id).where(LandlordAccount.username == DEMO_APPLICANT_LOGIN)
    if session.scalar(taken) is not None:
        return
    application = accounts.Application(
        kind="person",
        name="Per Hansen",
        street="Sandakerveien 12",
        postal_code="0473",
        city="Oslo",
        username=DEMO_APPLICANT_LOGIN,
        display_name="Per Hansen",
        password=DEMO_PASSWORD,
        password_again=DEMO_PASSWORD,
        accepts_terms=True,
    )
    accounts.apply(session, application, rt.now())


def seed_demo(session: Session, rt: Runtime, *, year: bool = False) -> dict[str, str]:
    """Demo staff, tokens and live cases; with ``year``, a year of closed cases behind
    them for the figures (``outreach.demo_year``, issue 15)."""
    seed_districts(session)
    ensure_user(
        session, "admin", "Demo administrator", roles="admin", districts="", password=DEMO_PASSWORD
    )
    worker = ensure_user(
        session,
        "kari",
        "Kari Saksbehandler",
        roles="caseworker",
        districts="030101",
        phone="+4721000111",
        password=DEMO_PASSWORD,
    )
    ensure_user(
        session,
        "lead",
        "Lise Leder",
        roles="caseworker,district_lead",
        districts="030101",
        password=DEMO_PASSWORD,
    )
    # The district's outreach team: home visits go out two by two (issue 4).
    ensure_user(
        session,
        "ole",
        "Ole Oppsøkende",
        roles="outreach_team",
        districts="030101",
        phone="+4721000222",
        password=DEMO_PASSWORD,
    )
    ensure_user(
        session,
        "sara",
        "Sara Oppsøkende",
        roles="outreach_team",
        districts="030101",
        phone="+4721000333",
        password=DEMO_PASSWORD,
    )
    token = issue_token(session, "demo token for kari", worker)
    # A private landlord who has agreed to warn early (the portal at /utleier).
    landlord = ensure_landlord(session, "921184530", "Demo Torshov Utleie AS")
    ensure_account(session, landlord, DEMO_LANDLORD_LOGIN, "Ulla Utleier", DEMO_PASSWORD)
    landlord_token = issue_token(session, "demo landlord", None, landlord_id=landlord.id)
    session.commit()
    if year:
        from outreach.demo_year import seed_year

        seed_year(session, rt.now())
    _seed_application(session, rt)
    for document in DEMO_TRIGGERS:
        received = (rt.now() - timedelta(minutes=5)).isoformat()
        data = load_trigger({**document, "received_at": received}, now=rt.now())
        accept_trigger(session, rt, data, actor="seed-demo")
    return {
        "username": "kari",
        "password": DEMO_PASSWORD,
        "api_token": token,
        "landlord_username": DEMO_LANDLORD_LOGIN,
        "applicant_username": DEMO_APPLICANT_LOGIN,
        "landlord_api_token": landlord_token,
    }
