"""Turn a step into the rendered message its channel delivers.

Channels receive text or bytes and know nothing of cases (STYLE.md habit 2);
this is where a case's facts become words. Messages to the tenant are
neutral: no "eviction", no amounts, no hint of a NAV client relationship in
anything an outsider may read (NAV-loven § 7; DOMAIN.md, confidentiality).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from sqlalchemy.orm import object_session

from channels.base import Attachment, Message
from outreach.cases.contact import contact_person
from outreach.models import Attempt, Case, Step, Task, Trigger
from outreach.policy import Rule

if TYPE_CHECKING:
    from outreach.runtime import Runtime

OSLO = ZoneInfo("Europe/Oslo")


@dataclass(frozen=True)
class Unusable:
    """The channel cannot be used for this household: the step is skipped."""

    reason: str


# Channel parts that live above this module (the letter by e-mail, the visit's
# calendar invitation) register here once, at start-up (``outreach.wiring``):
# this module must not import them, since they use its helpers.
SkipCheck = Callable[[Case], "str | None"]
Composer = Callable[[Step, Case, Attempt, dict[str, str], str], Message]
AttachmentsFor = Callable[[Task], tuple[Attachment, ...]]
_skip_checks: dict[tuple[str, str], SkipCheck] = {}
_composers: dict[tuple[str, str], Composer] = {}
_attachments: dict[str, AttachmentsFor] = {}


def register_composer(
    channel: str, purpose: str, composer: Composer, skip_check: SkipCheck | None = None
) -> None:
    """``composer`` writes the message for ``(channel, purpose)``; ``skip_check``
    says why the household cannot get it (consent, the contact register)."""
    _composers[(channel, purpose)] = composer
    if skip_check is not None:
        _skip_checks[(channel, purpose)] = skip_check


def register_attachments(task_kind: str, attachments: AttachmentsFor) -> None:
    """What a task of ``task_kind`` carries to its staff (a visit's invitation)."""
    _attachments[task_kind] = attachments


def message_language(language: str) -> str:
    """The tenant's language when we have texts in it; else English beside Norwegian."""
    from outreach.identity import nearest_language
    from outreach.letters.i18n import LANGUAGES

    # The person keeps the full BCP 47 tag (``ar-SY``); texts come from the nearest catalog.
    return nearest_language(language, LANGUAGES) or "en"


def recipient_for(
    rule: Rule, case: Case, trigger: Trigger | None, rt: Runtime | None = None
) -> str | Unusable:
    """Who the step goes to, or why it cannot go at all."""
    person = case.person
    if rule.channel == "sms":
        return _sms_recipient(rule, case, rt)
    if rule.channel == "email":
        if not person.email or person.email_invalid_at is not None:
            return Unusable("no usable email address")
        check = _skip_checks.get(("email", rule.purpose or ""))
        if check is not None:
            # Consent, and the contact register asked at this sending (issue 4).
            reason = check(case)
            if reason is not None:
                return Unusable(reason)
        return person.email
    if rule.channel == "phone_task":
        if not person.phone:
            return Unusable("no phone number")
        return f"caseworker:{case.caseworker_id or 'pool'}:{case.district_code or 'unrouted'}"
    if rule.channel == "home_visit":
        if person.protected_address:
            return Unusable("protected address: manual handling")
        if not person.street:
            return Unusable("no address")
        return f"outreach_team:{case.district_code or 'unrouted'}"
    if rule.channel == "letter":
        if rule.audience == "tenant":
            if person.protected_address:
                return Unusable("protected address: manual handling")
            if not person.street:
                return Unusable("no postal address")
            return f"{person.name}, {person.street}, {person.postal_code} {person.city}"
        from outreach.parties import NO_POSTAL_ADDRESS, copy_recipient

        party = copy_recipient(trigger, rule.audience)  # never a name-only window (issue 3)
        return party.line if party is not None else Unusable(NO_POSTAL_ADDRESS)
    return rule.channel


def _sms_recipient(rule: Rule, case: Case, rt: Runtime | None) -> str | Unusable:
    """A mobile that can take an SMS and has not opted out (issue 4).

    Opt-outs and unusable numbers belong to the number (``sms_numbers``), so a
    new person, case or intake with that number finds them too.
    """
    from outreach import runtime
    from outreach.identity import can_receive_sms
    from outreach.reach.sms import numbers as sms_numbers

    person = case.person
    if not person.phone:
        return Unusable("no phone number")
    if not can_receive_sms(person.phone):
        # Landlines, the 58/59 machine-to-machine ranges, foreign landlines.
        return Unusable("not a mobile number")
    if person.sms_opted_out_at is not None:
        return Unusable("opted out of SMS")
    session = object_session(case)
    if session is not None:
        blocked = sms_numbers.blocked_reason(session, rt or runtime.current(), person.phone)
        if blocked == "opt_out":
            return Unusable("opted out of SMS")
        if blocked == "unusable":
            return Unusable("number cannot receive SMS")
    return person.phone


def compose(rule: Rule, step: Step, case: Case, attempt: Attempt, task: Task | None) -> Message:
    contact_name, contact_phone = contact_person(case)
    person = case.person
    metadata = {"case": case.reference, "step": str(step.id), "rule": rule.name}
    if rule.channel == "sms":
        from outreach.messages import render_sms

        office = case.district.office_name if case.district is not None else "NAV"
        # A visit notice names the visit time, kept on the step by outreach.visits.
        when = step.params.get("when") if step.params else None
        sms = render_sms(
            rule.purpose or "first_contact",
            message_language(person.language),
            contact_phone=contact_phone
            or (case.district.duty_contact_phone if case.district else ""),
            office_name=office,
            when=local(datetime.fromisoformat(when)) if when else None,
        )
        return Message(
            idempotency_key=attempt.idempotency_key,
            channel="sms",
            to=attempt.recipient,
            body=sms.text,
            language=",".join(sms.languages),
            metadata=metadata,
        )
    if rule.channel in {"phone_task", "home_visit"} and task is not None:
        when = (task.scheduled_for or task.due_at).astimezone(OSLO)
        body = (
            f"{task.title} – sak {case.reference}, {when:%d.%m.%Y %H:%M}, språk: {person.language}"
        )
        return Message(
            idempotency_key=attempt.idempotency_key,
            channel=rule.channel,
            to=attempt.recipient,
            subject=task.title,
            body=body,
            language="nb",
            metadata={**metadata, "task": str(task.id)},
            attachments=_visit_invitation(task),
        )
    composer = _composers.get((rule.channel, rule.purpose or ""))
    if composer is not None:
        return composer(step, case, attempt, metadata, contact_phone)
    if rule.channel == "letter":
        subject = "Brev fra NAV sosialtjenesten" if rule.audience == "tenant" else "Kopi av brev"
        body = (
            f"{subject}. Saksreferanse {case.reference}. "
            f"Kontaktperson: {contact_name} {contact_phone}".strip()
        )
        return Message(
            idempotency_key=attempt.idempotency_key,
            channel="letter",
            to=attempt.recipient,
            subject=subject,
            body=body,
            language=person.language if rule.audience == "tenant" else "nb",
            metadata={**metadata, "audience": rule.audience},
        )
    return Message(
        idempotency_key=attempt.idempotency_key,
        channel=rule.channel,
        to=attempt.recipient,
        subject=rule.name,
        body=f"{rule.name} {case.reference}",
        language=person.language,
        metadata=metadata,
    )


def _visit_invitation(task: Task) -> tuple[Attachment, ...]:
    """What the task's staff need with it: a visit's iCalendar invitation (issue 4)."""
    attachments = _attachments.get(task.kind)
    return attachments(task) if attachments is not None else ()


def sent_event(rule: Rule) -> str:
    return {
        "letter": "letter_sent" if rule.audience == "tenant" else "letter_copy_sent",
        "sms": "sms_sent",
        "email": "email_sent",
        "phone_task": "phone_task_created",
        "home_visit": "home_visit_scheduled",
    }.get(rule.channel, f"{rule.channel}_sent")


def local(at: datetime) -> datetime:
    return at.astimezone(OSLO)
