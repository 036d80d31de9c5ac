"""Letters: to the tenant's postal address, copies to the parties, through the print batch.

A letter is not sent by the job: it joins the district's print batch, and
posting the batch is the send (``batches``). A copy never goes to a name-only
window envelope (issue 3): without a postal address it is skipped.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from channels.base import Message
from outreach.cases.contact import contact_person
from outreach.parties import NO_POSTAL_ADDRESS, copy_recipient
from outreach.reach.base import Handler, Unusable, metadata

if TYPE_CHECKING:
    from outreach.models import Attempt, Case, Step, Task, Trigger
    from outreach.policy import Rule
    from outreach.runtime import Runtime


class LetterHandler(Handler):
    channel: ClassVar[str] = "letter"
    batched: ClassVar[bool] = True

    def recipient(
        self, rule: Rule, case: Case, trigger: Trigger | None, rt: Runtime
    ) -> str | Unusable:
        person = case.person
        if rule.audience == "tenant":
            if person.protected_address:
                return Unusable("protected address: manual handling")
            if not person.street:
                return Unusable("no postal address")
            return f"{person.name}, {person.street}, {person.postal_code} {person.city}"
        party = copy_recipient(trigger, rule.audience)
        return party.line if party is not None else Unusable(NO_POSTAL_ADDRESS)

    def compose(
        self, rule: Rule, step: Step, case: Case, attempt: Attempt, task: Task | None
    ) -> Message:
        name, phone = contact_person(case)
        subject = "Brev fra NAV sosialtjenesten" if rule.audience == "tenant" else "Kopi av brev"
        body = f"{subject}. Saksreferanse {case.reference}. Kontaktperson: {name} {phone}".strip()
        return Message(
            idempotency_key=attempt.idempotency_key,
            channel="letter",
            to=attempt.recipient,
            subject=subject,
            body=body,
            language=case.person.language if rule.audience == "tenant" else "nb",
            metadata={**metadata(rule, step, case), "audience": rule.audience},
        )

    def sent_event(self, rule: Rule) -> str:
        return "letter_sent" if rule.audience == "tenant" else "letter_copy_sent"
