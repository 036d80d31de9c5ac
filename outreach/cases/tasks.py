"""Work for people: calls, visits, assessments, reviews – and their outcomes.

A phone call or a home visit is an attempt to reach the tenant like an SMS
is, so each outcome is recorded as an ``Attempt`` on the timeline; reaching
the tenant is a response that stops the ladder (issue 2, issue 4).

Phone tasks (issue 4, "Phone tasks") carry what the caller needs: the
number, the tenant's language and whether an interpreter is needed, the
priority, and a short call script in Norwegian. "No answer" and "voicemail"
plan another try at another time of day, up to :data:`MAX_CALL_TRIES` tries
in all; every try is its own task row on the same step. Home visits are
booked by ``outreach.reach.visit``; their outcomes come through here too.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from babel import Locale
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from outreach import timeline
from outreach.cases.errors import CaseActionError
from outreach.cases.response import register_response
from outreach.hooks import TaskOutcome
from outreach.models import Attempt, AttemptStatus, Case, Step, Task
from outreach.runtime import Runtime

OSLO = ZoneInfo("Europe/Oslo")

PHONE_OUTCOMES = ("reached", "no_answer", "voicemail", "wrong_number", "refused")
VISIT_OUTCOMES = ("met", "not_home", "refused", "moved_out")
TASK_OUTCOMES = ("done",)
#: A notice from someone not party to the case, held until staff settle it (``intake.trust``).
NOTICE_REVIEW = "notice_review"
NOTICE_REVIEW_OUTCOMES = ("confirmed", "dismissed")


def outcomes_for_kind(kind: str) -> tuple[str, ...]:
    """The outcomes a task of this kind can record (the forms offer these, nothing else)."""
    return {
        "phone_call": PHONE_OUTCOMES,
        "home_visit": VISIT_OUTCOMES,
        NOTICE_REVIEW: NOTICE_REVIEW_OUTCOMES,
    }.get(kind, TASK_OUTCOMES)


# The tenant was reached, even if they said no: that is a response and stops
# the ladder (issue 2 audit); going on to call and visit someone who refused
# is pressure, not outreach. A caseworker decides what follows.
REACHED = {"reached", "met", "refused"}
# A visit that reached nobody: in a crisis the flags come at once (rule 6).
VISIT_FAILED = {"not_home", "moved_out"}
# Outcomes after which the same number is worth another try.
CALL_AGAIN = {"no_answer", "voicemail"}

# The first call and up to two more (issue 4: "No answer plans up to 2 more
# tries at other times of day before the task is done").
MAX_CALL_TRIES = 3
# Times of day to call, inside working hours: a person who never answers at
# 08:30 may answer after lunch or late in the afternoon.
CALL_TIMES: dict[str, time] = {
    "morning": time(8, 30),
    "midday": time(11, 30),
    "afternoon": time(14, 30),
}
# After a try in one part of the day, the next goes to the first part not yet tried.
RETRY_ORDER = ("morning", "afternoon", "midday")
# Languages a Norwegian caseworker can be expected to speak with the tenant;
# for any other a qualified interpreter is booked (tolkeloven § 6 ff.).
NO_INTERPRETER = frozenset({"nb", "nn", "no", "sv", "da", "en"})


def priority_of(case: Case, today_age: int | None, elderly_age: int) -> int:
    """Higher first: crisis, children, elderly, repeat case (004, Oslo's priorities)."""
    score = 0
    if case.crisis_since is not None:
        score += 8
    if any(a < 18 for a in case.children_ages or ()):
        score += 4
    if today_age is not None and today_age >= elderly_age:
        score += 2
    if case.is_repeat:
        score += 1
    return score


def priority_reasons(priority: int) -> list[str]:
    """The priority score in words (Norwegian, for the call script)."""
    names = ((8, "krise (nær utkastelsesdato)"), (4, "barn i husstanden"), (2, "eldre"))
    reasons = [text for bit, text in names if priority & bit]
    if priority & 1:
        reasons.append("gjenganger")
    return reasons


def needs_interpreter(language: str) -> bool:
    """An interpreter for any language but Norwegian, Swedish, Danish and English."""
    return (language or "nb").split("-")[0].lower() not in NO_INTERPRETER


def language_name(language: str) -> str:
    """The language's name in Norwegian ("somali"), else its code."""
    base = (language or "nb").split("-")[0].lower()
    name = Locale("nb").languages.get(base)
    return name or language


def part_of_day(at: datetime) -> str:
    local = at.astimezone(OSLO).time()
    if local < time(10, 30):
        return "morning"
    if local < time(13, 30):
        return "midday"
    return "afternoon"


def call_script(
    *,
    phone: str,
    language: str,
    priority: int,
    try_no: int | None,
    contact: str,
    why: str = "",
) -> str:
    """The short call script on a phone task, in Norwegian.

    Confidentiality (NAV-loven § 7): even that NAV calls is confidential, so
    nothing is said to whoever answers unless it is the tenant, and a
    voicemail is neutral. Tolkeloven § 6: a child must never interpret.
    """
    interpreter = needs_interpreter(language)
    first = f"Nummer å ringe: {phone or 'mangler'}."
    if try_no is not None:
        first = f"Forsøk {try_no} av {MAX_CALL_TRIES}. {first}"
    lines = [
        first,
        *([why] if why else []),
        f"Språk: {language_name(language)} ({language}). "
        + ("Tolk: JA – bestill kvalifisert tolk før du ringer." if interpreter else "Tolk: nei."),
    ]
    reasons = priority_reasons(priority)
    if reasons:
        lines.append("Prioritet: " + ", ".join(reasons) + ".")
    lines += [
        "",
        "1. Spør etter leietakeren ved navn. Si bare ditt eget fornavn til den som svarer.",
        "2. Er det ikke leietakeren: ikke si at du ringer fra NAV eller hva det gjelder. "
        "Spør når leietakeren kan nås, og ring tilbake.",
        "3. Når du snakker med leietakeren: «NAV vil gjerne snakke med deg om boligen din.» "
        "Fortell at NAV kan gi råd, veiledning og annen hjelp, tilby en avtale, og gi "
        f"kontaktpersonens navn og nummer ({contact}).",
        "4. Bruk aldri et barn som tolk (tolkeloven § 6). Bruk kvalifisert tolk, "
        "ikke familie eller naboer.",
        "5. Talepostkasse: legg igjen en nøytral beskjed – fornavn og nummer, "
        "ikke hva det gjelder.",
        "6. Registrer resultatet: nådd, ikke svar, talepost, feil nummer eller avslo.",
    ]
    return "\n".join(lines)


def phone_title(base: str, language: str) -> str:
    if needs_interpreter(language):
        return f"{base} – tolk: {language_name(language)}"
    return base


def _age(session: Session, rt: Runtime, case: Case) -> int | None:
    from outreach.ladder.facts import case_facts

    return case_facts(session, case).age_on(rt.now().astimezone(OSLO).date())


def new_task(
    session: Session,
    rt: Runtime,
    case: Case,
    step: Step | None,
    *,
    kind: str,
    title: str,
    assignee_role: str,
    due_at: datetime,
    scheduled_for: datetime | None = None,
    assignee_id: int | None = None,
    note: str = "",
) -> Task:
    """A task row, always new (a call's next try, a second visit)."""
    priority = priority_of(case, _age(session, rt, case), rt.policy.elderly_age)
    if kind == "phone_call":
        from outreach.cases.contact import contact_person

        tries = (
            session.scalar(
                select(func.count(Task.id)).where(Task.step_id == step.id, Task.kind == kind)
            )
            if step is not None
            else 0
        ) or 0
        name, phone = contact_person(case)
        title = phone_title(title, case.person.language)
        note = call_script(
            phone=case.person.phone or "",
            language=case.person.language,
            priority=priority,
            try_no=tries + 1,
            contact=f"{name} {phone}".strip() or "se saken",
        )
    if assignee_id is None and assignee_role == "caseworker":
        assignee_id = case.caseworker_id
    task = Task(
        case_id=case.id,
        step_id=step.id if step is not None else None,
        kind=kind,
        title=title,
        assignee_id=assignee_id,
        assignee_role=assignee_role,
        district_code=case.district_code,
        due_at=due_at,
        scheduled_for=scheduled_for,
        priority=priority,
        status="open",
        note=note,
    )
    session.add(task)
    session.flush()
    return task


def create_task_for_step(
    session: Session,
    rt: Runtime,
    case: Case,
    step: Step,
    *,
    kind: str,
    title: str,
    assignee_role: str,
    due_at: datetime,
    scheduled_for: datetime | None = None,
) -> Task:
    """The step's first task; a second run of the step's job finds it again."""
    existing = session.scalar(
        select(Task).where(Task.step_id == step.id).order_by(Task.id).limit(1)
    )
    if existing is not None:
        return existing
    return new_task(
        session,
        rt,
        case,
        step,
        kind=kind,
        title=title,
        assignee_role=assignee_role,
        due_at=due_at,
        scheduled_for=scheduled_for,
    )


def next_call_time(rt: Runtime, tried: list[datetime], at: datetime) -> datetime:
    """The next working day, at a part of the day not tried yet, within working hours."""
    used = {part_of_day(t) for t in tried}
    part = next((p for p in RETRY_ORDER if p not in used), RETRY_ORDER[0])
    start, end = rt.policy.working_hours
    day = rt.calendar.next_working_day(at.astimezone(OSLO).date())
    # Half an hour before closing at the latest, so the call fits the day.
    latest = datetime.combine(day, end, tzinfo=OSLO) - timedelta(minutes=30)
    wanted = datetime.combine(day, CALL_TIMES[part], tzinfo=OSLO)
    return max(datetime.combine(day, start, tzinfo=OSLO), min(wanted, latest))


def _plan_call_retry(
    session: Session, rt: Runtime, case: Case, task: Task, at: datetime, actor: str | None
) -> Task | None:
    if case.status != "open" or case.ladder_state != "running" or task.step_id is None:
        return None
    step = session.get(Step, task.step_id)
    assert step is not None
    earlier = list(
        session.scalars(
            select(Task).where(Task.step_id == step.id, Task.kind == "phone_call").order_by(Task.id)
        )
    )
    if len(earlier) >= MAX_CALL_TRIES:
        timeline.record(
            session, case.id, "phone_tries_exhausted", at, channel="phone", tries=len(earlier)
        )
        return None
    tried = [t.completed_at or t.scheduled_for or t.due_at for t in earlier]
    when = next_call_time(rt, tried, at)
    retry = new_task(
        session,
        rt,
        case,
        step,
        kind="phone_call",
        title=rt.policy.by_name[step.rule].task_title
        if step.rule in rt.policy.by_name
        else "Ring leietaker",
        assignee_role=task.assignee_role,
        assignee_id=task.assignee_id,
        due_at=when,
        scheduled_for=when,
    )
    timeline.record(
        session,
        case.id,
        "phone_retry_planned",
        rt.now(),
        channel="phone",
        actor=actor,
        step_id=step.id,
        task_id=retry.id,
        try_no=len(earlier) + 1,
        due_at=when.isoformat(),
        part_of_day=part_of_day(when),
    )
    return retry


def _wrong_number(
    session: Session, rt: Runtime, case: Case, task: Task, at: datetime, actor: str | None
) -> None:
    """The number is not the tenant's: no more calls or SMS to it."""
    from outreach.identity import mask_phone

    person = case.person
    if person.phone:
        timeline.record(
            session,
            case.id,
            "phone_number_cleared",
            at,
            channel="phone",
            actor=actor,
            task_id=task.id,
            reason="wrong_number",
            number=mask_phone(person.phone),
        )
        person.phone = None


def _manual_letter_sent(
    session: Session, rt: Runtime, case: Case, task: Task, at: datetime, actor: str | None
) -> None:
    """Staff sent the letter by hand (protected address): the one-week clock starts.

    000: contact attempts come "en uke etter utsendelse av brevet"; a letter
    posted by a caseworker is as sent as one from a print batch.
    """
    from outreach.ladder import planning

    if case.status == "closed" or case.letter_sent_at is not None:
        return  # a paused case's letter counts too: the deadline was not paused
    case.letter_sent_at = at
    timeline.record(
        session,
        case.id,
        "letter_sent",
        at,
        channel="letter",
        actor=actor,
        task_id=task.id,
        manual=True,
    )
    planning.replan(session, rt, case, rt.now())


def record_outcome(
    session: Session,
    rt: Runtime,
    task: Task,
    *,
    outcome: str,
    note: str = "",
    at: datetime | None = None,
    actor: str | None = None,
) -> None:
    allowed = outcomes_for_kind(task.kind)
    if outcome not in allowed:
        raise CaseActionError(f"Must be one of: {', '.join(allowed)}.", "outcome")
    if task.status != "open":
        raise CaseActionError("The task is no longer open.", "outcome")
    now = rt.now()
    at = at or now
    case = session.get(Case, task.case_id)
    assert case is not None
    task.status = "done"
    task.outcome = outcome
    if note:
        # A phone task's note holds its call script: keep it, add the result.
        task.note = f"{task.note}\n\n{note}" if task.note else note
    task.completed_at = at
    if task.kind in {"phone_call", "home_visit"} and task.step_id is not None:
        try_no = (
            session.scalar(select(func.max(Attempt.try_no)).where(Attempt.step_id == task.step_id))
            or 0
        ) + 1
        attempt = Attempt(
            step_id=task.step_id,
            case_id=case.id,
            try_no=try_no,
            channel="phone" if task.kind == "phone_call" else "visit",
            recipient="",
            language=case.person.language,
            status=outcome,
            created_at=at,
            updated_at=at,
        )
        session.add(attempt)
        session.flush()
        session.add(AttemptStatus(attempt_id=attempt.id, status=outcome, at=at))
    event = {"phone_call": "phone_task_outcome", "home_visit": "home_visit_outcome"}.get(
        task.kind, "task_done"
    )
    timeline.record(
        session,
        case.id,
        event,
        at,
        channel={"phone_call": "phone", "home_visit": "visit"}.get(task.kind),
        actor=actor,
        task_id=task.id,
        task_kind=task.kind,
        outcome=outcome,
        note=note or None,
    )
    phone_failed = False
    if task.kind == "phone_call":
        if outcome in CALL_AGAIN:
            phone_failed = _plan_call_retry(session, rt, case, task, at, actor) is None
        elif outcome == "wrong_number":
            _wrong_number(session, rt, case, task, at, actor)
            phone_failed = True
        elif outcome == "refused":
            timeline.record(
                session, case.id, "contact_refused", at, channel="phone", actor=actor,
                task_id=task.id,
            )  # fmt: skip
    if task.kind == "manual_letter":
        _manual_letter_sent(session, rt, case, task, at, actor)
    rt.hooks.publish(TaskOutcome(session, rt, case, task, outcome, at, actor))
    if phone_failed or (task.kind == "home_visit" and outcome in VISIT_FAILED):
        from outreach.ladder import planning

        planning.crisis_attempt_failed(session, rt, case, at, decisive=True)
    if outcome in REACHED and case.status != "closed":
        register_response(
            session,
            rt,
            case,
            channel="phone" if task.kind == "phone_call" else "visit",
            at=at,
            actor=actor,
            task_id=task.id,
        )
