"""E-mail: a copy of the letter, or an appointment's confirmation, to an address that works.

Consent and the contact register (KRR) are asked at each sending (issue 4):
a reservation made yesterday counts today.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from channels.base import Message
from outreach.cases.contact import contact_person
from outreach.reach.base import Handler, Unusable, metadata
from outreach.reach.email import letter_copy

if TYPE_CHECKING:
    from outreach.models import Attempt, Case, Step, Task, Trigger
    from outreach.policy import Rule
    from outreach.runtime import Runtime


class EmailHandler(Handler):
    channel: ClassVar[str] = "email"

    def recipient(
        self, rule: Rule, case: Case, trigger: Trigger | None, rt: Runtime
    ) -> str | Unusable:
        person = case.person
        if not person.email or person.email_invalid_at is not None:
            return Unusable("no usable email address")
        check = {
            "letter": letter_copy.skip_reason,
            "appointment": letter_copy.appointment_skip_reason,
        }.get(rule.purpose or "")
        reason = check(case) if check is not None else None
        return Unusable(reason) if reason is not None else person.email

    def compose(
        self, rule: Rule, step: Step, case: Case, attempt: Attempt, task: Task | None
    ) -> Message:
        _name, phone = contact_person(case)
        if rule.purpose == "letter":
            return letter_copy.message(step, case, attempt, metadata(rule, step, case), phone)
        if rule.purpose == "appointment":
            return letter_copy.appointment_message(
                step, case, attempt, metadata(rule, step, case), phone
            )
        return super().compose(rule, step, case, attempt, task)

    def sent_event(self, rule: Rule) -> str:
        return "email_sent"
