"""SMS: a mobile that can take it, inside the SMS window, at the provider's pace.

Opt-outs and unusable numbers belong to the number (``reach.sms.numbers``), so
a new person, case or intake with that number finds them too (issue 4).
"""

from __future__ import annotations

import time as clock
from datetime import datetime
from typing import TYPE_CHECKING, ClassVar

from sqlalchemy.orm import object_session

from channels.base import Message
from channels.outbox import OutboxChannel
from channels.segments import count_segments
from outreach.cases.contact import contact_person, holding_office
from outreach.identity import can_receive_sms
from outreach.messages import render_sms
from outreach.models import Attempt
from outreach.reach.base import Handler, Unusable, local, message_language, metadata
from outreach.reach.sms import numbers
from outreach.reach.sms.pacing import Pacer

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from outreach.models import Case, Step, Task, Trigger
    from outreach.policy import Rule
    from outreach.runtime import Runtime


class SmsHandler(Handler):
    channel: ClassVar[str] = "sms"

    def recipient(
        self, rule: Rule, case: Case, trigger: Trigger | None, rt: Runtime
    ) -> str | Unusable:
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
            blocked = numbers.blocked_reason(session, rt, person.phone)
            if blocked == "opt_out":
                return Unusable("opted out of SMS")
            if blocked == "unusable":
                return Unusable("number cannot receive SMS")
        return person.phone

    def compose(
        self, rule: Rule, step: Step, case: Case, attempt: Attempt, task: Task | None
    ) -> Message:
        _name, contact_phone = contact_person(case)
        office = holding_office(case)
        # A visit notice names the visit time, kept on the step by reach.visit.notices.
        when = step.params.get("when") if step.params else None
        sms = render_sms(
            rule.purpose or "first_contact",
            message_language(case.person.language),
            contact_phone=contact_phone or office.duty_contact_phone,
            office_name=office.office_name,
            when=local(datetime.fromisoformat(when)) if when else None,
        )
        return Message(
            idempotency_key=attempt.idempotency_key,
            channel="sms",
            to=attempt.recipient,
            body=sms.text,
            language=",".join(sms.languages),
            metadata=metadata(rule, step, case),
        )

    def sent_event(self, rule: Rule) -> str:
        return "sms_sent"

    def earliest_send(self, rt: Runtime, rule: Rule, now: datetime) -> datetime:
        # NAV and Altinn: 09–17 on working days; wait rather than send at night.
        start, end = rt.policy.sms_window_for(rule)
        return rt.calendar.next_time_in_window(now, start, end)

    def pace(self, rt: Runtime, rule: Rule, step: Step, case: Case) -> bool:
        """Wait for this sender's turn (at most a few seconds), or say to defer."""
        if isinstance(rt.channel("sms"), OutboxChannel):
            return True  # nothing leaves the machine: no provider to protect
        settings = rt.settings.provider_settings
        sender = settings.get("TWILIO_MESSAGING_SERVICE_SID") or settings.get(
            "TWILIO_FROM_NUMBER", "sms"
        )
        rate = float(settings.get("SMS_RATE_PER_SECOND", "1"))
        body = self.compose(rule, step, case, Attempt(id=0), None).body
        pacer = Pacer(rt.redis(), rate, namespace=rt.settings.redis_namespace)
        wait = pacer.reserve(sender, count_segments(body).segments)
        if wait is None:
            return False
        if wait > 0:
            clock.sleep(wait)
        return True

    def after_failure(
        self, session: Session, rt: Runtime, case: Case, attempt: Attempt, code: str, now: datetime
    ) -> None:
        numbers.after_permanent_error(session, rt, case, attempt, code, now, source="send")
