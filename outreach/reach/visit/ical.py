"""The visit's iCalendar file for its two staff (RFC 5545).

The UID never changes for a visit; SEQUENCE grows with every change sent, so
calendars replace the event instead of adding one; people taken off a visit
get the CANCEL.
"""

from __future__ import annotations

from icalendar import Calendar, vCalAddress, vText
from icalendar import Event as IcsEvent
from sqlalchemy import select
from sqlalchemy.orm import Session

from channels.base import Attachment
from outreach.models import Case, User
from outreach.models.visits import HomeVisit
from outreach.reach.ics import ICS_PRODID
from outreach.reach.visit.calendar import OSLO, staff_of


def _address(kind: str, value: str, name: str, email: str | None = None) -> vCalAddress:
    # A staff member with an email address is named by it (their calendar
    # matches the invitation to them); else a URN names them.
    address = vCalAddress(f"mailto:{email}" if email else f"urn:x-outreach:{kind}:{value}")
    address.params["cn"] = vText(name)
    return address


def ics(session: Session, visit: HomeVisit) -> bytes:
    """The visit as an iTIP message: REQUEST while it stands, CANCEL once cancelled.

    Data minimisation: the case reference, not the tenant's name; no address
    (the staff look it up in the case, where access is logged).
    """
    case = session.get(Case, visit.case_id)
    assert case is not None
    cancelled = visit.status == "cancelled"
    calendar = Calendar()
    calendar.add("prodid", ICS_PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "CANCEL" if cancelled else "REQUEST")
    event = IcsEvent()
    event.add("uid", visit.ical_uid)
    event.add("sequence", visit.ical_sequence)
    event.add("dtstamp", visit.updated_at)
    event.add("dtstart", visit.starts_at.astimezone(OSLO))
    event.add("dtend", visit.ends_at.astimezone(OSLO))
    event.add("summary", f"Hjemmebesøk – sak {case.reference}")
    event.add(
        "description",
        "Hjemmebesøk, to ansatte. Adresse og bakgrunn: se saken i fagsystemet. "
        "Legg igjen kontaktkort hvis ingen er hjemme.",
    )
    if case.district is not None:
        event.add("location", f"Bydel {case.district.name}")
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    office = case.district.office_name if case.district is not None else "NAV"
    event.add("organizer", _address("district", case.district_code or "oslo", office))
    for user in invitees(session, visit):
        attendee = _address("user", user.username, user.display_name, user.email)
        attendee.params["role"] = vText("REQ-PARTICIPANT")
        attendee.params["partstat"] = vText("NEEDS-ACTION")
        event.add("attendee", attendee, encode=False)
    calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical()


def invitees(session: Session, visit: HomeVisit) -> list[User]:
    """Who the invitation is for: the pair, or for a cancelled visit the pair it had."""
    if visit.status == "cancelled":
        return _former_staff(session, visit)
    return staff_of(session, visit)


def _former_staff(session: Session, visit: HomeVisit) -> list[User]:
    """Who was on a cancelled visit: the last ``visit_booked``/``visit_moved`` says."""
    from outreach.models import Event

    events = session.scalars(
        select(Event)
        .where(
            Event.case_id == visit.case_id,
            Event.kind.in_(("visit_booked", "visit_moved", "visit_cancelled")),
        )
        .order_by(Event.id.desc())
    )
    for event in events:
        if event.data.get("visit_id") == visit.id:
            ids = event.data.get("staff") or []
            return [u for u in (session.get(User, i) for i in ids) if u is not None]
    return []


def ics_filename(session: Session, visit: HomeVisit) -> str:
    case = session.get(Case, visit.case_id)
    reference = case.reference if case is not None else str(visit.case_id)
    return f"hjemmebesok-{reference}.ics"


def _attachment(session: Session, visit: HomeVisit) -> Attachment:
    method = "CANCEL" if visit.status == "cancelled" else "REQUEST"
    return Attachment(
        ics_filename(session, visit), ics(session, visit), f"text/calendar; method={method}"
    )
