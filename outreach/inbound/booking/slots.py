"""The times the booking page offers: the district office's free slots, the next working days.

Nothing about the case reaches the page: it shows the office and the free
times, nothing else.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from outreach.models import Case, District
from outreach.models.booking import BookingAppointment
from outreach.reach.letter.codes import OSLO
from outreach.runtime import Runtime

#: The times offered: hourly meetings of 45 minutes, on the next five working
#: days (never today: the office needs a day's notice to find a caseworker).
SLOT_LENGTH = timedelta(minutes=45)


SLOT_STEP = timedelta(hours=1)


DAYS_AHEAD = 5


_HOURS = re.compile(r"(\d{1,2})[:.](\d{2})\s*[–—-]\s*(\d{1,2})[:.](\d{2})")


@dataclass(frozen=True)
class Slot:
    starts_at: datetime  # aware, UTC

    @property
    def value(self) -> str:
        return self.starts_at.astimezone(UTC).strftime("%Y%m%dT%H%MZ")

    @property
    def local(self) -> datetime:
        return self.starts_at.astimezone(OSLO)


def parse_slot(value: str) -> datetime | None:
    try:
        return datetime.strptime(value or "", "%Y%m%dT%H%MZ").replace(tzinfo=UTC)
    except ValueError:
        return None


def office_hours(district: District, rt: Runtime) -> tuple[time, time]:
    """The district's opening hours (``09:00–15:00``) within the policy's working hours."""
    start, end = rt.policy.working_hours
    match = _HOURS.search(district.opening_hours or "")
    if match:
        h1, m1, h2, m2 = (int(g) for g in match.groups())
        if h1 < 24 and h2 < 24 and m1 < 60 and m2 < 60:
            opens, closes = max(start, time(h1, m1)), min(end, time(h2, m2))
            if opens < closes:
                return opens, closes
    return start, end


def offered_slots(session: Session, rt: Runtime, case: Case) -> list[Slot]:
    """Free times at the case's district office on the next working days."""
    district = case.district
    if district is None:
        return []
    opens, closes = office_hours(district, rt)
    day = rt.now().astimezone(OSLO).date()
    candidates: list[datetime] = []
    for _ in range(DAYS_AHEAD):
        day = rt.calendar.next_working_day(day)
        at = datetime.combine(day, opens, OSLO)
        while at + SLOT_LENGTH <= datetime.combine(day, closes, OSLO):
            candidates.append(at.astimezone(UTC))
            at += SLOT_STEP
    if not candidates:
        return []
    taken = set(
        session.scalars(
            select(BookingAppointment.starts_at).where(
                BookingAppointment.district_code == district.code,
                BookingAppointment.status == "booked",
                BookingAppointment.starts_at >= candidates[0],
                BookingAppointment.starts_at <= candidates[-1],
            )
        )
    )
    return [Slot(at) for at in candidates if at not in taken]


def current_appointment(session: Session, case_id: int) -> BookingAppointment | None:
    return session.scalar(
        select(BookingAppointment).where(
            BookingAppointment.case_id == case_id, BookingAppointment.status == "booked"
        )
    )
