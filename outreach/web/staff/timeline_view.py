"""The case page's read side: timeline entries, "what happens next", the household.

Turns stored codes into Norwegian sentences; writes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from outreach.districts import all_districts
from outreach.models import Attempt, Case, Event, Flag, PrintItem, Task, Trigger, User
from outreach.models.landlord import Landlord
from outreach.models.staff import CaseDocument, CaseNote
from outreach.reach.letter.moves import items_by_attempt
from outreach.web.i18n import format_day, format_deadline, format_when
from outreach.web.staff import labels, reasons
from outreach.web.staff import timeline_words as words
from outreach.web.staff.labels import label


def district_name(code: str | None) -> str:
    if not code:
        return _("ingen bydel")
    for d in all_districts():
        if d.code == code:
            return d.name
    return code


@dataclass
class Entry:
    event: Event
    title: str
    details: list[tuple[str, str | None]] = field(default_factory=list)  # (text, link)
    tone: str = "info"  # info | contact | warning | quiet | decision
    actor: str = ""  # the staff member's display name, not the login (review, point 10)


def _when_iso(value: Any) -> str:
    if not value:
        return ""
    try:
        return format_when(datetime.fromisoformat(value))
    except (TypeError, ValueError):
        return ""  # not a time: nothing rather than a stored value


def _deadline_iso(value: Any) -> str:
    """A stored deadline as staff read it ("innen onsdag 9. desember"; i18n.format_deadline)."""
    try:
        return format_deadline(datetime.fromisoformat(value))
    except (TypeError, ValueError):
        return ""


# Steps whose time is a deadline (the end of a day at 00:00), not a moment something happens.
_DEADLINE_RULES = {"letter_overdue_check", "flag_overdue"}


def _day_iso(value: Any) -> str:
    if not value:
        return ""
    try:
        return format_day(date.fromisoformat(value))
    except (TypeError, ValueError):
        return ""


QUIET = {
    "step_planned",
    "step_rescheduled",
    "step_cancelled",
    "attempt_settled",
    "task_created",
    "task_cancelled",
}
CONTACT = {"response_registered", "phone_task_outcome", "home_visit_outcome", "sms_reply"}
WARNING = {
    "letter_overdue",
    "unreachable",
    "flag_overdue",
    "crisis",
    "step_failed",
    "match_review_requested",
    "unrouted",
}
DECISION = {"flag_decided", "case_closed", "ladder_paused", "ladder_resumed", "forwarded"}


def timeline(session: Session, case: Case) -> list[Entry]:
    events = list(
        session.scalars(
            select(Event).where(Event.case_id == case.id).order_by(Event.at.desc(), Event.id.desc())
        )
    )
    attempts = {a.id: a for a in session.scalars(select(Attempt).where(Attempt.case_id == case.id))}
    notes = {n.id: n for n in session.scalars(select(CaseNote).where(CaseNote.case_id == case.id))}
    flags = {f.id: f for f in session.scalars(select(Flag).where(Flag.case_id == case.id))}
    triggers = {t.id: t for t in session.scalars(select(Trigger).where(Trigger.case_id == case.id))}
    documents = list(session.scalars(select(CaseDocument).where(CaseDocument.case_id == case.id)))
    items = items_by_attempt(session, case.id)
    logins = {e.actor for e in events if e.actor}
    logins |= {str(v) for e in events for k, v in (e.data or {}).items() if k in words.USER_KEYS}
    people = dict(
        session.execute(
            select(User.username, User.display_name).where(User.username.in_(logins or {""}))
        ).all()
    )
    people.setdefault("district_lead", _("leder i bydelen"))
    landlords = dict(session.execute(select(Landlord.id, Landlord.name)).all())
    entries = []
    for event in events:
        entry = _entry(event, case, attempts, notes, flags, triggers, documents, items, people)
        entry.actor = words.actor_name(event.actor, people, landlords)
        entries.append(entry)
    return entries


def _letter_links(entry: Entry, case: Case, attempt: Attempt, items: dict[int, PrintItem]) -> None:
    """The printed letter when its PDF exists; the preview apart, labelled as such.

    A preview is rendered today with today's date and a fresh code, so it is
    never offered as "the letter" (issue 5).
    """
    item = items.get(attempt.id)
    if item is not None and item.status in _GONE:
        # Withdrawn or stopped: it will never be sent, so nothing to preview (issue 3).
        entry.details.append((_("tatt ut – blir ikke sendt"), None))
        return
    if item is not None and item.pdf_path:
        entry.details.append(
            (
                _("se brevet (PDF)"),
                url_for("staff.stored_letter", case_id=case.id, item_id=item.id),
            )
        )
    if item is None or item.audience == "tenant":
        entry.details.append(
            (
                _("forhåndsvis (PDF, datert i dag)"),
                url_for("staff.letter_preview", case_id=case.id, sprak=attempt.language),
            )
        )


def _entry(
    event: Event,
    case: Case,
    attempts: dict[int, Attempt],
    notes: dict[int, CaseNote],
    flags: dict[int, Flag],
    triggers: dict[int, Trigger],
    documents: list[CaseDocument],
    items: dict[int, PrintItem],
    people: dict[str, str],
) -> Entry:
    data = event.data or {}
    kind = event.kind
    known = labels.EVENTS.get(kind)
    # A kind with no words yet is "an event on the case", never its code.
    entry = Entry(event, str(known) if known is not None else _("Hendelse i saken"))
    if kind in QUIET:
        entry.tone = "quiet"
    elif kind in CONTACT:
        entry.tone = "contact"
    elif kind in WARNING:
        entry.tone = "warning"
    elif kind in DECISION:
        entry.tone = "decision"
    add = entry.details.append
    rule = data.get("rule")
    if kind.startswith("step_") and rule:
        entry.title = f"{entry.title}: {label(labels.STEP_RULES, rule)}"
        if data.get("due_at") and rule in _DEADLINE_RULES:
            add((_("frist: %(when)s", when=_deadline_iso(data["due_at"])), None))
        elif data.get("due_at"):
            add((_("tidspunkt: %(when)s", when=_when_iso(data["due_at"])), None))
        if data.get("reason"):
            add((_("årsak: %(reason)s", reason=reasons.reason(data["reason"])), None))
    elif kind in {"case_opened", "trigger_received"}:
        if data.get("trigger_kind"):
            add((label(labels.TRIGGER_KINDS, data["trigger_kind"]), None))
        trigger = triggers.get(data.get("trigger_id") or -1)
        if trigger is not None:
            source = trigger.source_name or label(labels.SOURCE_TYPES, trigger.source_type)
            add((_("fra %(source)s", source=source), None))
            if trigger.source_reference:
                add((_("avsenderens saksnummer: %(ref)s", ref=trigger.source_reference), None))
            for document in documents:
                if document.trigger_id == trigger.id:
                    add(
                        (
                            document.filename,
                            url_for("staff.document", case_id=case.id, document_id=document.id),
                        )
                    )
        if data.get("repeat_case"):
            add((_("gjenganger: personen har hatt sak før"), None))
        if data.get("match") and data["match"] not in {"new"}:
            how = label(labels.MATCH_METHODS, data["match"])
            add((_("koblet til person (%(how)s)", how=how), None))
    elif kind == "caseworker_assigned":
        who = data.get("caseworker", "")
        add((_("saksbehandler: %(who)s", who=people.get(who, who)), None))
        if data.get("previous"):
            add((_("før: %(who)s", who=people.get(data["previous"], data["previous"])), None))
        if data.get("flag_ids"):
            add((_("åpne vurderinger går til saksbehandleren"), None))
    elif kind in {"routed", "forwarded", "forward", "unrouted", "task_moved"}:
        if kind == "task_moved" and data.get("task_kind"):
            add((label(labels.TASK_KINDS, data["task_kind"]), None))
        if data.get("unassigned"):
            who = people.get(data["unassigned"], data["unassigned"])
            add((_("ikke lenger tildelt %(who)s", who=who), None))
        if data.get("caseworker_removed"):
            who = people.get(data["caseworker_removed"], data["caseworker_removed"])
            add((_("saksbehandler %(who)s er ikke i den nye bydelen", who=who), None))
        method = words.detail("method", data.get("method"), people)
        if method:
            add((method, None))
        if data.get("from_district"):
            add((_("fra %(d)s", d=district_name(data["from_district"])), None))
        target = data.get("to_district") or data.get("district")
        if target:
            add((_("til %(d)s", d=district_name(target)), None))
        if data.get("reason"):
            # A forward's reason is what staff wrote, or a routing code (intake.routing).
            said = reasons.reason if kind == "unrouted" else reasons.reason_or_text
            add((_("begrunnelse: %(r)s", r=said(data["reason"])), None))
    elif kind in {"letter_sent", "letter_copy_sent", "sms_sent", "email_sent"}:
        attempt = attempts.get(data.get("attempt_id") or -1)
        if attempt is not None:
            add((_("status: %(s)s", s=label(labels.DELIVERY_STATUSES, attempt.status)), None))
            if kind in {"letter_sent", "letter_copy_sent"}:
                _letter_links(entry, case, attempt, items)
            if attempt.language and attempt.language != "nb":
                add((_("språk: %(l)s", l=attempt.language), None))
    elif kind in {"letter_batched", "letter_withdrawn"}:
        # Two "in the print pile" lines a minute apart: say which letter each is (point 4).
        audience = data.get("audience") or next(
            (i.audience for i in items.values() if i.step_id == event.step_id), None
        )
        if audience:
            entry.title = f"{entry.title} – {label(labels.AUDIENCES, audience)}"
        if data.get("reason"):
            add((_("årsak: %(reason)s", reason=reasons.reason(data["reason"])), None))
        if data.get("pull_from_printed_batch"):
            add((_("allerede skrevet ut: ta brevet ut av bunken"), None))
        attempt = attempts.get(data.get("attempt_id") or -1)
        if attempt is not None:
            _letter_links(entry, case, attempt, items)
    elif kind in {"phone_task_outcome", "home_visit_outcome", "task_done"}:
        if data.get("outcome"):
            add((label(labels.TASK_OUTCOMES, data["outcome"]), None))
        if data.get("note"):
            add((data["note"], None))
    elif kind in {"task_created", "task_cancelled", "phone_task_created", "home_visit_scheduled"}:
        if data.get("task_kind"):
            add((label(labels.TASK_KINDS, data["task_kind"]), None))
        if data.get("scheduled_for"):
            add((_when_iso(data["scheduled_for"]), None))
        if data.get("reason"):
            # A cancelled visit's task carries the staff member's own words.
            add((_("årsak: %(reason)s", reason=reasons.reason_or_text(data["reason"])), None))
    elif kind == "response_registered":
        add((label(labels.CONTACT_CHANNELS, data.get("channel")), None))
        if data.get("note"):
            add((data["note"], None))
    elif kind in {"flag_raised", "flag_overdue", "flag_decided"}:
        add((label(labels.FLAG_KINDS, data.get("flag")), None))
        flag = flags.get(data.get("flag_id") or -1)
        if kind == "flag_decided" and flag is not None:
            add((label(labels.FLAG_DECISIONS, flag.decision), None))
            add((_("begrunnelse: %(r)s", r=flag.reason), None))
        if kind == "flag_raised" and data.get("due_at"):
            add((_("frist: %(when)s", when=_deadline_iso(data["due_at"])), None))
        if kind == "flag_overdue" and data.get("raised_to"):
            who = people.get(data["raised_to"], data["raised_to"])
            add((_("sendt til: %(who)s", who=who), None))
    elif kind == "note_added":
        note = notes.get(data.get("note_id") or -1)
        if note is not None:
            add((note.text, None))
    elif kind == "document_added":
        for document in documents:
            if document.id == data.get("document_id"):
                add(
                    (
                        document.filename,
                        url_for("staff.document", case_id=case.id, document_id=document.id),
                    )
                )
    elif kind == "case_closed":
        add((label(labels.CLOSE_OUTCOMES, data.get("outcome")), None))
        if data.get("note"):
            add((data["note"], None))
    elif kind == "ladder_paused":
        if data.get("reason"):
            add((_("begrunnelse: %(r)s", r=reasons.reason_or_text(data["reason"])), None))
    elif kind in {"followup_planned", "followup_done", "followup_due", "followup_settled"}:
        add((label(labels.FOLLOWUP_KINDS, data.get("measure")), None))
        if data.get("due_on"):
            add((_("dato: %(d)s", d=_day_iso(data["due_on"])), None))
        if data.get("owner"):
            add((_("ansvarlig: %(who)s", who=people.get(data["owner"], data["owner"])), None))
        if data.get("reason"):
            add((_("årsak: %(reason)s", reason=reasons.reason(data["reason"])), None))
    elif kind in {"contact_started", "ladder_resumed"}:
        pass
    elif kind == "unreachable":
        for flag_kind in data.get("flags") or ():
            add((label(labels.FLAG_KINDS, flag_kind), None))
    elif kind in {"crisis", "crisis_ended"}:
        if data.get("eviction_date"):
            add((_("utkastelse: %(d)s", d=_day_iso(data["eviction_date"])), None))
    elif kind == "household_updated" and data.get("eviction_date"):
        when = _day_iso(data["eviction_date"])
        if data.get("eviction_date_was"):
            was = _day_iso(data["eviction_date_was"])
            add((_("ny utkastelsesdato: %(d)s (var %(was)s)", d=when, was=was), None))
        else:
            add((_("utkastelse: %(d)s", d=when), None))
    elif kind == "letter_overdue":
        if data.get("deadline"):
            add((_("frist: %(when)s", when=_deadline_iso(data["deadline"])), None))
    elif kind == "match_review_requested":
        add((_("mulig samme person som sak %(ref)s", ref=data.get("candidate_case", "")), None))
        if data.get("reasons"):
            add((words.match_reasons(data["reasons"]), None))
    elif kind == "match_review_decided":
        same = data.get("decision") == "same_person"
        add((_("samme person") if same else _("ulike personer"), None))
        if data.get("candidate_case"):
            add((_("tidligere sak %(ref)s", ref=data["candidate_case"]), None))
        if data.get("repeat_case"):
            add((_("den tidligere saken var avsluttet: gjenganger"), None))
    elif kind == "sms_reply_attached":
        if data.get("received_at"):
            add((_("mottatt %(d)s", d=_when_iso(data["received_at"])), None))
    else:
        for key, value in data.items():
            if key in _HIDDEN_DETAILS:
                continue
            if key == "reason" and value:
                # Codes in words; typed reasons (a cancelled visit, a resent letter) as typed.
                said = reasons.reason_or_text if kind in _TYPED_REASONS else reasons.reason
                add((_("årsak: %(reason)s", reason=said(value)), None))
            elif key == "district" and value:
                add((_("bydel: %(d)s", d=district_name(value)), None))
            else:
                text = words.detail(key, value, people)
                if text:
                    add((text, None))
    return entry


# Events whose ``reason`` may be what a staff member wrote (visits.cancel_visit,
# letter_actions.send_now); every other ``reason`` is a code.
_TYPED_REASONS = {
    "visit_cancelled",
    "letter_resend_requested",
    "landlord_copy_requested",
    "case_reopened",
}

# Print items that will never go out: no preview is offered for them.
_GONE = {"withdrawn", "blocked"}

# Internal details a caseworker does not need to read on the timeline.
_HIDDEN_DETAILS = {
    "staff",
    "sequence",
    "round",
    "visit_no",
    "part_of_day",
    "tenant_notice",
    "sha256",
    "error",  # a developer's exception text; the reason says it in words
}


def open_tasks(session: Session, case: Case) -> list[Task]:
    return list(
        session.scalars(
            select(Task).where(Task.case_id == case.id, Task.status == "open").order_by(Task.due_at)
        )
    )


def district_staff(session: Session, district: str | None) -> list[User]:
    users = session.scalars(select(User).where(User.active.is_(True)).order_by(User.display_name))
    return [
        u for u in users if district is None or district in u.district_set or "admin" in u.role_set
    ]
