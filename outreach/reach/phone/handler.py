"""A phone step becomes a call task for the case's caseworker, or the district's pool."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from outreach.cases.tasks import create_task_for_step
from outreach.reach.base import TaskHandler, Unusable

if TYPE_CHECKING:
    from datetime import datetime

    from sqlalchemy.orm import Session

    from outreach.models import Case, Step, Task, Trigger
    from outreach.policy import Rule
    from outreach.runtime import Runtime


class PhoneTaskHandler(TaskHandler):
    channel: ClassVar[str] = "phone_task"

    def recipient(
        self, rule: Rule, case: Case, trigger: Trigger | None, rt: Runtime
    ) -> str | Unusable:
        if not case.person.phone:
            return Unusable("no phone number")
        return f"caseworker:{case.caseworker_id or 'pool'}:{case.district_code or 'unrouted'}"

    def sent_event(self, rule: Rule) -> str:
        return "phone_task_created"

    def prepare(
        self, session: Session, rt: Runtime, case: Case, step: Step, rule: Rule, now: datetime
    ) -> Task | None:
        return create_task_for_step(
            session,
            rt,
            case,
            step,
            kind=rule.task_kind or rule.channel,
            title=rule.task_title,
            assignee_role=rule.assignee_role,
            due_at=now,
        )
