"""A home-visit step books two staff from the district's outreach team (``schedule``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from channels.base import Attachment
from outreach.reach.base import TaskHandler, Unusable
from outreach.reach.visit.invitations import invitation_for_task
from outreach.reach.visit.schedule import task_for_step

if TYPE_CHECKING:
    from datetime import datetime

    from sqlalchemy.orm import Session

    from outreach.models import Case, Step, Task, Trigger
    from outreach.policy import Rule
    from outreach.runtime import Runtime


class VisitHandler(TaskHandler):
    channel: ClassVar[str] = "home_visit"

    def recipient(
        self, rule: Rule, case: Case, trigger: Trigger | None, rt: Runtime
    ) -> str | Unusable:
        person = case.person
        if person.protected_address:
            return Unusable("protected address: manual handling")
        if not person.street:
            return Unusable("no address")
        return f"outreach_team:{case.district_code or 'unrouted'}"

    def sent_event(self, rule: Rule) -> str:
        return "home_visit_scheduled"

    def prepare(
        self, session: Session, rt: Runtime, case: Case, step: Step, rule: Rule, now: datetime
    ) -> Task | None:
        # Two staff, no double booking, travel time, within the policy's limit;
        # the tenant's SMS notice.
        return task_for_step(session, rt, case, step, rule, now)

    def attachments(self, task: Task) -> tuple[Attachment, ...]:
        """The staff's iCalendar invitation (issue 4)."""
        return invitation_for_task(task) if task.kind == "home_visit" else ()
