"""Who may do what: the one table of roles and actions (issue 13, item 7).

Every staff route – page or JSON API – names one :class:`Action`; the staff
web (``web.staff.auth.allowed``) and the API (``web.api.auth.require_token``)
both ask :func:`may` before the handler runs, and
``tests/test_authorisation_matrix.py`` walks Flask's URL map so a route
without a rule fails the suite. The role check comes first and answers 403
whatever the object; the district check stays with the object (a case of
another district answers 404, so its existence is not revealed).

The split follows DOMAIN.md: caseworkers and the district lead carry a case
(the lead also everything escalated in the district); the district medical
officer owns the cases where the tenant lacks legal capacity; central intake
routes what comes in and settles doubtful matches; the outreach team makes the
home visits and records what came of them; an administrator runs the service
(print, access log, the lead's overview) but decides nothing about a family.

Pure: no tables, no Flask; the README's security section is this table.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from enum import StrEnum
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])


class Role(StrEnum):
    CASEWORKER = "caseworker"
    DISTRICT_LEAD = "district_lead"
    MEDICAL_OFFICER = "medical_officer"
    CENTRAL_INTAKE = "central_intake"
    ADMIN = "admin"
    OUTREACH_TEAM = "outreach_team"
    # Reads the mapping's figures and nothing about a person (issue 15).
    ANALYST = "analyst"


#: Every role the code knows, in the order operators see them.
ROLES: tuple[str, ...] = tuple(r.value for r in Role)


class Action(StrEnum):
    SEE_WORK = "see_work"  # the queue (and its search), my work
    READ_CASE = "read_case"  # case page, timeline, letters, documents
    REGISTER_TRIGGER = "register_trigger"  # the intake form, POST /api/v1/triggers
    RECORD_CONTACT = "record_contact"  # contact with the tenant, a note
    RECORD_TASK_OUTCOME = "record_task_outcome"  # a call's or visit's outcome, the call sheet
    PLAN_FOLLOWUP = "plan_followup"  # the follow-up plan after help
    ADD_DOCUMENT = "add_document"
    PAUSE_LADDER = "pause_ladder"  # pause and resume
    CLOSE_CASE = "close_case"
    REOPEN_CASE = "reopen_case"  # a case closed by mistake, with a reason
    CORRECT_CONTACT = "correct_contact"  # the tenant's address, phone, language (source: staff)
    DECIDE_FLAG = "decide_flag"  # a child-welfare or special follow-up assessment
    FORWARD_CASE = "forward_case"  # to another district (routing)
    TAKE_CASE = "take_case"  # name oneself the case's caseworker
    ASSIGN_CASEWORKER = "assign_caseworker"  # name another caseworker: the lead
    LANDLORD_COPY = "landlord_copy"  # the caseworker's discretion (seeds/000)
    RESEND_LETTER = "resend_letter"
    PRINT_LETTERS = "print_letters"  # print batches: render, download, mark posted
    REVIEW_MATCH = "review_match"  # doubtful person matches
    REVIEW_INBOUND = "review_inbound"  # SMS replies nobody could place
    HOME_VISITS = "home_visits"  # the visit calendar: see, move, cancel
    LEAD_OVERVIEW = "lead_overview"  # the lead's deadlines page
    READ_ACCESS_LOG = "read_access_log"
    READ_REPORTS = "read_reports"  # the mapping's dashboard, its exports and printable report
    RECORD_MAPPING = "record_mapping"  # plaintiff type, reason, petition outcome, system failure
    IMPORT_STATISTICS = "import_statistics"  # the bailiff's quarterly counts, population figures
    MANAGE_LANDLORDS = "manage_landlords"  # approve, refuse, suspend, reopen a landlord
    READ_LANDLORD_AUDIT = "read_landlord_audit"  # every landlord action
    REGISTER_RESERVATION = "register_reservation"  # a tenant's § 9-11 reservation, on their behalf


_CW, _LEAD, _MED = Role.CASEWORKER, Role.DISTRICT_LEAD, Role.MEDICAL_OFFICER
_INTAKE, _ADMIN, _TEAM = Role.CENTRAL_INTAKE, Role.ADMIN, Role.OUTREACH_TEAM
_ANALYST = Role.ANALYST
_CARRIES_CASES = frozenset({_CW, _LEAD, _MED})
#: Everyone who works with people's cases: every role but the analyst's.
_STAFF = frozenset(Role) - {_ANALYST}

#: The table. A role not listed for an action is refused (403) on every surface.
PERMISSIONS: dict[Action, frozenset[Role]] = {
    Action.SEE_WORK: _STAFF,
    Action.READ_CASE: _STAFF,
    Action.REGISTER_TRIGGER: _CARRIES_CASES | {_INTAKE},
    Action.RECORD_CONTACT: _CARRIES_CASES | {_TEAM},
    Action.RECORD_TASK_OUTCOME: _CARRIES_CASES | {_TEAM},
    Action.PLAN_FOLLOWUP: _CARRIES_CASES,
    Action.ADD_DOCUMENT: _CARRIES_CASES | {_INTAKE},
    Action.PAUSE_LADDER: _CARRIES_CASES,
    Action.CLOSE_CASE: _CARRIES_CASES,
    Action.REOPEN_CASE: _CARRIES_CASES,
    Action.CORRECT_CONTACT: _CARRIES_CASES | {_INTAKE},
    # The named caseworker (see ``may_decide_flag``) and the district lead.
    Action.DECIDE_FLAG: frozenset({_CW, _LEAD}),
    Action.FORWARD_CASE: frozenset({_CW, _LEAD, _INTAKE}),
    Action.TAKE_CASE: frozenset({_CW, _LEAD}),
    Action.ASSIGN_CASEWORKER: frozenset({_LEAD}),
    Action.LANDLORD_COPY: frozenset({_CW, _LEAD}),
    Action.RESEND_LETTER: _CARRIES_CASES,
    Action.PRINT_LETTERS: frozenset({_CW, _LEAD, _INTAKE, _ADMIN}),
    Action.REVIEW_MATCH: frozenset({_CW, _LEAD, _INTAKE, _ADMIN}),
    Action.REVIEW_INBOUND: frozenset({_LEAD, _INTAKE, _ADMIN}),
    Action.HOME_VISITS: frozenset({_TEAM, _CW, _LEAD}),
    Action.LEAD_OVERVIEW: frozenset({_LEAD, _ADMIN}),
    Action.READ_ACCESS_LOG: frozenset({_LEAD, _INTAKE, _ADMIN}),
    Action.READ_REPORTS: frozenset({_LEAD, _ADMIN, _ANALYST}),
    Action.RECORD_MAPPING: _CARRIES_CASES | {_INTAKE},
    Action.IMPORT_STATISTICS: frozenset({_ADMIN}),
    Action.MANAGE_LANDLORDS: frozenset({_ADMIN}),
    Action.READ_LANDLORD_AUDIT: frozenset({_ADMIN}),
    Action.REGISTER_RESERVATION: _CARRIES_CASES | {_INTAKE},
}


def may(roles: Collection[str], action: Action) -> bool:
    """Whether any of these roles may take the action (whatever the object)."""
    return any(role in PERMISSIONS[action] for role in roles)


def roles_for(action: Action) -> list[str]:
    """The roles that may take the action, in the order of :data:`ROLES`."""
    return [role for role in ROLES if role in PERMISSIONS[action]]


def may_decide_flag(
    *,
    user_id: int,
    roles: Collection[str],
    districts: Collection[str],
    assignee_id: int | None,
    caseworker_id: int | None,
    district: str | None,
) -> bool:
    """A flag is decided by its named decider or the case's caseworker, or a lead of the district.

    Another caseworker of the same district reads the flag but does not decide
    it: the assessment is a named person's decision (principle 5).
    """
    if not may(roles, Action.DECIDE_FLAG):
        return False
    if Role.DISTRICT_LEAD in roles and district is not None and district in districts:
        return True
    return Role.CASEWORKER in roles and user_id in {assignee_id, caseworker_id}


class Audience(StrEnum):
    """Routes that are not a staff action: who they are for, checked by their own code."""

    ANYONE = "anyone"  # login, logout, language, health, favicon: nothing about a person
    TENANT = "tenant"  # the booking page: its code is the credential (inbound.booking.limits)
    LANDLORD = "landlord"  # the landlord portal and /api/v1/landlord: their own warnings only
    PROVIDER = "provider"  # webhooks: the provider's signature is the credential
    OPERATOR = "operator"  # /metrics: its token, or the embedded default (web.health)


#: The attribute a view function carries its rule in (set by :func:`mark`).
RULE_ATTRIBUTE = "access_rule"


def mark(view: object, rule: Action | Audience) -> None:
    """Record on a view which rule guards it; the app refuses to start with an unmarked route."""
    setattr(view, RULE_ATTRIBUTE, rule)


def rule_of(view: object) -> Action | Audience | None:
    rule = getattr(view, RULE_ATTRIBUTE, None)
    return rule if isinstance(rule, Action | Audience) else None


def open_to(audience: Audience) -> Callable[[F], F]:
    """Mark a route that is not a staff action; its own code checks its credential."""

    def decorator(view: F) -> F:
        mark(view, audience)
        return view

    return decorator
