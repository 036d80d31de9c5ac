"""What every channel handler shares: the handler's shape and the words all channels use.

Channels (``channels/``) receive text or bytes and know nothing of cases
(STYLE.md habit 2); a handler is where a case's facts become a recipient and a
message for one channel. Messages to the tenant are neutral: no "eviction", no
amounts, no hint of a NAV client relationship in anything an outsider may read
(NAV-loven § 7; DOMAIN.md, confidentiality). ``jobs.execute`` never asks which
channel a step is on: it looks the handler up (``reach.registry``) and calls it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, ClassVar
from zoneinfo import ZoneInfo

from sqlalchemy import select

from channels.base import Attachment, Message
from outreach.identity import nearest_language
from outreach.letters.i18n import LANGUAGES
from outreach.models import Task

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from outreach.models import Attempt, Case, Step, Trigger
    from outreach.policy import Rule
    from outreach.runtime import Runtime

OSLO = ZoneInfo("Europe/Oslo")


@dataclass(frozen=True)
class Unusable:
    """The channel cannot be used for this household: the step is skipped."""

    reason: str


def message_language(language: str) -> str:
    """The tenant's language when we have texts in it; else English beside Norwegian."""
    # The person keeps the full BCP 47 tag (``ar-SY``); texts come from the nearest catalog.
    return nearest_language(language, LANGUAGES) or "en"


def local(at: datetime) -> datetime:
    return at.astimezone(OSLO)


def metadata(rule: Rule, step: Step, case: Case) -> dict[str, str]:
    """What the provider keeps with a message: references, never a name or a number."""
    return {"case": case.reference, "step": str(step.id), "rule": rule.name}


class Handler:
    """One channel's part of a step; the defaults are what most channels do."""

    channel: ClassVar[str]
    #: Letters are not sent by the job: they wait in a print batch, and posting
    #: the batch is the send (``reach.letter``).
    batched: ClassVar[bool] = False

    def recipient(
        self, rule: Rule, case: Case, trigger: Trigger | None, rt: Runtime
    ) -> str | Unusable:
        """Who the step goes to, or why it cannot go at all."""
        return rule.channel

    def compose(
        self, rule: Rule, step: Step, case: Case, attempt: Attempt, task: Task | None
    ) -> Message:
        return Message(
            idempotency_key=attempt.idempotency_key,
            channel=rule.channel,
            to=attempt.recipient,
            subject=rule.name,
            body=f"{rule.name} {case.reference}",
            language=case.person.language,
            metadata=metadata(rule, step, case),
        )

    def sent_event(self, rule: Rule) -> str:
        """The timeline event of a sent step."""
        return f"{rule.channel}_sent"

    def earliest_send(self, rt: Runtime, rule: Rule, now: datetime) -> datetime:
        """The first moment the step may go out (the SMS window); ``now`` if any time will do."""
        return now

    def pace(self, rt: Runtime, rule: Rule, step: Step, case: Case) -> bool:
        """Wait for this sender's turn at the provider, or say to defer (False)."""
        return True

    def prepare(
        self, session: Session, rt: Runtime, case: Case, step: Step, rule: Rule, now: datetime
    ) -> Task | None:
        """What must exist before the message is written (a call or visit task)."""
        return None

    def sent_details(self, session: Session, step: Step) -> dict[str, object]:
        """Extra facts for the sent event (the task a call or a visit became)."""
        return {}

    def after_failure(
        self, session: Session, rt: Runtime, case: Case, attempt: Attempt, code: str, now: datetime
    ) -> None:
        """What a provider's permanent refusal says about the address itself."""


class TaskHandler(Handler):
    """Channels whose message is a task for staff (a call, a visit)."""

    def compose(
        self, rule: Rule, step: Step, case: Case, attempt: Attempt, task: Task | None
    ) -> Message:
        if task is None:
            return super().compose(rule, step, case, attempt, task)
        when = (task.scheduled_for or task.due_at).astimezone(OSLO)
        body = (
            f"{task.title} – sak {case.reference}, {when:%d.%m.%Y %H:%M}, "
            f"språk: {case.person.language}"
        )
        return Message(
            idempotency_key=attempt.idempotency_key,
            channel=rule.channel,
            to=attempt.recipient,
            subject=task.title,
            body=body,
            language="nb",
            metadata={**metadata(rule, step, case), "task": str(task.id)},
            attachments=self.attachments(task),
        )

    def attachments(self, task: Task) -> tuple[Attachment, ...]:
        return ()

    def sent_details(self, session: Session, step: Step) -> dict[str, object]:
        task = session.scalar(select(Task).where(Task.step_id == step.id))
        if task is None:
            return {}
        details: dict[str, object] = {"task_id": task.id}
        if task.scheduled_for is not None:
            details["scheduled_for"] = task.scheduled_for.isoformat()
        return details
