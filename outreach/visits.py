"""Home visits: booked into the district outreach team's calendar, two staff per visit.

Issue 4, "Home visits": a visit is scheduled in working hours, within the
policy's ``schedule_within`` (``crisis_schedule_within`` in a crisis), with
two staff, no double booking and travel time between visits; staff can move
or cancel it and receive an iCalendar invitation; the tenant is told by SMS
when the policy says so (``notify_tenant``). "Not home" plans one more visit.

The calendar is a grid: visits of :data:`VISIT_LENGTH` start
:data:`TRAVEL_TIME` after the office opens and follow each other with the
travel time between them, so two visits of one person either share a slot
start or do not overlap. The database enforces it (``visit_staff`` is unique
per user and slot start); for times off the grid (a visit moved by hand) the
booking locks the staff rows and checks overlaps, travel time included, in
the same transaction. When no pair is free in time the visit goes to the
pool (no named staff) with a ``visit_needs_staffing`` event.

Invitations: the first one travels with the ``home_visit`` step's own message
(``compose``); later ones (moved, cancelled, the second visit) are attempts
on the same step, written in the action's transaction and delivered through
the ``home_visit`` channel right after the commit (:func:`deliver_invitation`;
:func:`deliver_pending_invitations` finishes any a crash left behind).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator
from dataclasses import replace
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from icalendar import Calendar, vCalAddress, vText
from icalendar import Event as IcsEvent
from sqlalchemy import delete, func, select, update
from sqlalchemy import event as sa_event
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, object_session

from channels.base import Attachment, Channel, Delivery, Message, PermanentChannelError
from outreach import compose, ladder, timeline
from outreach.cases import CaseActionError
from outreach.db import on_commit
from outreach.escalation import condition_holds
from outreach.hooks import CaseForwarded, CaseReplanned, Hooks, TaskOutcome, TasksCancelled
from outreach.models import STEP_OPEN, Attempt, AttemptStatus, Case, Step, Task, User
from outreach.models_visits import HomeVisit, VisitStaff
from outreach.policy import Rule
from outreach.runtime import Runtime

log = logging.getLogger(__name__)

OSLO = ZoneInfo("Europe/Oslo")
TEAM_ROLE = "outreach_team"
# A visit, and the time to get from one address to the next (or from the office).
VISIT_LENGTH = timedelta(minutes=60)
TRAVEL_TIME = timedelta(minutes=30)
# The first visit day is the next working day, from 10:00: the tenant's SMS
# notice (09:00–17:00 window) then always goes out before the visit.
FIRST_DAY_FROM = time(10, 0)
# The ladder's visit and one more after "not home" (issue 4).
MAX_VISITS = 2
# Without a policy limit, look this many days ahead for a free pair.
SEARCH_DAYS = 21
ICS_PRODID = "-//Oslo kommune NAV sosialtjenesten//outreach//NO"


class VisitError(CaseActionError):
    """A move or cancel that cannot be done; the message says why."""


# -- the calendar -------------------------------------------------------------


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


# -- booking ------------------------------------------------------------------


def schedule_visit(
    session: Session,
    rt: Runtime,
    case: Case,
    step: Step,
    rule: Rule,
    now: datetime,
    *,
    visit_no: int = 1,
    actor: str | None = None,
) -> HomeVisit:
    """Book a visit: the first slot with a free pair, else the pool at the first slot."""
    from outreach.tasks import new_task

    latest = _latest(rt, case, rule, now)
    fallback = _first_slot(rt, now)
    if latest is not None:
        fallback = min(fallback, latest)
    members = team(session, case.district_code)
    _lock_staff(session, [m.id for m in members])
    task = new_task(
        session,
        rt,
        case,
        step,
        kind=rule.task_kind or "home_visit",
        title=rule.task_title or "Hjemmebesøk",
        assignee_role=rule.assignee_role,
        due_at=fallback,
        scheduled_for=fallback,
    )
    visit = HomeVisit(
        task_id=task.id,
        case_id=case.id,
        step_id=step.id,
        district_code=case.district_code,
        starts_at=fallback,
        ends_at=fallback + VISIT_LENGTH,
        visit_no=visit_no,
        status="scheduled",
        staffing="pool",
        ical_uid=f"{uuid.uuid4()}@outreach.oslo.kommune.no",
        ical_sequence=0,
        created_at=now,
        updated_at=now,
    )
    session.add(visit)
    session.flush()
    pair: list[int] | None = None
    if len(members) >= 2:
        for slot in candidate_slots(rt, now, latest):
            candidate = _free_pair(session, members, slot)
            if candidate is None:
                continue
            visit.starts_at, visit.ends_at = slot, slot + VISIT_LENGTH
            if _assign(session, visit, candidate):
                pair = candidate
                break
    if pair is None:
        visit.starts_at, visit.ends_at = fallback, fallback + VISIT_LENGTH
    else:
        visit.staffing = "staffed"
        task.assignee_id = pair[0]
    task.due_at = task.scheduled_for = visit.starts_at
    session.flush()
    notice = _plan_notice(session, rt, case, visit, rule, now)
    timeline.record(
        session,
        case.id,
        "visit_booked",
        now,
        channel="visit",
        actor=actor,
        step_id=step.id,
        task_id=task.id,
        visit_id=visit.id,
        visit_no=visit_no,
        starts_at=visit.starts_at.isoformat(),
        staffing=visit.staffing,
        staff=pair,
        tenant_notice=notice,
    )
    if pair is None:
        timeline.record(
            session,
            case.id,
            "visit_needs_staffing",
            now,
            channel="visit",
            visit_id=visit.id,
            district=case.district_code,
            reason="no free pair in the outreach team in time"
            if len(members) >= 2
            else "the district has no outreach team of two",
        )
    return visit


def task_for_step(
    session: Session, rt: Runtime, case: Case, step: Step, rule: Rule, now: datetime
) -> Task:
    """The home-visit step's task; booked once, found again if the job runs twice."""
    visit = session.scalar(
        select(HomeVisit).where(HomeVisit.step_id == step.id).order_by(HomeVisit.id).limit(1)
    )
    if visit is None:
        visit = schedule_visit(session, rt, case, step, rule, now)
    task = session.get(Task, visit.task_id)
    assert task is not None
    return task


# -- the tenant's notice --------------------------------------------------------


#: A visit notice later than this before the visit is not sent: it would tell
#: nobody anything in time (a retried or deferred SMS must not arrive after it).
NOTICE_LEAD = timedelta(hours=1)
NOTICE_RULES = ("visit_notice", "visit_cancelled_notice")


def _not_told(
    session: Session, case: Case, visit: HomeVisit, now: datetime, reason: str, what: str
) -> None:
    """The policy says tell the tenant, but no SMS can reach them: staff must know.

    There is no letter path for a notice (a letter takes days); the staff who
    visit see this on the timeline and can call or leave a card.
    """
    timeline.record(
        session,
        case.id,
        "visit_tenant_not_told",
        now,
        channel="visit",
        visit_id=visit.id,
        notice=what,
        reason=reason,
    )


def _plan_notice(
    session: Session, rt: Runtime, case: Case, visit: HomeVisit, rule: Rule, now: datetime
) -> str | None:
    """An SMS step telling the tenant the visit time; returns why not, or "planned"."""
    notice_rule = rt.policy.by_name.get("visit_notice")
    if not rule.notify_tenant or notice_rule is None:
        return None
    recipient = compose.recipient_for(notice_rule, case, None)
    if isinstance(recipient, compose.Unusable):
        _not_told(session, case, visit, now, recipient.reason, "visit_notice")
        return recipient.reason
    ladder.add_step(
        session,
        case.id,
        rule=notice_rule.name,
        key=f"{notice_rule.name}:v{visit.id}:s{visit.ical_sequence}",
        channel=notice_rule.channel,
        due_at=now,
        now=now,
        params={"visit_id": visit.id, "when": visit.starts_at.astimezone(OSLO).isoformat()},
        visit_id=visit.id,
    )
    return "planned"


def _plan_cancelled_notice(
    session: Session, rt: Runtime, case: Case, visit: HomeVisit, was: datetime, now: datetime
) -> str | None:
    """The tenant was told of the visit: a neutral SMS that it is off.

    The step is written just before the commit (:func:`_write_off_notices`),
    after everything else the cancelling action wrote, so its ``step_planned``
    comes last on the timeline.
    """
    rule = rt.policy.by_name.get("visit_cancelled_notice")
    if rule is None or case.status != "open":
        return None
    recipient = compose.recipient_for(rule, case, None)
    if isinstance(recipient, compose.Unusable):
        _not_told(session, case, visit, now, recipient.reason, rule.name)
        return recipient.reason
    session.info.setdefault(_OFF_NOTICES, []).append((rule, case.id, visit.id, was, now))
    return "planned"


_OFF_NOTICES = "visit_off_notices"


@sa_event.listens_for(Session, "before_commit")
def _write_off_notices(session: Session) -> None:
    if session.new or session.dirty or session.deleted:
        # The commit would flush next anyway; flushing first lets a response's
        # cancelled visit task (cancelled in that flush) plan its notice here.
        session.flush()
    pending = session.info.pop(_OFF_NOTICES, [])
    for rule, case_id, visit_id, was, now in pending:
        ladder.add_step(
            session,
            case_id,
            rule=rule.name,
            key=f"{rule.name}:v{visit_id}",
            channel=rule.channel,
            due_at=now,
            now=now,
            params={"visit_id": visit_id, "when": was.astimezone(OSLO).isoformat()},
            visit_id=visit_id,
        )


@sa_event.listens_for(Session, "after_rollback")
def _drop_off_notices(session: Session) -> None:
    session.info.pop(_OFF_NOTICES, None)


def notice_too_late(session: Session, rt: Runtime, step: Step, now: datetime) -> bool:
    """For the step runner: cancel a visit notice that could only arrive too late.

    A notice deferred to the SMS window or retried after provider errors must
    not reach the tenant after the visit (``NOTICE_LEAD`` before it, for the
    notice of the visit; the visit's time, for the notice that it is off).
    Commits and returns True when it cancelled the step.
    """
    if step.rule not in NOTICE_RULES:
        return False
    visit_id = (step.params or {}).get("visit_id")
    visit = session.get(HomeVisit, int(visit_id)) if visit_id is not None else None
    if visit is None:
        reason = "the visit is gone"
    elif step.rule == "visit_notice" and now >= visit.starts_at - NOTICE_LEAD:
        reason = "too late: the visit is about to start or has started"
    elif step.rule == "visit_cancelled_notice" and now >= visit.starts_at:
        reason = "too late: the visit time has passed"
    else:
        return False
    case = session.get(Case, step.case_id)
    assert case is not None
    ladder.cancel_step(session, rt, case, step, now, reason, visit_id=visit_id)
    session.commit()
    return True


def _notice_steps(session: Session, visit: HomeVisit) -> list[Step]:
    with session.no_autoflush:
        steps = session.scalars(
            select(Step).where(Step.case_id == visit.case_id, Step.rule == "visit_notice")
        ).all()
    return [s for s in steps if (s.params or {}).get("visit_id") == visit.id]


# -- invitations ----------------------------------------------------------------


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


def invitation_for_task(task: Task) -> tuple[Attachment, ...]:
    """For ``compose``: the invitation that goes with a home-visit task's message."""
    session = object_session(task)
    if session is None:
        return ()
    visit = session.scalar(select(HomeVisit).where(HomeVisit.task_id == task.id))
    if visit is None:
        return ()
    _queue_emailed(session, visit)
    return (_attachment(session, visit),)


def _queue_emailed(session: Session, visit: HomeVisit) -> None:
    """The step's message reaches the team's outbox; staff with an address get email too.

    Queued once per visit and sequence (a retried step composes again).
    """
    if not any(u.email for u in invitees(session, visit)):
        return
    content = _content("nytt besøk", visit)
    with session.no_autoflush:
        queued = session.scalar(
            select(func.count(Attempt.id)).where(
                Attempt.detail == f"visit:{visit.id}:email", Attempt.content == content
            )
        )
    if not queued:
        from outreach.runtime import current

        rt = current()
        _queue_invitation(session, rt, visit, rt.now(), "nytt besøk", email_only=True)


def _content(why: str, visit: HomeVisit) -> str:
    return f"{why}: besøk {visit.id}, sekvens {visit.ical_sequence}"


def _queue_invitation(
    session: Session,
    rt: Runtime,
    visit: HomeVisit,
    now: datetime,
    why: str,
    *,
    email_only: bool = False,
) -> Attempt | None:
    """An attempt on the visit's step, sent right after the commit.

    ``email_only``: only to the staff who have an email address (the team's
    outbox has the invitation already).
    """
    if visit.step_id is None:
        return None
    with session.no_autoflush:
        pending = [
            a.try_no
            for a in session.new
            if isinstance(a, Attempt) and a.step_id == visit.step_id and a.try_no
        ]
        stored = session.scalar(
            select(func.max(Attempt.try_no)).where(Attempt.step_id == visit.step_id)
        )
    try_no = max([stored or 0, *pending]) + 1
    attempt = Attempt(
        step_id=visit.step_id,
        case_id=visit.case_id,
        try_no=try_no,
        channel="home_visit",
        recipient=f"outreach_team:{visit.district_code or 'unrouted'}",
        language="nb",
        status="sending",
        content=_content(why, visit),
        detail=f"visit:{visit.id}:email" if email_only else f"visit:{visit.id}",
        created_at=now,
        updated_at=now,
    )
    # No flush here: the id is read after the commit, when the invitation is sent.
    session.add(attempt)
    on_commit(session, lambda: deliver_invitation(rt, attempt.id))
    return attempt


#: An invitation still ``sending`` this long after it was written is taken up
#: by the tick; younger ones may be on their way in the committing process.
PENDING_GRACE = timedelta(seconds=60)


def deliver_invitation(rt: Runtime, attempt_id: int) -> str:
    """Send one queued invitation; idempotent.

    Staff with an email address get it by email (their own calendar); for the
    others, or a visit with no pair, it goes to the ``home_visit`` channel
    (the team's outbox). The ``.ics`` stays downloadable on the visit page.
    """
    session = rt.new_session()
    try:
        attempt = session.get(Attempt, attempt_id)
        if attempt is None or attempt.status != "sending":
            return "not_pending"
        visit_id, _, mode = attempt.detail.removeprefix("visit:").partition(":")
        visit = session.get(HomeVisit, int(visit_id))
        case = session.get(Case, attempt.case_id)
        assert visit is not None and case is not None
        when = visit.starts_at.astimezone(OSLO)
        title = "Avlyst: hjemmebesøk" if visit.status == "cancelled" else "Hjemmebesøk"
        people = invitees(session, visit)
        emailed = [u for u in people if u.email]
        message = Message(
            idempotency_key=attempt.idempotency_key,
            channel="home_visit",
            to=attempt.recipient,
            subject=f"{title} – sak {case.reference}",
            body=f"{title} – sak {case.reference}, {when:%d.%m.%Y %H:%M}",
            language="nb",
            attachments=(_attachment(session, visit),),
            metadata={"case": case.reference, "visit": str(visit.id)},
        )
        deliveries = [
            d
            for u in emailed
            if (d := _send(session, rt.channel("email"), attempt, message, u)) is not None
        ]
        if mode != "email" and (not people or len(emailed) < len(people)):
            channel = rt.channel("home_visit")
            deliveries.append(
                channel.lookup(attempt.idempotency_key, attempt.recipient) or channel.send(message)
            )
        now = rt.now()
        # Nothing sent now with someone emailed: an earlier run sent their copies.
        status = deliveries[-1].status if deliveries else ("sent" if emailed else "not_sent")
        session.add(AttemptStatus(attempt_id=attempt.id, status="sending", at=attempt.created_at))
        attempt.status = status
        attempt.provider_ref = deliveries[-1].provider_ref if deliveries else None
        attempt.updated_at = now
        session.add(AttemptStatus(attempt_id=attempt.id, status=status, at=now))
        timeline.record(
            session,
            case.id,
            "visit_invitation_sent",
            now,
            channel="home_visit",
            step_id=attempt.step_id,
            attempt_id=attempt.id,
            visit_id=visit.id,
            method="CANCEL" if visit.status == "cancelled" else "REQUEST",
            sequence=visit.ical_sequence,
            emailed=[u.id for u in emailed] or None,
        )
        session.commit()
        return status
    except PermanentChannelError as exc:
        session.rollback()
        _give_up(session, rt, attempt_id, exc.code)
        return "failed"
    except Exception:
        session.rollback()
        log.exception(
            "visit invitation %s not sent; deliver_pending_invitations retries", attempt_id
        )
        return "error"
    finally:
        session.close()


def _give_up(session: Session, rt: Runtime, attempt_id: int, code: str) -> None:
    """Retrying cannot help (an address refused): fail it, so the tick stops trying.

    The ``.ics`` stays downloadable on the visit page; staff see why on the timeline.
    """
    attempt = session.get(Attempt, attempt_id)
    if attempt is None or attempt.status != "sending":
        return
    now = rt.now()
    attempt.status = "failed"
    attempt.error_code = code
    attempt.updated_at = now
    session.add(AttemptStatus(attempt_id=attempt.id, status="failed", at=now, detail=code))
    timeline.record(
        session, attempt.case_id, "visit_invitation_failed", now, channel="home_visit",
        step_id=attempt.step_id, attempt_id=attempt.id, reason=code,
    )  # fmt: skip
    session.commit()
    log.warning("visit invitation %s failed for good: %s", attempt_id, code)


def _send(
    session: Session, channel: Channel, attempt: Attempt, message: Message, user: User
) -> Delivery | None:
    """One staff member's copy by email; None if an earlier run already sent it.

    SendGrid cannot look a send up by our key, so each copy sent is recorded
    (an ``AttemptStatus`` naming the person) and committed at once: a retry
    after an error skips whoever has theirs.
    """
    assert user.email
    done = f"emailed user {user.id}"
    if session.scalar(
        select(func.count(AttemptStatus.id)).where(
            AttemptStatus.attempt_id == attempt.id, AttemptStatus.detail == done
        )
    ):
        return None
    key = f"{message.idempotency_key}-u{user.id}"
    delivery = channel.send(replace(message, idempotency_key=key, channel="email", to=user.email))
    session.add(
        AttemptStatus(attempt_id=attempt.id, status=delivery.status, at=attempt.updated_at,
                      detail=done)
    )  # fmt: skip
    session.commit()
    return delivery


def deliver_pending_invitations(rt: Runtime, now: datetime | None = None) -> int:
    """Finish invitations a crash or a channel error left ``sending`` (run by the tick)."""
    cutoff = (now or rt.now()) - PENDING_GRACE
    with rt.session() as session:
        ids = list(
            session.scalars(
                select(Attempt.id).where(
                    Attempt.channel == "home_visit",
                    Attempt.status == "sending",
                    Attempt.detail.like("visit:%"),
                    Attempt.created_at <= cutoff,
                )
            )
        )
    return sum(deliver_invitation(rt, i) not in {"error", "not_pending"} for i in ids)


# -- staff actions ---------------------------------------------------------------


def _check_time(rt: Runtime, start: datetime, now: datetime) -> None:
    if start.tzinfo is None:
        raise VisitError("The time must have a time zone.", "starts_at")
    local = start.astimezone(OSLO)
    opens, closes = rt.policy.working_hours
    if not rt.calendar.is_working_day(local.date()):
        raise VisitError("Visits are on working days only.", "starts_at")
    if (
        local.time() < opens
        or (local + VISIT_LENGTH).time() > closes
        or ((local + VISIT_LENGTH).date() != local.date())
    ):
        raise VisitError("The visit must lie within working hours.", "starts_at")
    if start <= now:
        raise VisitError("The new time must be in the future.", "starts_at")


def move_visit(
    session: Session,
    rt: Runtime,
    visit: HomeVisit,
    starts_at: datetime,
    *,
    actor: str | None = None,
    staff_ids: list[int] | None = None,
) -> HomeVisit:
    """Move a visit (and optionally change its pair); the staff get SEQUENCE + 1.

    ``staff_ids=None`` keeps the pair (or, for a pool visit, takes a free pair
    at the new time if there is one); an empty list makes it a pool visit.
    """
    if visit.status != "scheduled":
        raise VisitError("Only a scheduled visit can be moved.", "starts_at")
    now = rt.now()
    _check_time(rt, starts_at, now)
    members = team(session, visit.district_code)
    member_ids = {m.id for m in members}
    current_ids = [u.id for u in staff_of(session, visit)]
    wanted = current_ids if staff_ids is None else list(dict.fromkeys(staff_ids))
    if wanted and (len(wanted) != 2 or not set(wanted) <= member_ids):
        raise VisitError("Choose two people from the district's outreach team.", "staff")
    _lock_staff(session, list(member_ids | set(current_ids)))
    session.execute(delete(VisitStaff).where(VisitStaff.visit_id == visit.id))
    was = visit.starts_at
    visit.starts_at, visit.ends_at = starts_at, starts_at + VISIT_LENGTH
    if not wanted and staff_ids is None:
        wanted = _free_pair(session, members, starts_at) or []
    if wanted:
        busy = busy_users(session, wanted, visit.starts_at, visit.ends_at, exclude_visit=visit.id)
        if busy:
            names = ", ".join(sorted(u.display_name for u in members if u.id in busy))
            raise VisitError(f"Already booked then (travel time included): {names}.", "starts_at")
        if not _assign(session, visit, wanted):
            raise VisitError("Already booked then.", "starts_at")
    visit.staffing = "staffed" if wanted else "pool"
    visit.ical_sequence += 1
    visit.updated_at = now
    task = session.get(Task, visit.task_id)
    assert task is not None
    task.due_at = task.scheduled_for = visit.starts_at
    task.assignee_id = wanted[0] if wanted else None
    timeline.record(
        session,
        visit.case_id,
        "visit_moved",
        now,
        channel="visit",
        actor=actor,
        task_id=task.id,
        visit_id=visit.id,
        was=was.isoformat(),
        starts_at=visit.starts_at.isoformat(),
        staff=wanted or None,
        staffing=visit.staffing,
        sequence=visit.ical_sequence,
    )
    if not wanted:
        timeline.record(
            session, visit.case_id, "visit_needs_staffing", now, channel="visit",
            visit_id=visit.id, district=visit.district_code, reason="moved without a pair",
        )  # fmt: skip
    _renotify(session, rt, visit, now)
    _queue_invitation(session, rt, visit, now, "flyttet")
    return visit


def _renotify(session: Session, rt: Runtime, visit: HomeVisit, now: datetime) -> None:
    """A pending notice names the new time; a sent one is followed by a new notice."""
    case = session.get(Case, visit.case_id)
    assert case is not None
    notices = _notice_steps(session, visit)
    pending = [s for s in notices if s.status in STEP_OPEN]
    for step in pending:
        step.params = {**(step.params or {}), "when": visit.starts_at.astimezone(OSLO).isoformat()}
    if notices and not pending and case.status == "open" and case.ladder_state == "running":
        rule = rt.policy.by_name.get("home_visit")
        if rule is not None:
            _plan_notice(session, rt, case, visit, rule, now)


def cancel_visit(
    session: Session,
    rt: Runtime,
    visit: HomeVisit,
    *,
    reason: str,
    actor: str | None = None,
    cancel_task: bool = True,
) -> HomeVisit:
    """Cancel a visit: free the staff, withdraw the notice, send CANCEL (SEQUENCE + 1)."""
    if visit.status != "scheduled":
        raise VisitError("Only a scheduled visit can be cancelled.", "reason")
    if cancel_task and len(reason.strip()) < 3:
        raise VisitError("Write why the visit is cancelled.", "reason")
    now = rt.now()
    staff = [u.id for u in staff_of(session, visit)]
    session.execute(delete(VisitStaff).where(VisitStaff.visit_id == visit.id))
    visit.status = "cancelled"
    visit.cancel_reason = reason.strip()
    visit.ical_sequence += 1
    visit.updated_at = now
    task = session.get(Task, visit.task_id)
    if cancel_task and task is not None and task.status == "open":
        task.status = "cancelled"
        task.outcome = "cancelled"
        task.completed_at = now
        timeline.record(
            session, visit.case_id, "task_cancelled", now, actor=actor,
            task_id=task.id, task_kind=task.kind, reason=reason.strip(),
        )  # fmt: skip
    told = False
    case = session.get(Case, visit.case_id)
    assert case is not None
    for step in _notice_steps(session, visit):
        if step.status in STEP_OPEN:
            ladder.cancel_step(session, rt, case, step, now, "visit cancelled", actor=actor)
        elif step.status == "done":
            told = True
    off_notice = (
        _plan_cancelled_notice(session, rt, case, visit, visit.starts_at, now) if told else None
    )
    timeline.record(
        session,
        visit.case_id,
        "visit_cancelled",
        now,
        channel="visit",
        actor=actor,
        visit_id=visit.id,
        task_id=visit.task_id,
        reason=reason.strip() or None,
        staff=staff or None,
        sequence=visit.ical_sequence,
        # The tenant was told of the visit: an SMS tells them it is off.
        tenant_was_notified=told or None,
        tenant_notice=off_notice,
    )
    _queue_invitation(session, rt, visit, now, "avlyst")
    return visit


def on_tasks_cancelled(event: TasksCancelled) -> None:
    """A response or a close cancelled the visit's task: cancel the visit too."""
    for task in event.tasks:
        if task.kind != "home_visit":
            continue
        visit = event.session.scalar(select(HomeVisit).where(HomeVisit.task_id == task.id))
        if visit is not None and visit.status == "scheduled":
            cancel_visit(event.session, event.rt, visit, reason="task cancelled", cancel_task=False)


def on_replanned(event: CaseReplanned) -> None:
    """A visit already booked whose rule's condition stopped holding is cancelled.

    The step that booked it is done, so the ladder's re-plan does not see it;
    the visit's own cancel frees the pair, sends them the calendar CANCEL,
    withdraws the tenant's notice and closes the task.
    """
    session, rt = event.session, event.rt
    booked = session.scalars(
        select(HomeVisit)
        .where(HomeVisit.case_id == event.case.id, HomeVisit.status == "scheduled")
        .order_by(HomeVisit.id)
    ).all()
    for visit in booked:
        step = session.get(Step, visit.step_id) if visit.step_id is not None else None
        rule = rt.policy.by_name.get(step.rule) if step is not None else None
        if rule is None or not rule.when:
            continue
        failing = [
            c for c in rule.when if not condition_holds(c, event.facts, rt.policy, event.today)
        ]
        if failing:
            cancel_visit(session, rt, visit, reason=f"no longer applies: {', '.join(failing)}")


def on_forwarded(event: CaseForwarded) -> None:
    """Not-yet-done visits: the old team's is cancelled (they get CANCEL), the new
    district's team gets one at its first free pair, with an invitation.

    Published after ``case.district_code`` has changed: booking reads the team from it.
    """
    session, rt, case, actor = event.session, event.rt, event.case, event.actor
    now = rt.now()
    for visit in list(
        session.scalars(
            select(HomeVisit)
            .where(HomeVisit.case_id == case.id, HomeVisit.status == "scheduled")
            .order_by(HomeVisit.id)
        )
    ):
        step = session.get(Step, visit.step_id) if visit.step_id is not None else None
        cancel_visit(session, rt, visit, reason="case forwarded", actor=actor)
        rule = (rt.policy.by_name.get(step.rule) if step else None) or rt.policy.by_name.get(
            "home_visit"
        )
        if step is None or rule is None or case.status != "open":
            continue
        new = schedule_visit(
            session, rt, case, step, rule, now, visit_no=visit.visit_no, actor=actor
        )
        # The booking job is not run again, so the new team's invitation is
        # queued here as ``_plan_another`` does for a second visit.
        _queue_invitation(session, rt, new, now, "nytt besøk")


def on_task_outcome(event: TaskOutcome) -> None:
    if event.task.kind == "home_visit":
        after_outcome(
            event.session, event.rt, event.case, event.task, event.outcome, event.at, event.actor
        )


def subscribe(hooks: Hooks) -> None:
    """The visit's part of what the case and ladder announce (``outreach.wiring``)."""
    hooks.subscribe(TasksCancelled, on_tasks_cancelled)
    hooks.subscribe(CaseReplanned, on_replanned)
    hooks.subscribe(CaseForwarded, on_forwarded)
    hooks.subscribe(TaskOutcome, on_task_outcome)


# -- outcomes ---------------------------------------------------------------------


def after_outcome(
    session: Session,
    rt: Runtime,
    case: Case,
    task: Task,
    outcome: str,
    at: datetime,
    actor: str | None,
) -> HomeVisit | None:
    """Close the visit; "not home" plans one more (issue 4), the others are recorded."""
    visit = session.scalar(select(HomeVisit).where(HomeVisit.task_id == task.id))
    if visit is not None and visit.status == "scheduled":
        visit.status = "done"
        visit.updated_at = rt.now()
    if outcome == "refused":
        timeline.record(
            session, case.id, "contact_refused", at, channel="visit", actor=actor, task_id=task.id
        )
    elif outcome == "moved_out":
        # The ladder goes on (a letter may still reach a new address); staff
        # look for the new address.
        timeline.record(
            session, case.id, "tenant_moved_out", at, channel="visit", actor=actor, task_id=task.id
        )
    elif outcome == "not_home":
        timeline.record(
            session, case.id, "contact_card_left", at, channel="visit", actor=actor, task_id=task.id
        )
        return _plan_another(session, rt, case, task, actor)
    return None


def _plan_another(
    session: Session, rt: Runtime, case: Case, task: Task, actor: str | None
) -> HomeVisit | None:
    if task.step_id is None or case.status != "open" or case.ladder_state != "running":
        return None
    visits_so_far = session.scalar(
        select(func.count(Task.id)).where(Task.step_id == task.step_id, Task.kind == task.kind)
    )
    if (visits_so_far or 0) >= MAX_VISITS:
        return None
    step = session.get(Step, task.step_id)
    assert step is not None
    rule = rt.policy.by_name.get(step.rule) or rt.policy.by_name.get("home_visit")
    if rule is None:
        return None
    visit = schedule_visit(
        session, rt, case, step, rule, rt.now(), visit_no=(visits_so_far or 0) + 1, actor=actor
    )
    _queue_invitation(session, rt, visit, rt.now(), "nytt besøk")
    return visit


def visits_for(session: Session, districts: set[str] | None, since: datetime) -> list[HomeVisit]:
    query = select(HomeVisit).where(HomeVisit.ends_at >= since).order_by(HomeVisit.starts_at)
    if districts is not None:
        query = query.where(HomeVisit.district_code.in_(districts))
    return list(session.scalars(query))
