"""The team's calendar: slots on a grid, free pairs, and the locks that keep a person in one place.

Visits of :data:`VISIT_LENGTH` start :data:`TRAVEL_TIME` after the office opens
and follow each other with the travel time between them, so two visits of one
person either share a slot start or do not overlap. The database enforces it
(``visit_staff`` is unique per user and slot start); for times off the grid (a
visit moved by hand) the booking locks the staff rows and checks overlaps,
travel time included, in the same transaction.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from outreach.cases.errors import CaseActionError
from outreach.models import Case, User
from outreach.models.visits import HomeVisit, VisitStaff
from outreach.policy import Rule
from outreach.runtime import Runtime

OSLO = ZoneInfo("Europe/Oslo")


TEAM_ROLE = "outreach_team"


# A visit, and the time to get from one address to the next (or from the office).
VISIT_LENGTH = timedelta(minutes=60)


TRAVEL_TIME = timedelta(minutes=30)


# The first visit day is the next working day, from 10:00: the tenant's SMS
# notice (09:00–17:00 window) then always goes out before the visit.
FIRST_DAY_FROM = time(10, 0)


# Without a policy limit, look this many days ahead for a free pair.
SEARCH_DAYS = 21


class VisitError(CaseActionError):
    """A move or cancel that cannot be done; the message says why."""


def team(session: Session, district: str | None) -> list[User]:
    """Active members of the district's outreach team, in a stable order."""
    if district is None:
        return []
    users = session.scalars(select(User).where(User.active.is_(True)).order_by(User.id))
    return [u for u in users if TEAM_ROLE in u.role_set and district in u.district_set]


def day_slots(day: date, working_hours: tuple[time, time]) -> list[datetime]:
    start, end = working_hours
    slot = datetime.combine(day, start, tzinfo=OSLO) + TRAVEL_TIME
    closes = datetime.combine(day, end, tzinfo=OSLO)
    slots = []
    while slot + VISIT_LENGTH <= closes:
        slots.append(slot)
        slot += VISIT_LENGTH + TRAVEL_TIME
    return slots


def _latest(rt: Runtime, case: Case, rule: Rule, now: datetime) -> datetime | None:
    within = (rule.crisis_schedule_within if case.crisis_since else None) or rule.schedule_within
    if within is None:
        return None
    start, end = rt.policy.working_hours
    return rt.calendar.next_time_in_window(within.apply(now, rt.calendar), start, end)


def _first_slot(rt: Runtime, now: datetime) -> datetime:
    start, end = rt.policy.working_hours
    day = rt.calendar.next_working_day(now.astimezone(OSLO).date())
    return rt.calendar.next_time_in_window(
        datetime.combine(day, FIRST_DAY_FROM, tzinfo=OSLO), start, end
    )


def candidate_slots(rt: Runtime, now: datetime, latest: datetime | None) -> Iterator[datetime]:
    earliest = _first_slot(rt, now)
    day = earliest.date()
    horizon = latest or earliest + timedelta(days=SEARCH_DAYS)
    while datetime.combine(day, time(0, 0), tzinfo=OSLO) <= horizon:
        if rt.calendar.is_working_day(day):
            for slot in day_slots(day, rt.policy.working_hours):
                if slot < earliest:
                    continue
                if slot > horizon:
                    return
                yield slot
        day += timedelta(days=1)


def busy_users(
    session: Session,
    user_ids: list[int],
    start: datetime,
    end: datetime,
    *,
    exclude_visit: int | None = None,
) -> set[int]:
    """Who already has a visit overlapping [start, end), travel time on both sides."""
    if not user_ids:
        return set()
    query = select(VisitStaff.user_id).where(
        VisitStaff.user_id.in_(user_ids),
        VisitStaff.slot_start < end + TRAVEL_TIME,
        VisitStaff.slot_end > start - TRAVEL_TIME,
    )
    if exclude_visit is not None:
        query = query.where(VisitStaff.visit_id != exclude_visit)
    return set(session.scalars(query))


def _lock_staff(session: Session, user_ids: list[int]) -> None:
    """Serialise bookings per staff member until the commit.

    A no-op UPDATE takes a row lock on PostgreSQL and the write lock on
    SQLite, so the overlap check that follows sees every committed booking and
    no other booking can commit in between. Sorted ids: no lock-order deadlock.
    """
    for user_id in sorted(set(user_ids)):
        session.execute(
            update(User)
            .where(User.id == user_id)
            .values(active=User.active)
            .execution_options(synchronize_session=False)
        )


def _load(session: Session, user_ids: list[int], since: datetime) -> dict[int, int]:
    rows = session.execute(
        select(VisitStaff.user_id, func.count(VisitStaff.id))
        .where(VisitStaff.user_id.in_(user_ids), VisitStaff.slot_start >= since)
        .group_by(VisitStaff.user_id)
    )
    return {user_id: count for user_id, count in rows}


def _assign(session: Session, visit: HomeVisit, user_ids: list[int]) -> bool:
    """Insert the staff rows; False if the unique constraint says someone is taken."""
    try:
        with session.begin_nested():
            for user_id in user_ids:
                session.add(
                    VisitStaff(
                        visit_id=visit.id,
                        user_id=user_id,
                        slot_start=visit.starts_at,
                        slot_end=visit.ends_at,
                    )
                )
            session.flush()
    except IntegrityError:
        return False
    return True


def _free_pair(
    session: Session, members: list[User], start: datetime, *, exclude_visit: int | None = None
) -> list[int] | None:
    ids = [m.id for m in members]
    busy = busy_users(session, ids, start, start + VISIT_LENGTH, exclude_visit=exclude_visit)
    free = [i for i in ids if i not in busy]
    if len(free) < 2:
        return None
    load = _load(session, free, start - timedelta(days=7))
    return sorted(free, key=lambda i: (load.get(i, 0), i))[:2]


def staff_of(session: Session, visit: HomeVisit) -> list[User]:
    rows = session.scalars(
        select(User)
        .join(VisitStaff, VisitStaff.user_id == User.id)
        .where(VisitStaff.visit_id == visit.id)
        .order_by(VisitStaff.id)
    )
    return list(rows)


def visits_for(session: Session, districts: set[str] | None, since: datetime) -> list[HomeVisit]:
    query = select(HomeVisit).where(HomeVisit.ends_at >= since).order_by(HomeVisit.starts_at)
    if districts is not None:
        query = query.where(HomeVisit.district_code.in_(districts))
    return list(session.scalars(query))
