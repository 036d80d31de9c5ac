"""Read-side queries for the staff web app: the queue, my work, the lead's deadlines.

Nothing here writes. Visibility follows ``Principal.can_see``: a user sees
the cases of their districts; central intake also sees the unrouted ones; an
administrator sees all. Priorities follow the peer review's list for Oslo
(seeds/004: crisis cases, families with children, the elderly, repeat cases)
and the circular's deadlines (seeds/000: the letter within three working days).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, and_, func, or_, select, true
from sqlalchemy.orm import Session, selectinload

from outreach.intake.matching import name_key
from outreach.models import Case, Event, Flag, Person, PrintItem, Step, Task, Trigger, User
from outreach.models.staff import FollowUpItem
from outreach.vocabulary import STEP_OPEN

OSLO = ZoneInfo("Europe/Oslo")

# An eviction date this close puts a case at the top even before the ladder
# calls it a crisis: the bailiff's date is the one deadline we cannot move.
CRISIS_DAYS = 28
# A planned step still waiting this long after its due time has been missed
# by the tick (or the queue is down): the lead should see it.
STEP_GRACE = timedelta(minutes=30)

REASONS = ("crisis", "children", "elderly", "repeat", "overdue", "unreachable")


def registered_unrouted(user: User) -> ColumnElement[bool]:
    """An unrouted case ``user`` registered a notice on: theirs to read until it is routed.

    Central intake holds it, but the caseworker who typed the notice in must still
    find and open it – to see that it went somewhere, to correct it (issue 12,
    item 12). Routing ends this: then the district sees it, and only the district.
    """
    return and_(
        Case.district_code.is_(None),
        Case.id.in_(
            select(Event.case_id).where(
                Event.kind == "trigger_received", Event.actor == user.username
            )
        ),
    )


def visible_cases(user: User) -> ColumnElement[bool]:
    """The one read rule (``Principal.can_see`` asks it too): the user's districts,
    the unrouted cases for central intake, those the user registered while unrouted."""
    roles = user.role_set
    if "admin" in roles:
        return true()
    clauses: list[ColumnElement[bool]] = [registered_unrouted(user)]
    if user.district_set:
        clauses.append(Case.district_code.in_(sorted(user.district_set)))
    if "central_intake" in roles:
        clauses.append(Case.district_code.is_(None))
    return or_(*clauses)


def visible_districts(user: User) -> ColumnElement[bool] | None:
    """A filter on a ``district_code`` column for tasks/flags; None = everything."""
    if "admin" in user.role_set:
        return None
    return Task.district_code.in_(sorted(user.district_set))


def age_on(birth_date: date | None, day: date) -> int | None:
    if birth_date is None:
        return None
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


@dataclass
class QueueRow:
    case: Case
    person: Person
    reasons: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    next_step: Step | None = None
    trigger_kind: str | None = None
    next_task: Task | None = None
    open_flag: Flag | None = None

    @property
    def reason_codes(self) -> set[str]:
        return {code for code, _ in self.reasons}

    def sort_key(self) -> tuple[Any, ...]:
        codes = self.reason_codes
        far = date.max
        return (
            0 if "crisis" in codes else 1,
            self.case.eviction_date or far if "crisis" in codes else far,
            "children" not in codes,
            "elderly" not in codes,
            "repeat" not in codes,
            "overdue" not in codes,
            "unreachable" not in codes,
            self.case.eviction_date or far,
            self.case.opened_at,
        )


@dataclass(frozen=True)
class QueueFilter:
    reason: str | None = None
    status: str = "active"  # active (open + paused) | paused | closed | all
    kind: str | None = None
    mine: bool = False
    case_ids: frozenset[int] | None = None  # a search result
    # A district code, or UNROUTED for the cases no district has yet (central
    # intake must route those, DOMAIN.md); None = every district the user sees.
    district: str | None = None


UNROUTED = "uten-bydel"


def district_choices(user: User, session: Session) -> list[str]:
    """The queue's district filter: the user's districts, and UNROUTED for central
    intake and admins (the only ones who see unrouted cases). Empty when there is
    nothing to choose between."""
    roles = user.role_set
    if "admin" in roles:
        codes = {d for d in session.scalars(select(Case.district_code).distinct()) if d}
        codes |= user.district_set
    else:
        codes = set(user.district_set)
    choices = sorted(codes)
    if roles & {"admin", "central_intake"}:
        choices.append(UNROUTED)
    return choices if len(choices) > 1 else []


def _overdue_by_case(session: Session, case_ids: list[int], now: datetime) -> dict[int, list[str]]:
    overdue: dict[int, list[str]] = defaultdict(list)
    if not case_ids:
        return overdue
    for case_id, rule in session.execute(
        select(Step.case_id, Step.rule).where(
            Step.case_id.in_(case_ids),
            Step.status.in_(STEP_OPEN),
            Step.channel.in_(("letter", "task")),
            Step.deadline_at.is_not(None),
            Step.deadline_at < now,
        )
    ):
        overdue[case_id].append("letter" if rule in {"letter", "manual_letter"} else "step")
    for (case_id,) in session.execute(
        select(Flag.case_id).where(
            Flag.case_id.in_(case_ids),
            Flag.status != "decided",
            or_(Flag.due_at < now, Flag.status == "escalated"),
        )
    ):
        overdue[case_id].append("flag")
    for (case_id,) in session.execute(
        select(Task.case_id).where(
            Task.case_id.in_(case_ids), Task.status == "open", Task.due_at < now
        )
    ):
        overdue[case_id].append("task")
    return overdue


def _unreachable(session: Session, cases: dict[int, Case]) -> set[int]:
    found = set()
    for case_id, data in session.execute(
        select(Event.case_id, Event.data).where(
            Event.case_id.in_(list(cases)), Event.kind == "unreachable"
        )
    ):
        case = cases[case_id]
        if (
            case.ladder_state == "running"
            and (data or {}).get("round", case.ladder_round) == case.ladder_round
        ):
            found.add(case_id)
    return found


def queue(
    session: Session,
    user: User,
    now: datetime,
    *,
    elderly_age: int = 67,
    filters: QueueFilter | None = None,
    limit: int = 300,
) -> list[QueueRow]:
    """The user's districts' cases, most urgent first, each with its reasons."""
    filters = filters or QueueFilter()
    today = now.astimezone(OSLO).date()
    query = select(Case).options(selectinload(Case.person)).where(visible_cases(user))
    if filters.status == "closed":
        query = query.where(Case.status == "closed")
    elif filters.status == "paused":
        query = query.where(Case.status == "paused")
    elif filters.status != "all":
        query = query.where(Case.status != "closed")
    if filters.mine:
        query = query.where(Case.caseworker_id == user.id)
    if filters.case_ids is not None:
        query = query.where(Case.id.in_(sorted(filters.case_ids)))
    if filters.district == UNROUTED:
        query = query.where(Case.district_code.is_(None))
    elif filters.district is not None:
        query = query.where(Case.district_code == filters.district)
    cases = {c.id: c for c in session.scalars(query.limit(2000))}
    ids = list(cases)
    overdue = _overdue_by_case(session, ids, now)
    unreachable = _unreachable(session, cases) if ids else set()
    next_steps: dict[int, Step] = {}
    latest_kind: dict[int, str] = {}
    next_tasks: dict[int, Task] = {}
    open_flags: dict[int, Flag] = {}
    if ids:
        for step in session.scalars(
            select(Step)
            .where(Step.case_id.in_(ids), Step.status.in_(STEP_OPEN), Step.channel != "check")
            .order_by(Step.due_at)
        ):
            next_steps.setdefault(step.case_id, step)
        for case_id, kind in session.execute(
            select(Trigger.case_id, Trigger.kind)
            .where(Trigger.case_id.in_(ids))
            .order_by(Trigger.id)
        ):
            latest_kind[case_id] = kind
        for task in session.scalars(
            select(Task).where(Task.case_id.in_(ids), Task.status == "open").order_by(Task.due_at)
        ):
            next_tasks.setdefault(task.case_id, task)
        for flag in session.scalars(
            select(Flag)
            .where(Flag.case_id.in_(ids), Flag.status != "decided")
            .order_by(Flag.due_at)
        ):
            open_flags.setdefault(flag.case_id, flag)

    rows = []
    for case in cases.values():
        row = QueueRow(
            case,
            case.person,
            next_step=next_steps.get(case.id),
            trigger_kind=latest_kind.get(case.id),
            next_task=next_tasks.get(case.id),
            open_flag=open_flags.get(case.id),
        )
        if case.eviction_date is not None:
            days = (case.eviction_date - today).days
            # A date that has passed is no deadline to race (issue 12, item 10).
            if days >= 0 and (case.crisis or days <= CRISIS_DAYS):
                row.reasons.append(("crisis", {"date": case.eviction_date, "days": days}))
        elif case.crisis:
            row.reasons.append(("crisis", {"date": None, "days": None}))
        children = [a for a in case.children_ages or () if a < 18]
        if children:
            row.reasons.append(("children", {"count": len(children)}))
        age = age_on(case.person.birth_date, today)
        if age is not None and age >= elderly_age:
            row.reasons.append(("elderly", {"age": age}))
        if case.is_repeat:
            row.reasons.append(("repeat", {}))
        if case.id in overdue:
            row.reasons.append(("overdue", {"what": sorted(set(overdue[case.id]))}))
        if case.id in unreachable:
            row.reasons.append(("unreachable", {}))
        if filters.reason and filters.reason not in row.reason_codes:
            continue
        if filters.kind and row.trigger_kind != filters.kind:
            continue
        rows.append(row)
    rows.sort(key=QueueRow.sort_key)
    return rows[:limit]


def search_cases(session: Session, user: User, text: str, lookup_hash: Any) -> tuple[str, set[int]]:
    """Find visible cases by reference, national id or name; returns (query kind, case ids)."""
    text = text.strip()
    digits = text.replace(" ", "")
    base = select(Case.id).join(Person, Person.id == Case.person_id).where(visible_cases(user))
    if text.upper().startswith("OUT-"):
        ids = set(session.scalars(base.where(Case.reference == text.upper())))
        return "reference", ids
    if digits.isdigit() and len(digits) == 11:
        ids = set(session.scalars(base.where(Person.national_id_hmac == lookup_hash(digits))))
        return "national_id", ids
    tokens = name_key(text).split()
    if not tokens:
        return "name", set()
    conditions = [Person.name_key.contains(token, autoescape=True) for token in tokens]
    return "name", set(session.scalars(base.where(and_(*conditions))))


# -- my work ---------------------------------------------------------------


def _my_task_filter(user: User) -> ColumnElement[bool]:
    """Mine by name, or unassigned work for one of my roles in my districts."""
    roles = sorted(user.role_set | ({"outreach_team"} if "caseworker" in user.role_set else set()))
    pool = and_(Task.assignee_id.is_(None), Task.assignee_role.in_(roles))
    if "admin" not in user.role_set:
        pool = and_(pool, Task.district_code.in_(sorted(user.district_set)))
    return or_(Task.assignee_id == user.id, pool)


def _on_visible_case(user: User) -> ColumnElement[bool]:
    """A task is shown only while its case is one the user may see (a forward moves it)."""
    return Task.case_id.in_(select(Case.id).where(visible_cases(user)))


def my_tasks(session: Session, user: User) -> list[Task]:
    return list(
        session.scalars(
            select(Task)
            .where(
                Task.status == "open",
                Task.kind != "home_visit",
                _my_task_filter(user),
                _on_visible_case(user),
            )
            .order_by(Task.due_at, Task.priority.desc())
        )
    )


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def visits_week(session: Session, user: User, monday: date) -> dict[date, list[Task]]:
    """Home visits and office appointments Monday to Friday of one week, for the user's districts.

    An appointment the tenant booked is the office's on its day (issue 12, item 8).
    """
    start = datetime.combine(monday, datetime.min.time(), OSLO)
    end = start + timedelta(days=7)
    query = select(Task).where(
        Task.kind.in_(("home_visit", "office_appointment")),
        Task.status == "open",
        _on_visible_case(user),
        or_(
            and_(Task.scheduled_for >= start, Task.scheduled_for < end),
            and_(Task.scheduled_for.is_(None), Task.due_at >= start, Task.due_at < end),
        ),
    )
    districts = visible_districts(user)
    if districts is not None:
        query = query.where(or_(districts, Task.assignee_id == user.id))
    days: dict[date, list[Task]] = {monday + timedelta(days=i): [] for i in range(5)}
    for task in session.scalars(query.order_by(Task.scheduled_for, Task.due_at)):
        when = (task.scheduled_for or task.due_at).astimezone(OSLO).date()
        days.setdefault(when, []).append(task)
    return days


def flags_for_decision(session: Session, user: User) -> list[Flag]:
    """Flags assigned to me; for a lead also every undecided flag escalated in the district."""
    mine = Flag.assignee_id == user.id
    clauses: list[ColumnElement[bool]] = [mine]
    if user.district_set and "admin" not in user.role_set:
        in_district = Case.district_code.in_(sorted(user.district_set))
        clauses.append(and_(Flag.assignee_id.is_(None), in_district))
        if "district_lead" in user.role_set:
            clauses.append(and_(Flag.status == "escalated", in_district))
    elif "admin" in user.role_set:
        clauses.append(Flag.status == "escalated")
    return list(
        session.scalars(
            select(Flag)
            .join(Case, Case.id == Flag.case_id)
            .where(
                Flag.status != "decided",
                Case.status != "closed",
                visible_cases(user),
                or_(*clauses),
            )
            .order_by(Flag.due_at)
        )
    )


def my_followups(session: Session, user: User) -> list[FollowUpItem]:
    return list(
        session.scalars(
            select(FollowUpItem)
            .where(
                FollowUpItem.status == "open",
                FollowUpItem.owner_id == user.id,
                FollowUpItem.case_id.in_(select(Case.id).where(visible_cases(user))),
            )
            .order_by(FollowUpItem.due_on)
        )
    )


# -- the district lead's deadlines -----------------------------------------


@dataclass
class LeadOverview:
    letters_due_today: list[Step]
    overdue_steps: list[Step]
    undecided_flags: list[Flag]
    overdue_tasks: list[Task]
    # A letter step's print item status (queued, rendered, ...): the print page's words.
    print_states: dict[int, str] = field(default_factory=dict)
    # Cases no district holds yet, waiting at central intake: a count only (no
    # names), so a lead knows a case of theirs may be among them (issue 12).
    unrouted_waiting: int = 0


def lead_overview(session: Session, user: User, now: datetime) -> LeadOverview:
    local = now.astimezone(OSLO)
    end_of_day = datetime.combine(local.date() + timedelta(days=1), datetime.min.time(), OSLO)
    visible = visible_cases(user)
    steps = (
        select(Step)
        .join(Case, Case.id == Step.case_id)
        .where(visible, Case.status != "closed", Step.status.in_(STEP_OPEN))
    )
    # The letter's deadline (three working days) when it has one, else its due time:
    # a letter due at 10:00 today with its deadline on Friday is not "due today"
    # (review, point 5).
    deadline = func.coalesce(Step.deadline_at, Step.due_at)
    letters_due = list(
        session.scalars(
            steps.where(
                Step.rule.in_(("letter", "manual_letter")),
                deadline < end_of_day,
            ).order_by(deadline, Step.id)
        )
    )
    print_states = {
        step_id: status
        for step_id, status in session.execute(
            select(PrintItem.step_id, PrintItem.status).where(
                PrintItem.step_id.in_([s.id for s in letters_due] or [-1])
            )
        )
    }
    overdue_steps = list(
        session.scalars(
            steps.where(
                Step.channel != "check",
                or_(
                    and_(Step.deadline_at.is_not(None), Step.deadline_at < now),
                    and_(Step.status == "planned", Step.due_at < now - STEP_GRACE),
                ),
            ).order_by(Step.due_at)
        )
    )
    flags = list(
        session.scalars(
            select(Flag)
            .join(Case, Case.id == Flag.case_id)
            .where(visible, Case.status != "closed", Flag.status != "decided")
            .order_by(Flag.due_at)
        )
    )
    tasks = list(
        session.scalars(
            select(Task)
            .join(Case, Case.id == Task.case_id)
            .where(visible, Task.status == "open", Task.due_at < now)
            .order_by(Task.due_at)
        )
    )
    unrouted = session.scalar(
        select(func.count(Case.id)).where(Case.district_code.is_(None), Case.status != "closed")
    )
    return LeadOverview(letters_due, overdue_steps, flags, tasks, print_states, unrouted or 0)


def cases_by_id(session: Session, ids: set[int], user: User) -> dict[int, Case]:
    """The cases behind a page's rows, only those ``user`` may see (names, phones)."""
    if not ids:
        return {}
    return {
        c.id: c
        for c in session.scalars(
            select(Case)
            .options(selectinload(Case.person))
            .where(Case.id.in_(sorted(ids)), visible_cases(user))
        )
    }
