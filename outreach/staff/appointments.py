"""The office's day: appointments tenants booked at the district office (issue 12, item 8).

A booking on the booking page (or a confirmed SMS offer) becomes an
``office_appointment`` task at the appointment's time
(``outreach.inbound.booking.answers.appointment_task``); this is the list of them
for one day, so the office expects the tenant.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from outreach.models import Case, Task, User
from outreach.staff.queries import OSLO, visible_cases


def office_day(session: Session, user: User, day: date) -> list[Task]:
    """Open appointment tasks on ``day`` (Oslo) on the cases ``user`` may see, by time."""
    start = datetime.combine(day, datetime.min.time(), OSLO)
    return list(
        session.scalars(
            select(Task)
            .join(Case, Case.id == Task.case_id)
            .where(
                visible_cases(user),
                Task.kind == "office_appointment",
                Task.status == "open",
                Task.scheduled_for >= start,
                Task.scheduled_for < start + timedelta(days=1),
            )
            .order_by(Task.scheduled_for, Task.id)
        )
    )
