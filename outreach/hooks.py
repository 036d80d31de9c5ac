"""What the case and ladder stages announce, for the channel packages to act on.

Stopping a ladder must clean up what each channel has in flight: a cancelled
letter leaves its print batch, a cancelled visit frees its two staff and
tells them, a forwarded case moves its visits and waiting letters. The case
layer must not import the channels to do that (they import it: a met visit,
a booking and an SMS reply are responses), so it publishes one of the events
below and the channel subscribes once, at start-up (``outreach.wiring``).

Handlers run at once, in the publisher's session and transaction, in the order
they were subscribed: an exception rolls the whole action back, as a direct
call would. ``publish`` refuses to run on hooks nobody wired, so a forgotten
wiring fails loudly instead of silently leaving a visit booked.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from outreach.models import Case, Step, Task
    from outreach.policy.plan import CaseFacts
    from outreach.runtime import Runtime


@dataclass(frozen=True)
class StepCancelled:
    """A step was cancelled; ``was`` is its status before ("waiting": a letter in a batch)."""

    session: Session
    rt: Runtime
    case: Case
    step: Step
    was: str
    reason: str
    now: datetime


@dataclass(frozen=True)
class TasksCancelled:
    """A response or a close cancelled the case's open tasks (a visit's among them)."""

    session: Session
    rt: Runtime
    case: Case
    tasks: tuple[Task, ...]
    reason: str
    now: datetime


@dataclass(frozen=True)
class TaskOutcome:
    """Staff recorded how a task went (a call, a visit); the channel closes its part."""

    session: Session
    rt: Runtime
    case: Case
    task: Task
    outcome: str
    at: datetime
    actor: str | None


@dataclass(frozen=True)
class CaseForwarded:
    """The case now belongs to another district: what is still to come moves with it."""

    session: Session
    rt: Runtime
    case: Case
    previous_district: str | None
    actor: str | None
    now: datetime


@dataclass(frozen=True)
class CaseReplanned:
    """The plan was computed again: a booked visit whose rule stopped holding must go."""

    session: Session
    rt: Runtime
    case: Case
    facts: CaseFacts
    today: date


EVENTS: tuple[type, ...] = (
    StepCancelled,
    TasksCancelled,
    TaskOutcome,
    CaseForwarded,
    CaseReplanned,
)

E = TypeVar("E")


class HooksNotWired(RuntimeError):
    """An event was published on a runtime built without ``outreach.wiring``."""


class Hooks:
    def __init__(self) -> None:
        self._handlers: dict[type, list[Callable[[Any], None]]] = defaultdict(list)
        self.wired = False

    def subscribe(self, event: type[E], handler: Callable[[E], None]) -> None:
        if handler not in self._handlers[event]:
            self._handlers[event].append(handler)

    def subscribers(self, event: type) -> tuple[Callable[[Any], None], ...]:
        return tuple(self._handlers.get(event, ()))

    def publish(self, event: object) -> None:
        if not self.wired:
            raise HooksNotWired(
                f"{type(event).__name__} published on unwired hooks: "
                "build the runtime with outreach.wiring.build_runtime()"
            )
        for handler in self._handlers.get(type(event), ()):
            handler(event)
