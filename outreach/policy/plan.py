"""Decide the ladder, purely: which steps a case should have, and when.

No I/O here (STYLE.md habit 5, redash's ``should_notify``): the job and the
intake load facts, call :func:`plan`, and write what it returns. The same
function runs after every change that can move the ladder – a trigger, a sent
letter, the start of contact attempts, a new eviction date – and returns every
step the policy wants *now*; the caller inserts the ones it does not have yet
and pulls planned ones earlier when the new due time is sooner.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from outreach.policy import Policy, Rule
from outreach.workdays import WorkCalendar

OSLO = ZoneInfo("Europe/Oslo")


@dataclass(frozen=True)
class TriggerFact:
    id: int
    kind: str
    received_at: datetime
    round: int


@dataclass(frozen=True)
class CaseFacts:
    round: int
    triggers: tuple[TriggerFact, ...]
    client_status: str = "none"
    children_ages: tuple[int, ...] = ()
    birth_date: date | None = None
    vulnerable: bool = False
    protected: bool = False
    eviction_date: date | None = None
    crisis_since: datetime | None = None
    letter_sent_at: datetime | None = None
    # The deadline of the round's tenant letter when that letter will not be
    # posted automatically (protected address: a manual letter; no postal
    # address; blocked for a missing contact person). The one-week clock then
    # runs from the deadline, so SMS, calls and flags still come (000: «forsøke
    # å oppnå kontakt» does not wait for a letter that never goes).
    letter_fallback_at: datetime | None = None
    contact_started_at: datetime | None = None
    responded: bool = False
    email_consent: bool = False
    # A doubtful match waits for staff: the same household must not get two
    # letters with two booking codes, so the letters wait for the decision or
    # until the last working day before their deadline (issue 12, item 1).
    awaiting_match_review: bool = False

    def age_on(self, day: date) -> int | None:
        if self.birth_date is None:
            return None
        born = self.birth_date
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


@dataclass(frozen=True)
class PlannedStep:
    key: str
    rule: str
    channel: str
    due_at: datetime
    deadline_at: datetime | None
    trigger_id: int | None


def condition_holds(condition: str, facts: CaseFacts, policy: Policy, today: date) -> bool:
    age = facts.age_on(today)
    elderly = age is not None and age >= policy.elderly_age
    match condition:
        case "client_case":
            return facts.client_status in {"active", "passive"}
        case "has_children":
            return any(a < 18 for a in facts.children_ages)
        case "elderly":
            return elderly
        case "vulnerable_or_elderly":
            return elderly or facts.vulnerable
        case "protected":
            return facts.protected
        case "not_protected":
            return not facts.protected
        case "email_consent":
            return facts.email_consent
        case "not_evicted":
            # An eviction carried out in this round: nobody to visit at the
            # old address (000, "gjennomført utkastelse": a review instead).
            return not any(
                t.kind == "eviction_completed" and t.round == facts.round for t in facts.triggers
            )
    raise ValueError(f"unknown condition {condition!r}")


def unreachable_flags(policy: Policy, facts: CaseFacts, today: date) -> list[str]:
    """The assessments a still-unreachable household calls for (000, "Barn, høy alder")."""
    flags = []
    if condition_holds("has_children", facts, policy, today):
        flags.append("child_welfare_assessment")
    if condition_holds("vulnerable_or_elderly", facts, policy, today):
        flags.append("special_followup")
    return flags


def _window(rule: Rule, policy: Policy) -> tuple[time, time] | None:
    if rule.window == "sms":
        return policy.sms_window_for(rule)
    if rule.window == "working_hours":
        return policy.working_hours
    return None


def _place(at: datetime, rule: Rule, policy: Policy, calendar: WorkCalendar) -> datetime:
    window = _window(rule, policy)
    if window is None:
        return at
    return calendar.next_time_in_window(at, window[0], window[1])


def estimated_finish(policy: Policy, calendar: WorkCalendar, received_at: datetime) -> datetime:
    """When the normal ladder would end for a trigger received now, at worst.

    The letter may go out as late as its deadline; everything after hangs off
    that. Used to decide whether a case is in crisis (issue 2, rule 6).
    """
    anchors: dict[str, datetime] = {"trigger": received_at}
    letter = next(
        (r for r in policy.rules if r.channel == "letter" and r.audience == "tenant"), None
    )
    sent = received_at
    if letter is not None:
        sent = (letter.deadline or letter.offset).apply(received_at, calendar)
    anchors["letter_sent"] = sent
    starts = [r for r in policy.rules if r.starts_contact and r.anchor == "letter_sent"]
    anchors["contact_started"] = min(
        (_place(r.offset.apply(sent, calendar), r, policy, calendar) for r in starts),
        default=sent,
    )
    finish = received_at
    for rule in policy.rules:
        if rule.per != "round" or not rule.stops_on_response:
            continue
        due = _place(rule.offset.apply(anchors[rule.anchor], calendar), rule, policy, calendar)
        finish = max(finish, due)
    return finish


def is_crisis(
    policy: Policy,
    calendar: WorkCalendar,
    received_at: datetime,
    eviction_date: date | None,
    kinds: Iterable[str] = (),
    *,
    today: date | None = None,
) -> bool:
    """Rule 6: would the normal ladder end too late for the eviction date?

    Only for a round with a notice of an eviction still to come
    (``policy.crisis_kinds``) and a date not already past ``today`` (default:
    the day of ``received_at``): an
    eviction carried out is reviewed (rule 7), not chased with SMS, calls and
    visits at the old address (000, "gjennomført utkastelse").
    """
    if eviction_date is None:
        return False
    if eviction_date < (today or received_at.astimezone(OSLO).date()):
        return False
    kinds = set(kinds)
    if not kinds & set(policy.crisis_kinds) or "eviction_completed" in kinds:
        # Nothing left to compress for once the eviction was carried out.
        return False
    eviction_start = datetime.combine(eviction_date, time(0, 0), tzinfo=OSLO)
    margin = policy.crisis_margin
    if margin.unit == "wd":
        latest_finish = calendar.add_working_days(eviction_start, -margin.amount)
    else:
        latest_finish = eviction_start - (margin.apply(eviction_start, calendar) - eviction_start)
    return estimated_finish(policy, calendar, received_at) > latest_finish


def _matching_triggers(rule: Rule, facts: CaseFacts) -> list[TriggerFact]:
    return [
        t
        for t in facts.triggers
        if t.round == facts.round and (not rule.kinds or t.kind in rule.kinds)
    ]


def _anchor_time(
    rule: Rule, anchor: str, facts: CaseFacts, trigger: TriggerFact | None
) -> datetime | None:
    if anchor == "trigger":
        if rule.per == "trigger" and trigger is not None:
            return trigger.received_at
        # A round-scoped rule anchored on triggers; in crisis it counts from
        # the moment the case became a crisis.
        if facts.crisis_since is not None and rule.crisis_anchor == "trigger":
            return facts.crisis_since
        matching = _matching_triggers(rule, facts)
        return min((t.received_at for t in matching), default=None)
    if anchor == "letter_sent":
        known = [t for t in (facts.letter_sent_at, facts.letter_fallback_at) if t is not None]
        return min(known, default=None)
    if anchor == "contact_started":
        return facts.contact_started_at
    return None


def _due(
    rule: Rule,
    facts: CaseFacts,
    trigger: TriggerFact | None,
    policy: Policy,
    calendar: WorkCalendar,
) -> datetime | None:
    candidates = []
    normal_anchor = _anchor_time(rule, rule.anchor, facts, trigger)
    if normal_anchor is not None:
        candidates.append(rule.offset.apply(normal_anchor, calendar))
    if facts.crisis_since is not None and rule.crisis_anchor is not None:
        crisis_anchor = (
            facts.crisis_since
            if rule.crisis_anchor == "trigger"
            else _anchor_time(rule, rule.crisis_anchor, facts, trigger)
        )
        if crisis_anchor is not None:
            offset = rule.crisis_offset or rule.offset
            candidates.append(offset.apply(crisis_anchor, calendar))
    if not candidates:
        return None
    return _place(min(candidates), rule, policy, calendar)


def plan(
    policy: Policy, calendar: WorkCalendar, facts: CaseFacts, now: datetime
) -> list[PlannedStep]:
    """Every step the policy wants for this case given what is known at ``now``."""
    today = now.astimezone(OSLO).date()
    wanted: list[PlannedStep] = []
    for rule in policy.rules:
        if facts.responded and rule.stops_on_response:
            continue
        if not all(condition_holds(c, facts, policy, today) for c in rule.when):
            continue
        matching = _matching_triggers(rule, facts)
        if rule.anchor == "trigger" and not matching:
            continue
        if rule.per == "trigger":
            scoped: list[tuple[str, TriggerFact | None]] = [
                (f"{rule.name}:t{t.id}", t) for t in matching
            ]
        elif rule.per == "round":
            scoped = [(f"{rule.name}:r{facts.round}", None)]
        else:
            scoped = [(rule.name, None)]
        for key, trigger in scoped:
            due = _due(rule, facts, trigger, policy, calendar)
            if due is None:
                continue
            deadline = None
            if rule.deadline is not None:
                base = trigger.received_at if trigger is not None else due
                deadline = rule.deadline.apply(base, calendar)
                if facts.awaiting_match_review and rule.channel == "letter":
                    due = max(due, calendar.add_working_days(deadline, -1))
            wanted.append(
                PlannedStep(
                    key=key,
                    rule=rule.name,
                    channel=rule.channel,
                    due_at=due,
                    deadline_at=deadline,
                    trigger_id=trigger.id if trigger is not None else None,
                )
            )
    return wanted
