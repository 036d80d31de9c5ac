"""The ladder as data (DESIGN.md principle 3).

``default.toml`` carries out the Oslo circular and cites it rule by rule; a
municipality points ``OUTREACH_POLICY_FILE`` at its own file to change
offsets, channels and conditions without touching code. Loading validates
everything up front so a typo fails at start-up, not in a job at night.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from datetime import time
from functools import lru_cache
from pathlib import Path
from typing import Any

from outreach.vocabulary import TRIGGER_KINDS
from outreach.workdays import Offset, parse_offset

DEFAULT_POLICY = Path(__file__).with_name("default.toml")

CHANNELS = ("letter", "sms", "email", "phone_task", "home_visit", "task", "check")
# "visit_scheduled": rules that outreach.reach.visit plans when it books a visit;
# "appointment_booked": rules that outreach.inbound.booking plans when the tenant books
# an appointment; "staff_request": rules staff ask for (outreach.reach.letter.landlord_copy).
# The planner never plans any of these on its own.
ANCHORS = (
    "trigger",
    "letter_sent",
    "contact_started",
    "visit_scheduled",
    "appointment_booked",
    "staff_request",
)
SCOPES = ("trigger", "round", "case")
CONDITIONS = (
    "client_case",
    "has_children",
    "elderly",
    "vulnerable_or_elderly",
    "protected",
    "not_protected",
    "email_consent",
    "not_evicted",
)
CHECKS = ("letter_overdue", "unreachable")
WINDOWS = ("sms", "working_hours")


class PolicyError(ValueError):
    """The policy file is wrong; the message names the rule and field."""


@dataclass(frozen=True)
class Rule:
    name: str
    channel: str
    anchor: str
    offset: Offset
    per: str = "round"
    kinds: tuple[str, ...] = ()
    when: tuple[str, ...] = ()
    deadline: Offset | None = None
    window: str | None = None
    # Per message purpose (issue 4): e.g. a visit notice may go out earlier.
    sms_hours: tuple[time, time] | None = None
    crisis_anchor: str | None = None
    crisis_offset: Offset | None = None
    stops_on_response: bool = True
    starts_contact: bool = False
    on_fail_advance: tuple[str, ...] = ()
    audience: str = "tenant"
    purpose: str | None = None
    check: str | None = None
    task_kind: str | None = None
    task_title: str = ""
    assignee_role: str = "caseworker"
    schedule_within: Offset | None = None
    crisis_schedule_within: Offset | None = None
    flag_overdue_after: Offset | None = None
    # home_visit: tell the tenant by SMS (rule "visit_notice") when a visit is booked.
    notify_tenant: bool = False
    cite: str = ""

    @property
    def legal_deadline(self) -> bool:
        """A duty a notice creates with a deadline the law or the circular sets – the
        letter within three working days, its copies, the manual letter, the reviews –
        and the check that it was met. A pause stops contact attempts, never these
        (issue 12, item 11): a deadline passes whether or not staff paused the ladder."""
        return self.per == "trigger" and (self.deadline is not None or self.check is not None)


@dataclass(frozen=True)
class Policy:
    rules: tuple[Rule, ...]
    crisis_margin: Offset
    elderly_age: int
    sms_window: tuple[time, time]
    working_hours: tuple[time, time]
    source: str = "default"
    # Notices that can make a round a crisis (rule 6): an eviction still to
    # come. An eviction already carried out or a lack of legal capacity has
    # its own routine in the circular (000, "gjennomført utkastelse eller
    # manglende prosessevne"): a review or the medical officer, no ladder.
    crisis_kinds: tuple[str, ...] = (
        "unpaid_rent_warning",
        "eviction_petition",
        "forced_sale_notice",
        "eviction_scheduled",
    )
    by_name: dict[str, Rule] = field(default_factory=dict, compare=False)

    def rule(self, name: str) -> Rule:
        return self.by_name[name]

    def sms_window_for(self, rule: Rule | None) -> tuple[time, time]:
        """The rule's own sending hours if it has them, else the policy's."""
        if rule is not None and rule.sms_hours is not None:
            return rule.sms_hours
        return self.sms_window


def _window(raw: str, where: str) -> tuple[time, time]:
    try:
        start, end = raw.split("-")
        return time.fromisoformat(start.strip()), time.fromisoformat(end.strip())
    except ValueError as exc:
        raise PolicyError(f"{where}: window must look like 09:00-17:00, got {raw!r}") from exc


def _offset(raw: Any, where: str) -> Offset:
    try:
        return parse_offset(str(raw))
    except ValueError as exc:
        raise PolicyError(f"{where}: {exc}") from exc


def _choice(value: Any, allowed: tuple[str, ...], where: str) -> str:
    if value not in allowed:
        raise PolicyError(f"{where}: {value!r} is not one of {', '.join(allowed)}")
    return str(value)


def _rule(raw: dict[str, Any], index: int) -> Rule:
    name = raw.get("name") or f"#{index}"
    where = f"rule {name}"
    known = set(Rule.__dataclass_fields__)
    unknown = set(raw) - known
    if unknown:
        raise PolicyError(f"{where}: unknown field(s) {', '.join(sorted(unknown))}")
    for required in ("name", "channel", "anchor", "offset"):
        if required not in raw:
            raise PolicyError(f"{where}: '{required}' is required")
    kinds = tuple(raw.get("kinds", ()))
    for kind in kinds:
        _choice(kind, TRIGGER_KINDS, f"{where}.kinds")
    when = tuple(raw.get("when", ()))
    for condition in when:
        _choice(condition, CONDITIONS, f"{where}.when")
    channel = _choice(raw["channel"], CHANNELS, f"{where}.channel")
    if channel == "check":
        _choice(raw.get("check"), CHECKS, f"{where}.check")
    if channel in {"task", "phone_task", "home_visit"} and not raw.get("task_kind"):
        raise PolicyError(f"{where}: a {channel} rule needs task_kind")

    def opt(key: str) -> Offset | None:
        return _offset(raw[key], f"{where}.{key}") if key in raw else None

    return Rule(
        name=str(raw["name"]),
        channel=channel,
        anchor=_choice(raw["anchor"], ANCHORS, f"{where}.anchor"),
        offset=_offset(raw["offset"], f"{where}.offset"),
        per=_choice(raw.get("per", "round"), SCOPES, f"{where}.per"),
        kinds=kinds,
        when=when,
        deadline=opt("deadline"),
        window=_choice(raw["window"], WINDOWS, f"{where}.window") if "window" in raw else None,
        sms_hours=_window(raw["sms_hours"], f"{where}.sms_hours") if "sms_hours" in raw else None,
        crisis_anchor=(
            _choice(raw["crisis_anchor"], ANCHORS, f"{where}.crisis_anchor")
            if "crisis_anchor" in raw
            else None
        ),
        crisis_offset=opt("crisis_offset"),
        stops_on_response=bool(raw.get("stops_on_response", True)),
        starts_contact=bool(raw.get("starts_contact", False)),
        on_fail_advance=tuple(raw.get("on_fail_advance", ())),
        audience=str(raw.get("audience", "tenant")),
        purpose=raw.get("purpose"),
        check=raw.get("check"),
        task_kind=raw.get("task_kind"),
        task_title=str(raw.get("task_title", "")),
        assignee_role=str(raw.get("assignee_role", "caseworker")),
        schedule_within=opt("schedule_within"),
        crisis_schedule_within=opt("crisis_schedule_within"),
        flag_overdue_after=opt("flag_overdue_after"),
        notify_tenant=bool(raw.get("notify_tenant", False)),
        cite=str(raw.get("cite", "")),
    )


def _kinds(document: dict[str, Any], key: str) -> tuple[str, ...] | None:
    raw = document.get(key)
    if raw is None:
        return None
    if not isinstance(raw, list) or not all(isinstance(k, str) for k in raw):
        raise PolicyError(f"{key}: a list of trigger kinds is required")
    return tuple(raw)


def parse_policy(document: dict[str, Any], source: str = "policy") -> Policy:
    raw_rules = document.get("rule")
    if not isinstance(raw_rules, list) or not raw_rules:
        raise PolicyError(f"{source}: at least one [[rule]] is required")
    rules = tuple(_rule(raw, i) for i, raw in enumerate(raw_rules))
    by_name: dict[str, Rule] = {}
    for rule in rules:
        if rule.name in by_name:
            raise PolicyError(f"rule {rule.name}: the name is used twice")
        by_name[rule.name] = rule
    for rule in rules:
        for target in rule.on_fail_advance:
            if target not in by_name:
                raise PolicyError(f"rule {rule.name}.on_fail_advance: no rule named {target!r}")
        if rule.channel == "sms":
            from outreach.messages import sms_rule_problem  # the SMS templates' own rules

            if problem := sms_rule_problem(rule.purpose, rule.anchor):
                raise PolicyError(f"rule {rule.name}.purpose: {problem}")
    return Policy(
        rules=rules,
        crisis_margin=_offset(document.get("crisis_margin", "3wd"), "crisis_margin"),
        elderly_age=int(document.get("elderly_age", 67)),
        sms_window=_window(document.get("sms_window", "09:00-17:00"), "sms_window"),
        working_hours=_window(document.get("working_hours", "08:00-15:30"), "working_hours"),
        crisis_kinds=_kinds(document, "crisis_kinds") or Policy.crisis_kinds,
        source=source,
        by_name=by_name,
    )


@lru_cache(maxsize=8)
def load_policy(path: Path | None = None) -> Policy:
    target = path or DEFAULT_POLICY
    with target.open("rb") as handle:
        document = tomllib.load(handle)
    return parse_policy(document, source=str(target))
