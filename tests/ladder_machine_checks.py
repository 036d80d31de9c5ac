"""The ladder's invariants, checked on the ``World`` of ``ladder_machine_support`` (issue 12).

Each check reads what went out (``World.sends``: outbox files, attempts, print
items) and the staff side's own gates (the queue, ``Principal.can_see``), and
compares them with the world's model of the truth. ``violations()`` names
every invariant broken now; ``tests/test_ladder_machine.py`` lists the ones
today's code breaks.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from outreach.models import Case, Task, Trigger, User
from outreach.policy.plan import is_crisis
from outreach.staff.queries import QueueFilter, queue
from outreach.staff.tokens import Principal
from outreach.vocabulary import COUNTING

OSLO = ZoneInfo("Europe/Oslo")
#: Sent after a response on purpose: the response itself asks for it, or the tenant
#: still expects the visit it cancels.
AFTER_RESPONSE_OK = frozenset({"appointment_email", "visit_cancelled_notice"})


@dataclass
class Identity:
    """One person as the engine should know them.

    The newest notice's contact data win, except that a landlord's never
    replace what a trusted sender (the bailiff, the court, staff) gave
    (issue 13, item 1): ``sources`` says, per field, whether a trusted sender did.
    """

    street: str
    postal_code: str
    phone: str | None
    updated_at: datetime
    trusted: set[str] = field(default_factory=set)

    def take(self, street: str, postal_code: str, phone: str | None, trusted: bool) -> None:
        """A notice from a sender party to the case says this."""
        if trusted or "address" not in self.trusted:
            self.street, self.postal_code = street, postal_code
        if phone is not None and (trusted or "phone" not in self.trusted):
            self.phone = phone
        if trusted:
            self.trusted |= {"address"} | ({"phone"} if phone is not None else set())

    def merge(self, newer: Identity) -> None:
        """A doubtful match decided "same person": the newer one's fields win where trusted
        as much (a landlord's never over a trusted sender's)."""
        for name, fields in (("address", ("street", "postal_code")), ("phone", ("phone",))):
            value_given = all(getattr(newer, f) is not None for f in fields)
            if value_given and (name in newer.trusted or name not in self.trusted):
                for f in fields:
                    setattr(self, f, getattr(newer, f))
                if name in newer.trusted:
                    self.trusted.add(name)
        self.updated_at = max(self.updated_at, newer.updated_at)


@dataclass
class Notice:
    trigger_id: int
    kind: str
    received_at: datetime
    deadline: datetime
    judged: bool = False
    # When the tenant answered while the case held this notice: the answer stops
    # its letter, whatever later notices start a new round.
    answered_at: datetime | None = None


@dataclass
class Send:
    """One thing that went out, as read from the outbox, an attempt or a print item."""

    case_id: int
    rule: str
    channel: str
    audience: str
    to: str
    at: datetime
    phone_in_text: str
    contact_name: str
    street: str = ""
    postal_code: str = ""
    trigger_id: int | None = None
    #: The household's current data when it went: (street, postal code, phone).
    expected: tuple[str, str, str | None] | None = None


class Invariants:
    """The checks; ``World`` keeps the state they read."""

    rt: Any
    clock: Any
    notices: list[Notice]
    sends: list[Send]
    responded: dict[int, datetime]
    identity_of_case: dict[int, Identity]
    registered_by: dict[int, str]

    def now(self) -> datetime:
        return self.clock()  # type: ignore[no-any-return]

    def session(self) -> Any:
        return self.rt.session()

    def violations(self) -> dict[str, str]:
        found: dict[str, str] = {}
        with self.session() as s:
            for name, check in (
                ("letter_once", self._letter_once),
                ("quiet_after_response", self._quiet_after_response),
                ("contact_named", self._contact_named),
                ("current_data", self._current_data),
                ("letter_by_deadline", self._letter_by_deadline),
                ("crisis_exact", self._crisis_exact),
                ("visible", self._visible),
            ):
                problem = check(s)
                if problem:
                    found[name] = problem
        return found

    def _letter_once(self, s: Session) -> str | None:
        seen: dict[tuple[int | None, str], int] = {}
        for send in self.sends:
            if send.channel == "letter":
                key = (send.trigger_id, send.audience)
                seen[key] = seen.get(key, 0) + 1
        twice = {k: n for k, n in seen.items() if n > 1}
        return f"letters sent more than once (trigger, audience): {twice}" if twice else None

    def _quiet_after_response(self, s: Session) -> str | None:
        for send in self.sends:
            answered = self.responded.get(send.case_id)
            if send.audience != "tenant" or send.rule in AFTER_RESPONSE_OK or answered is None:
                continue
            if send.at > answered:
                return (
                    f"{send.rule} ({send.channel}) went to the tenant of case {send.case_id}"
                    f" at {send.at:%d.%m %H:%M}, after the response at {answered:%d.%m %H:%M}"
                )
        return None

    def _contact_named(self, s: Session) -> str | None:
        for send in self.sends:
            if not send.phone_in_text.strip() or not send.contact_name.strip():
                return (
                    f"{send.rule} ({send.channel}) for case {send.case_id}"
                    " names no contact person or number"
                )
        return None

    def _current_data(self, s: Session) -> str | None:
        for send in self.sends:
            if send.audience != "tenant" or send.expected is None:
                continue
            street, postal_code, phone = send.expected
            if send.channel == "sms" and send.to != phone:
                return f"SMS {send.rule} for case {send.case_id} went to an old number"
            if send.channel == "letter" and send.street != street:
                return (
                    f"letter for case {send.case_id} went to {send.street},"
                    f" not the current {street}"
                )
            if send.channel == "letter" and send.postal_code != postal_code:
                return f"letter for case {send.case_id} went to an old postal code"
        return None

    def _letter_by_deadline(self, s: Session) -> str | None:
        now = self.now()
        for notice in self.notices:
            if notice.judged or now < notice.deadline:
                continue
            notice.judged = True
            row = s.get(Trigger, notice.trigger_id)
            assert row is not None
            case = s.get(Case, row.case_id)
            assert case is not None
            sent = any(
                x.channel == "letter"
                and x.audience == "tenant"
                and x.trigger_id == notice.trigger_id
                and x.at <= notice.deadline
                for x in self.sends
            )
            answered = notice.answered_at or self.responded.get(case.id)
            if sent or case.status == "closed" or (answered and answered <= notice.deadline):
                continue
            manual = s.scalar(
                select(Task.id).where(
                    Task.case_id == case.id,
                    # A manual letter, or a notice held for staff (intake.trust) with its
                    # review task due by the letter's deadline: on a named person's list.
                    Task.kind.in_(("manual_letter", "notice_review")),
                    Task.status == "open",
                )
            )
            if manual is not None:
                continue
            user = s.scalar(select(User).where(User.username == "sentral"))
            rows = queue(
                s, user, now, filters=QueueFilter(status="all", case_ids=frozenset({case.id}))
            )
            if not any(
                "letter" in data.get("what", ()) for r in rows for code, data in r.reasons
                if code == "overdue"
            ):  # fmt: skip
                return (
                    f"{notice.kind} (trigger {notice.trigger_id}, case {case.id}): no letter"
                    f" by {notice.deadline:%d.%m %H:%M} and nothing overdue on any list"
                )
        return None

    def _crisis_exact(self, s: Session) -> str | None:
        today = self.now().astimezone(OSLO).date()
        for case in s.scalars(select(Case).where(Case.status != "closed")):
            # A notice held for staff (intake.trust) is no fact until confirmed.
            round_triggers = [
                t for t in case.triggers if t.round == case.ladder_round and t.review in COUNTING
            ]
            if not round_triggers:
                continue
            started = min(t.received_at for t in round_triggers)
            expected = is_crisis(
                self.rt.policy, self.rt.calendar, started, case.eviction_date,
                [t.kind for t in round_triggers], today=today,
            )  # fmt: skip
            if expected != (case.crisis_since is not None):
                return (
                    f"case {case.id}: crisis is {case.crisis_since is not None}, should be"
                    f" {expected} (eviction {case.eviction_date}, today {today})"
                )
        return None

    def _visible(self, s: Session) -> str | None:
        for case in s.scalars(select(Case)):
            if case.district_code is not None:
                continue
            registrar = self.registered_by.get(case.id)
            if registrar is None:
                continue  # central intake sees every unrouted case
            user = s.scalar(select(User).where(User.username == registrar))
            if not Principal(0, registrar, user).can_see(case):
                return f"unrouted case {case.id} is hidden from {registrar}, who registered it"
        return None
