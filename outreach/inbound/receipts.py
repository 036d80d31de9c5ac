"""The provider status machine: what a delivery receipt does to an attempt.

Twilio's status callbacks and SendGrid's Event Webhook tell us, late and
sometimes more than once, what became of a message (TECH-NOTES "Providers";
STYLE.md habits 8 and 9). Each receipt is one action in one transaction:

* **deduplicated** – the receipt is written to the attempt's status history
  (``AttemptStatus``) under the provider's event id, which is UNIQUE: Twilio's
  ``MessageSid`` + ``MessageStatus``, SendGrid's ``sg_event_id`` (and, as the
  notes advise, message + event + timestamp as well). A replay changes nothing;
* **monotonic** – ``unknown < queued < sent < delivered`` (``unknown``: the
  sending job could not tell whether the provider took it, so any receipt
  wins), with ``undelivered``, ``failed``, ``bounced`` and ``dropped`` final
  like ``delivered``. The move is a conditional UPDATE, so a late ``sent``
  never drags a ``delivered`` attempt back, even when two receipts race;
* **acted on** – a final state is put on the case timeline (``sms_delivered``,
  ``sms_undelivered``, ``email_bounced`` …); a failure pulls the failed rule's
  ``on_fail_advance`` rungs forward at once (``planning.advance``), a bounce marks
  the address invalid, Twilio's error 21610 marks the number opted out and
  30005/30006 mark it unusable for SMS (``outreach.reach.sms.numbers``; not 30003,
  which may be a phone switched off).

An attempt still ``sending`` belongs to the job that is sending it (the
receipt can beat the job's own commit, or the job may have died): the receipt
goes into the history and fills in the provider reference, but the status is
left for the job to settle, so a retry of the step never mistakes the attempt
for one that was never made (``outreach.jobs.execute``).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import CursorResult, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from outreach import timeline
from outreach.attempts import FAILURES, FINAL, RANK, SENDGRID_STATUSES, TWILIO_STATUSES, our_status
from outreach.ladder import planning
from outreach.models import Attempt, AttemptStatus, Case, Person, Step
from outreach.reach.sms import numbers
from outreach.runtime import Runtime

log = logging.getLogger(__name__)

#: Twilio: "the recipient has opted out" (replied STOP to our sender).
TWILIO_OPTED_OUT = "21610"
#: SendGrid drop reasons that mean the address itself is unusable.
_UNUSABLE_DROP_REASONS = ("bounced address", "invalid")
_ATTEMPT_KEY = re.compile(r"attempt-(\d{1,18})")


@dataclass(frozen=True)
class ProviderEvent:
    """One delivery receipt, in our words, before any row is touched."""

    channel: str  # sms | email
    event_id: str  # the dedupe key (AttemptStatus.provider_event_id)
    raw_status: str  # the provider's word: "undelivered", "bounce"
    status: str | None  # ours (RANK), or None: history only
    at: datetime
    attempt_key: str | None = None  # our "attempt-<id>", from the callback URL or custom_args
    provider_ref: str | None = None  # MessageSid / SendGrid message id
    error_code: str | None = None
    detail: str = ""  # short, safe to show: never an address or a number
    address_unusable: bool = False  # SendGrid: the recipient address cannot receive mail


def twilio_event(
    form: Mapping[str, str], attempt_key: str | None, now: datetime
) -> ProviderEvent | None:
    """A Twilio status callback (``MessageSid``, ``MessageStatus``, ``ErrorCode``).

    Twilio's callbacks carry no time of their own: the receipt is dated ``now``.
    """
    sid = (form.get("MessageSid") or form.get("SmsSid") or "").strip()
    raw = (form.get("MessageStatus") or form.get("SmsStatus") or "").strip().lower()
    if not sid or not raw:
        return None
    error = (form.get("ErrorCode") or "").strip() or None
    return ProviderEvent(
        channel="sms",
        event_id=f"twilio:{sid}:{raw}"[:120],
        raw_status=raw,
        status=TWILIO_STATUSES.get(raw),
        at=now,
        attempt_key=attempt_key,
        provider_ref=sid,
        error_code=error,
        detail=f"twilio {raw}" + (f", error {error}" if error else ""),
    )


def sendgrid_event(event: Mapping[str, Any], now: datetime) -> ProviderEvent | None:
    """One event of a SendGrid Event Webhook batch; ``None`` for those we do not track.

    ``sg_message_id`` is ``<X-Message-Id>.<filter suffix>``; the attempt is found
    by our ``attempt_id`` custom arg first, by the message id otherwise.
    """
    raw = str(event.get("event") or "").strip().lower()
    if raw not in SENDGRID_STATUSES:
        return None  # open/click are switched off; (un)subscribe events are not delivery
    try:
        at = datetime.fromtimestamp(int(event.get("timestamp")), tz=UTC)  # type: ignore[arg-type]
    except (TypeError, ValueError, OverflowError, OSError):
        at = now
    message_id = str(event.get("sg_message_id") or "").split(".", 1)[0] or None
    event_id = str(event.get("sg_event_id") or "").strip()
    if not event_id:
        event_id = f"{message_id}:{raw}:{int(at.timestamp())}"
    reason = str(event.get("reason") or event.get("response") or "")
    bounce_type = str(event.get("type") or "").lower()
    status = SENDGRID_STATUSES[raw]
    unusable = (raw == "bounce" and bounce_type != "blocked") or (
        raw == "dropped" and reason.strip().lower().startswith(_UNUSABLE_DROP_REASONS)
    )
    smtp = str(event.get("status") or "").strip() or None
    attempt_key = event.get("attempt_id")
    return ProviderEvent(
        channel="email",
        event_id=f"sendgrid:{event_id}"[:120],
        raw_status=raw,
        status=status,
        at=at,
        attempt_key=str(attempt_key) if attempt_key else None,
        provider_ref=message_id,
        error_code=smtp or (bounce_type or None),
        # SMTP replies quote the address: keep only the kind and the code.
        detail=f"sendgrid {raw}"
        + (f" ({bounce_type})" if bounce_type else "")
        + (f", {smtp}" if smtp else ""),
        address_unusable=unusable,
    )


@dataclass(frozen=True)
class Applied:
    """What a receipt did: ``result`` is one of

    ``moved`` (the attempt's status changed), ``recorded`` (history only: an
    earlier-or-equal status, one that moves nothing, or an attempt still
    ``sending``), ``duplicate`` (seen before) or ``unknown`` (no such attempt).
    """

    result: str
    attempt_id: int | None = None
    status: str | None = None


def _attempt_id(key: str | None) -> int | None:
    match = _ATTEMPT_KEY.fullmatch((key or "").strip())
    return int(match.group(1)) if match else None


def find_attempt(session: Session, event: ProviderEvent) -> Attempt | None:
    """Our own key first (it names the attempt even if the send's answer was
    lost), else the provider reference stored after the send."""
    attempt_id = _attempt_id(event.attempt_key)
    attempt = session.get(Attempt, attempt_id) if attempt_id is not None else None
    if attempt is None and event.provider_ref:
        attempt = session.scalar(
            select(Attempt)
            .where(Attempt.provider_ref == event.provider_ref, Attempt.channel == event.channel)
            .order_by(Attempt.id)
            .limit(1)
        )
    if attempt is None or attempt.channel != event.channel:
        return None
    if (
        attempt.provider_ref
        and event.provider_ref
        and not _same_message(attempt.provider_ref, event.provider_ref)
    ):
        # Our key names an attempt that already has another message: not ours to change.
        return None
    return attempt


def _same_message(ours: str, theirs: str) -> bool:
    return ours == theirs or ours.startswith(theirs + ".") or theirs.startswith(ours + ".")


def _seen(session: Session, attempt: Attempt, event: ProviderEvent) -> bool:
    query = select(AttemptStatus.id).where(AttemptStatus.provider_event_id == event.event_id)
    if session.scalar(query.limit(1)) is not None:
        return True
    if event.channel == "email":
        # SendGrid may send one event again under a new sg_event_id: the same
        # event for the same message at the same second is the same receipt.
        same = select(AttemptStatus.id).where(
            AttemptStatus.attempt_id == attempt.id,
            AttemptStatus.status == event.raw_status,
            AttemptStatus.at == event.at,
            AttemptStatus.provider_event_id.is_not(None),
        )
        return session.scalar(same.limit(1)) is not None
    return False


def _final_before(session: Session, attempt: Attempt, event: ProviderEvent) -> bool:
    rows = session.scalars(
        select(AttemptStatus.status).where(
            AttemptStatus.attempt_id == attempt.id,
            AttemptStatus.provider_event_id.is_not(None),
            AttemptStatus.provider_event_id != event.event_id,
        )
    )
    return any(our_status(raw) in FINAL for raw in rows)


def apply_event(session: Session, rt: Runtime, event: ProviderEvent) -> Applied:
    """Apply one receipt and commit; safe to call any number of times."""
    try:
        applied = _apply(session, rt, event)
        session.commit()
    except IntegrityError:
        # The same receipt, delivered twice at once: the other copy won.
        session.rollback()
        return Applied("duplicate")
    except BaseException:
        session.rollback()
        raise
    if applied.result != "unknown":
        log.info(
            "%s receipt %s for attempt %s: %s",
            event.channel,
            event.raw_status,
            applied.attempt_id,
            applied.result,
        )
    return applied


def _apply(session: Session, rt: Runtime, event: ProviderEvent) -> Applied:
    attempt = find_attempt(session, event)
    if attempt is None:
        log.warning("%s receipt %s names no known attempt", event.channel, event.raw_status)
        return Applied("unknown")
    if _seen(session, attempt, event):
        return Applied("duplicate", attempt.id, attempt.status)
    previous = attempt.status
    session.add(
        AttemptStatus(
            attempt_id=attempt.id,
            status=event.raw_status[:16],
            at=event.at,
            provider_event_id=event.event_id,
            detail=event.detail[:200],
        )
    )
    session.flush()  # the UNIQUE event id refuses a concurrent duplicate here
    now = rt.now()
    if event.provider_ref and not attempt.provider_ref:
        session.execute(
            update(Attempt)
            .where(Attempt.id == attempt.id, Attempt.provider_ref.is_(None))
            .values(provider_ref=event.provider_ref[:120])
            .execution_options(synchronize_session=False)
        )
    if event.status is None:
        return Applied("recorded", attempt.id, previous)

    if previous == "sending":
        # The job owns the status (module docstring); a final state still
        # has its effects now, once: the job settles the status later.
        first_final = event.status in FINAL and not _final_before(session, attempt, event)
        moved = False
    else:
        lower = [s for s, rank in RANK.items() if rank < RANK[event.status]]
        values: dict[str, Any] = {"status": event.status, "updated_at": now}
        if event.status in FAILURES and event.error_code:
            values["error_code"] = event.error_code[:40]
        result = session.execute(
            update(Attempt)
            .where(Attempt.id == attempt.id, Attempt.status.in_(lower))
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        moved = bool(cast("CursorResult[Any]", result).rowcount)
        first_final = moved and event.status in FINAL
    session.refresh(attempt)
    if first_final:
        _on_final(session, rt, attempt, event, now)
    return Applied("moved" if moved else "recorded", attempt.id, attempt.status)


def _on_final(
    session: Session, rt: Runtime, attempt: Attempt, event: ProviderEvent, now: datetime
) -> None:
    assert event.status is not None
    case = session.get(Case, attempt.case_id)
    assert case is not None
    timeline.record(
        session,
        case.id,
        f"{attempt.channel}_{event.status}",  # sms_delivered, sms_undelivered, email_bounced …
        now,
        channel=attempt.channel,
        step_id=attempt.step_id,
        attempt_id=attempt.id,
        provider_status=event.raw_status,
        error_code=event.error_code if event.status in FAILURES else None,
    )
    if event.status not in FAILURES:
        return
    person = session.get(Person, case.person_id)
    assert person is not None
    if event.channel == "sms" and event.error_code in numbers.RECEIPT_CODES:
        # 21610: opted out; 30005/30006: the number cannot take an SMS.
        numbers.after_permanent_error(
            session,
            rt,
            case,
            attempt,
            numbers.RECEIPT_CODES[event.error_code],
            now,
            source="receipt",
        )
    if (
        event.channel == "email"
        and event.address_unusable
        and person.email_invalid_at is None
        and (person.email or "").strip().lower() == attempt.recipient.strip().lower()
    ):
        # Only if the address that bounced is still the one on file.
        person.email_invalid_at = now
        timeline.record(
            session, case.id, "email_marked_invalid", now, channel="email", attempt_id=attempt.id
        )
    step = session.get(Step, attempt.step_id)
    rule = rt.policy.by_name.get(step.rule) if step is not None else None
    if rule is not None and case.status != "closed":
        # The rung did not reach the tenant: the next ones should not wait.
        planning.advance(session, rt, case, rule.on_fail_advance, now)
