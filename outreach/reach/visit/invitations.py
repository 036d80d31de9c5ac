"""Staff invitations: written in the action's transaction, sent right after its commit.

The first one travels with the ``home_visit`` step's own message (``compose``);
later ones (moved, cancelled, the second visit) are attempts on the same step,
delivered through ``db.on_commit`` (:func:`deliver_invitation`), and
:func:`deliver_pending_invitations` finishes any a crash left behind.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session, object_session

from channels.base import Attachment, Channel, Delivery, Message, PermanentChannelError
from outreach import timeline
from outreach.db import on_commit
from outreach.models import Attempt, AttemptStatus, Case, Task, User
from outreach.models.visits import HomeVisit
from outreach.reach.visit.calendar import OSLO
from outreach.reach.visit.ical import _attachment, invitees
from outreach.runtime import Runtime

log = logging.getLogger(__name__)


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
