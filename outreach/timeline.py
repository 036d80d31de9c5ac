"""Append to a case's timeline: the one place events are written.

Principle 7: every attempt and decision is shown as one timeline per case.
Events carry ids and short facts, never a national id; names and numbers stay
in their own tables where access is controlled.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from outreach.models import Event


def record(
    session: Session,
    case_id: int,
    kind: str,
    at: datetime,
    *,
    channel: str | None = None,
    actor: str | None = None,
    step_id: int | None = None,
    **data: Any,
) -> Event:
    event = Event(
        case_id=case_id,
        kind=kind,
        at=at,
        channel=channel,
        actor=actor,
        step_id=step_id,
        data={k: v for k, v in data.items() if v is not None},
    )
    session.add(event)
    return event
