"""Append to a case's timeline: the one place events are written.

Principle 7: every attempt and decision is shown as one timeline per case.
Events carry ids and short facts, never a national id; names and numbers stay
in their own tables where access is controlled.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

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


OSLO = ZoneInfo("Europe/Oslo")
_TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")


def _oslo(value: Any) -> Any:
    """An ISO time with an offset, in Oslo time; anything else as it is."""
    if not isinstance(value, str) or not _TIMESTAMP.match(value):
        return value
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return value
    if parsed.tzinfo is None:
        return value
    return parsed.astimezone(OSLO).isoformat()


def as_json(event: Event, *, actor: bool = True) -> dict[str, Any]:
    """One event for ``simulate --json`` and ``GET /api/v1/cases/{id}/timeline``.

    Times inside the event's data (``scheduled_for``, ``due_at``) are stored in
    UTC; here they are given in Oslo time like ``at`` (issue 2: ISO with
    offset, Europe/Oslo), so a reader never compares two clocks.
    """
    body: dict[str, Any] = {
        "at": event.at.astimezone(OSLO).isoformat(),
        "event": event.kind,
        "channel": event.channel,
    }
    if actor:
        body["actor"] = event.actor
    for key, value in (event.data or {}).items():
        if key not in body:
            body[key] = _oslo(value)
    return body
