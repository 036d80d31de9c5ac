"""Replies from numbers we cannot tie to one case: a staff queue, never a guess.

``outreach.inbound`` keeps an SMS from an unknown number, or from a number
several open cases share, with ``review_status = "open"`` and touches no
case (a wrong guess would stop the wrong household's ladder). Here staff
settle them (issue 4: a reply "notifies the caseworker"; issue 5: the
staff app):

* **attach** the reply to a case the staff member may see: it becomes the
  tenant's response (``cases.register_response``, the text on the timeline,
  the ladder stopped) and the case's caseworker gets the follow-up task, as
  for a reply that matched at once;
* **dismiss** it with a reason (spam, a wrong number, another service's
  business), kept on the message.

Who sees which message: the message has no case, so central intake and
admins see all; a district lead sees those whose number belongs to a person
with a case in one of the lead's districts (open or closed); nobody else.
The number is personal data: lists show only its last three digits, the
detail page shows it whole and that opening is logged (``case_access``).

Only the public parts of ``outreach.inbound`` are used; the rules for an
automatic reply stay there.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from outreach import timeline
from outreach.cases import response as cases_response
from outreach.inbound.keywords import parse_reply
from outreach.inbound.sms_replies import note_text, notify_caseworker
from outreach.models import Case, Person, User
from outreach.models.inbound import InboundMessage
from outreach.models.staff import CaseAccess
from outreach.permissions import Action, roles_for
from outreach.runtime import Runtime

REVIEW_ROLES = tuple(roles_for(Action.REVIEW_INBOUND))
SEE_ALL_ROLES = {"central_intake", "admin"}
REASON_MAX_CHARS = 500


class InboundReviewError(ValueError):
    """The action does not fit the message or the case; ``field`` names the input."""

    def __init__(self, message: str, field: str = "_schema") -> None:
        super().__init__(message)
        self.field = field


def mask_number(number: str) -> str:
    """All but the last three digits hidden: enough to tell two messages apart."""
    digits = [c for c in number if c.isalnum()]
    if len(digits) <= 3:
        return "•" * len(digits)
    return "•" * (len(digits) - 3) + "".join(digits[-3:])


def number_districts(session: Session, number: str) -> set[str]:
    """The districts of every case (open or closed) of a person with this number."""
    rows = session.scalars(
        select(Case.district_code)
        .join(Person, Person.id == Case.person_id)
        .where(Person.phone == number, Case.district_code.is_not(None))
        .distinct()
    )
    return {d for d in rows if d}


def may_see(session: Session, user: User, message: InboundMessage) -> bool:
    roles = user.role_set
    if roles & SEE_ALL_ROLES:
        return True
    if "district_lead" not in roles:
        return False
    return bool(number_districts(session, message.from_number) & user.district_set)


@dataclass(frozen=True)
class QueueRow:
    message: InboundMessage
    masked: str
    districts: frozenset[str]


def open_messages(session: Session, user: User) -> list[QueueRow]:
    """The open messages this user may see, oldest first (the longest waiting)."""
    if not (user.role_set & set(REVIEW_ROLES)):
        return []
    messages = session.scalars(
        select(InboundMessage)
        .where(InboundMessage.review_status == "open")
        .order_by(InboundMessage.received_at, InboundMessage.id)
    )
    rows = []
    see_all = bool(user.role_set & SEE_ALL_ROLES)
    for message in messages:
        districts = number_districts(session, message.from_number)
        if not see_all and not (districts & user.district_set):
            continue
        rows.append(QueueRow(message, mask_number(message.from_number), frozenset(districts)))
    return rows


def log_detail_view(session: Session, user: User, message: InboundMessage, now: datetime) -> None:
    """Seeing the whole number is logged like opening a case: one row per district the
    number belongs to (so each lead sees it), else one district-less row (central
    intake and admins see those)."""
    districts: list[str | None] = [*sorted(number_districts(session, message.from_number))]
    for district in districts or [None]:
        session.add(
            CaseAccess(
                at=now,
                user_id=user.id,
                action="view",
                case_id=message.case_id,
                district_code=district,
                purpose="inbound_sms",
            )
        )


def _check_open(message: InboundMessage) -> None:
    if message.review_status != "open":
        raise InboundReviewError("The message is already handled.")


def attach_to_case(
    session: Session, rt: Runtime, message: InboundMessage, case: Case, *, user: User
) -> int:
    """The reply was the tenant's: a response on ``case`` as of when it arrived.

    The caller has checked that ``user`` may see ``case``. Returns how many
    pending steps were cancelled. One transaction with the caller's commit.
    """
    _check_open(message)
    if case.status == "closed":
        raise InboundReviewError("The case is closed.", "case")
    now = rt.now()
    reply = parse_reply(message.body)
    text = note_text(message.body) or "(empty SMS)"
    message.case_id = case.id
    message.outcome = "response"
    message.intent = reply.intent
    message.keyword = reply.keyword[:60] if reply.keyword else None
    message.review_status = "done"
    message.reviewed_by = user.id
    message.reviewed_at = now
    timeline.record(
        session,
        case.id,
        "sms_reply_attached",
        now,
        channel="sms",
        actor=user.username,
        inbound_message_id=message.id,
        received_at=message.received_at.isoformat(),
        intent=reply.intent,
    )
    cancelled = cases_response.register_response(
        session,
        rt,
        case,
        channel="sms_reply",
        at=message.received_at,
        note=text,
        actor=user.username,
    )
    # The caseworker calls back, as for a reply that matched at once.
    notify_caseworker(session, rt, case, reply.intent, now)
    for other_id in message.candidate_case_ids or []:
        if other_id != case.id:
            timeline.record(
                session,
                other_id,
                "sms_reply_attached_elsewhere",
                now,
                channel="sms",
                actor=user.username,
                inbound_message_id=message.id,
            )
    return cancelled


def dismiss(
    session: Session, rt: Runtime, message: InboundMessage, *, reason: str, user: User
) -> None:
    """Not a tenant's reply (spam, a wrong number): kept, with who said so and why.

    A message from a number several open cases share gets a timeline event on
    each of them, so the case shows that a reply from its number was looked
    at and set aside; an unknown number has no case to record it on.
    """
    _check_open(message)
    reason = reason.strip()
    if not reason:
        raise InboundReviewError("Give a reason.", "reason")
    now = rt.now()
    message.review_status = "done"
    message.reviewed_by = user.id
    message.reviewed_at = now
    message.review_reason = reason[:REASON_MAX_CHARS]
    for case_id in message.candidate_case_ids or []:
        timeline.record(
            session,
            case_id,
            "sms_reply_dismissed",
            now,
            channel="sms",
            actor=user.username,
            inbound_message_id=message.id,
        )
