"""The world the ladder state machine drives (issue 12, "The invariants"); no tests here.

``World`` runs the real engine – intake, the tick (its hand-out, recovery,
invitations and follow-ups) with the RQ job's body run inline, the staff
actions in ``outreach/cases``, the booking page's answers and the SMS
webhook's ``receive_sms`` – on the test's clock, posts the print batches at
16:00 on working days, and records what went out from the outbox files, the
attempts and the print items. It keeps its own model of the truth (who each
household is, where it lives, which notices need a letter, when the tenant
answered), so the checks compare what the engine did with what should have
happened, not the engine with itself.

``World.violations()`` returns every broken invariant by name; the state
machine and the example tests assert on it.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from outreach.cases.forwarding import assign_district
from outreach.cases.pause import pause_ladder, resume_ladder
from outreach.cases.response import close_case
from outreach.cases.tasks import record_outcome
from outreach.demo import ensure_user, seed_districts
from outreach.inbound.booking.answers import BookingError, book_slot, report_sorted, request_call
from outreach.inbound.booking.slots import offered_slots
from outreach.inbound.sms_replies import receive_sms
from outreach.intake.accept import accept_trigger
from outreach.intake.match_review import resolve_match_review
from outreach.intake.schema import load_trigger
from outreach.jobs.queue import queue_for
from outreach.jobs.run_step import run_step
from outreach.jobs.tick import tick
from outreach.models import Attempt, Case, MatchReview, PrintItem, Step, Task, Trigger, User
from outreach.reach.letter.batches import letter_data, open_batches, post_batch, render_batch
from outreach.reach.letter.codes import issue_code, no_new_codes, verify_code
from tests.conftest import _truncate
from tests.factories import national_id, trigger
from tests.ladder_machine_checks import OSLO, Identity, Invariants, Notice, Send

START = datetime(2026, 12, 1, 9, 0, tzinfo=OSLO)  # a Tuesday
POSTING = time(16, 0)
#: Notices that must bring a letter within three working days (policy rule ``letter``).
LETTER_KINDS = ("unpaid_rent_warning", "eviction_petition", "forced_sale_notice")
PAUSE_REASON = "Innlagt på sykehus"
UNANSWERED = {"phone_call": "no_answer", "home_visit": "not_home"}

#: (street, postal code): four districts and one address the table does not know.
ADDRESSES = (
    ("Tøyengata 12", "0190"),  # Gamle Oslo 030101
    ("Thorvald Meyers gate 20", "0555"),  # Grünerløkka 030102
    ("Thereses gate 10", "0358"),  # St. Hanshaugen 030104
    ("Bygdøy allé 5", "0257"),  # Frogner 030105
    ("Trondheimsveien 100", "0565"),  # a real Grünerløkka address, not in the table
)
PHONES = ("+4741234567", "+4790011223", "+4748899001")
DISTRICTS = ("030101", "030102", "030104", "030105")
SENDERS = {
    "bailiff": {"type": "bailiff", "name": "Oslo namsfogdkontor"},
    "landlord": {"type": "landlord", "name": "Utleier AS"},
    "municipal_landlord": {"type": "municipal_landlord", "name": "Boligbygg Oslo KF"},
    "court": {"type": "court", "name": "Oslo tingrett"},
    "staff": {"type": "staff", "name": "NAV Gamle Oslo"},
}
BAILIFF_ADDRESS = {"street": "Postboks 8024 Dep", "postal_code": "0030", "city": "Oslo"}
#: Who registers staff notices: a caseworker in Gamle Oslo.
REGISTRAR = "kari"
REGISTRAR_DISTRICT = "030101"

_households = iter(range(1, 10**7))


@dataclass
class Household:
    """A real household: a name and birth date of its own, several notices over time."""

    number: int
    name: str
    birth_date: date
    nid: str
    street: str
    postal_code: str
    phone: str | None
    references: Iterator[int] = field(default_factory=lambda: iter(range(1, 10**6)))


class World(Invariants):
    def __init__(self, rt: Any, clock: Any) -> None:
        self.rt = rt
        self.clock = clock
        _truncate(rt.settings.database_url)
        shutil.rmtree(rt.settings.outbox_dir, ignore_errors=True)
        clock.set(START)
        with rt.session() as session:
            seed_districts(session)
            ensure_user(
                session, REGISTRAR, "Kari Testesen", roles="caseworker",
                districts=REGISTRAR_DISTRICT, phone="+4721000111",
            )  # fmt: skip
            ensure_user(
                session, "sentral", "Sentralt Mottak", roles="central_intake,caseworker",
                districts=",".join(DISTRICTS), phone="+4721000222",
            )  # fmt: skip
        self.households: list[Household] = []
        self.identity_of_case: dict[int, Identity] = {}
        self.notices: list[Notice] = []
        self.responded: dict[int, datetime] = {}  # case -> response, until its next notice
        self.last_notice: dict[int, datetime] = {}
        self.held: set[int] = set()  # notices held for staff (intake.trust)
        self.registered_by: dict[int, str] = {}  # case -> the staff user who registered it
        self.sends: list[Send] = []
        self.seen_attempts: set[int] = set()
        self.broken: dict[str, str] = {}
        self.log: list[str] = []

    # -- the model ---------------------------------------------------------

    def household(self, index: int) -> Household:
        while len(self.households) <= index:
            k = len(self.households)
            n = next(_households)
            born = date(1950, 1, 1) + timedelta(days=(n * 37) % 15000)
            self.households.append(
                Household(
                    number=n,
                    name=f"Maskin Prøvesen{n}",
                    birth_date=born,
                    nid=national_id(born.day, born.month, born.year, individual=100 + n % 300),
                    street=ADDRESSES[k % 4][0],  # household 0 starts in Tøyengata 12
                    postal_code=ADDRESSES[k % 4][1],
                    phone=PHONES[k % len(PHONES)],
                )
            )
        return self.households[index]

    def now(self) -> datetime:
        return self.clock()

    def _session(self) -> Session:
        return self.rt.new_session()

    @contextmanager
    def session(self) -> Iterator[Session]:
        with self.rt.session() as session:
            yield session

    def case_ids(self) -> list[int]:
        with self.session() as s:
            return list(s.scalars(select(Case.id).order_by(Case.id)))

    # -- actions -----------------------------------------------------------

    def notice(
        self,
        index: int,
        kind: str,
        sender: str,
        *,
        address: int | None = None,
        phone: int | None = None,
        eviction_days: int | None = None,
        with_id: bool = True,
    ) -> int:
        """A notice about household ``index``; ``address``/``phone`` move it (None: as before).

        Without the national id and at a new address it is the typical doubtful match.
        """
        h = self.household(index)
        if address is not None:
            h.street, h.postal_code = ADDRESSES[address]
        if phone is not None:
            h.phone = PHONES[phone] if phone >= 0 else None
        now = self.now()
        source: dict[str, Any] = {
            **SENDERS[sender],
            "reference": f"M{h.number}-{next(h.references)}",
        }
        if sender == "bailiff":
            source["address"] = BAILIFF_ADDRESS
        tenant: dict[str, Any] = {
            "name": h.name,
            "birth_date": h.birth_date.isoformat(),
            "national_id": h.nid if with_id else None,
            "address": {"street": h.street, "postal_code": h.postal_code, "city": "Oslo"},
            "phone": h.phone,
            "language": "nb",
        }
        document = trigger(
            kind=kind, received_at=now.isoformat(), source=source, tenant=tenant,
        )  # fmt: skip
        document["source"] = source  # no copy address carried over from the factory's bailiff
        if eviction_days is not None:
            document["eviction_date"] = (now.date() + timedelta(days=eviction_days)).isoformat()
        staff = sender == "staff"
        session = self._session()
        try:
            data = load_trigger(document, now=now)
            result = accept_trigger(
                session, self.rt, data,
                received_by=REGISTRAR_DISTRICT if staff else None,
                actor=REGISTRAR if staff else None,
            )  # fmt: skip
        finally:
            session.close()
        case_id = result.case_id
        trusted = sender not in ("landlord", "municipal_landlord")
        known = self.identity_of_case.get(case_id)
        if known is None:
            known = self.identity_of_case[case_id] = Identity(
                h.street, h.postal_code, h.phone, now,
                trusted={"address", "phone"} if trusted else set(),
            )  # fmt: skip
        elif not result.held:  # a held notice changes nothing until staff confirm it
            known.take(h.street, h.postal_code, h.phone, trusted)
            known.updated_at = now
        if staff and result.case_created:
            self.registered_by[case_id] = REGISTRAR
        if not result.held:
            self.responded.pop(case_id, None)  # a new notice starts a new round
        self.last_notice[case_id] = now
        if result.held:
            self.held.add(result.trigger_id)
        if kind in LETTER_KINDS:
            rule = self.rt.policy.by_name["letter"]
            assert rule.deadline is not None
            deadline = rule.deadline.apply(now, self.rt.calendar)
            self.notices.append(Notice(result.trigger_id, kind, now, deadline))
        self.log.append(
            f"notice({index}, {kind!r}, {sender!r}, address={address}, phone={phone}, "
            f"eviction_days={eviction_days}, with_id={with_id}) -> case {case_id}"
            + (f" review {result.review_id}" if result.review_id else "")
        )
        return case_id

    def _open_case_of(self, index: int) -> Case | None:
        h = self.household(index)
        with self.session() as s:
            for case_id in sorted(self.identity_of_case, reverse=True):
                case = s.get(Case, case_id)
                if case is not None and case.status != "closed" and h.name == case.person.name:
                    s.expunge(case)
                    return case
        return None

    def sms_reply(self, index: int, body: str = "Ring meg") -> None:
        h = self.household(index)
        if h.phone is None:
            return
        session = self._session()
        try:
            result = receive_sms(
                session, self.rt, message_sid=f"SM{len(self.log)}x{h.number}",
                from_number=h.phone, body=body,
            )  # fmt: skip
        finally:
            session.close()
        if result.outcome == "response" and result.case_id is not None:
            self._answered(result.case_id)
        self.log.append(f"sms_reply({index}, {body!r}) -> {result.outcome} case {result.case_id}")

    def _answered(self, case_id: int) -> None:
        """The tenant answered: about every notice the case holds by now (its round)."""
        now = self.now()
        self.responded[case_id] = now
        with self.session() as s:
            held = set(s.scalars(select(Trigger.id).where(Trigger.case_id == case_id)))
        for notice in self.notices:
            if notice.trigger_id in held and notice.answered_at is None:
                notice.answered_at = now

    def booking(self, index: int, answer: str) -> None:
        """The tenant answers on the booking page with the code from their letter."""
        case = self._open_case_of(index)
        if case is None or case.district_code is None or not self._letter_went(case.id):
            return  # no letter, no code to type
        session = self._session()
        try:
            attached = session.get(Case, case.id)
            assert attached is not None
            code = verify_code(session, self.rt, issue_code(session, self.rt, attached))
            assert code is not None
            try:
                if answer == "appointment":
                    slots = offered_slots(session, self.rt, attached)
                    if not slots:
                        raise BookingError("no_slots")
                    book_slot(session, self.rt, code, slots[0].starts_at)
                elif answer == "call":
                    request_call(session, self.rt, code, phone=PHONES[2], when="any")
                else:
                    report_sorted(session, self.rt, code)
            except BookingError as refused:  # the page says why; nothing happened
                session.rollback()
                self.log.append(f"booking({index}, {answer!r}) -> refused ({refused.reason})")
                return
            session.commit()
        finally:
            session.close()
        self._answered(case.id)
        self.log.append(f"booking({index}, {answer!r}) -> case {case.id}")

    def _letter_went(self, case_id: int) -> bool:
        return any(
            x.case_id == case_id and x.channel == "letter" and x.audience == "tenant"
            for x in self.sends
        )

    def resolve_review(self, pick: int, same: bool) -> None:
        with self.session() as s:
            reviews = list(
                s.scalars(
                    select(MatchReview).where(MatchReview.status == "open").order_by(MatchReview.id)
                )
            )
            if not reviews:
                return
            review = reviews[pick % len(reviews)]
            new_id, earlier_id = review.case_id, review.candidate_case_id
            goes_on = resolve_match_review(
                s, self.rt, review,
                decision="same_person" if same else "different_person", actor="sentral",
            )  # fmt: skip
            merged = goes_on.id != new_id
            if merged:
                # The person's open case, which may not be the one the review named.
                earlier_id = goes_on.id
        if same and not merged and earlier_id in self.identity_of_case:
            # A repeat case: the person rows became one, by the same trust rule.
            older = self.identity_of_case[earlier_id]
            older.merge(self.identity_of_case[new_id])
            self.identity_of_case[new_id] = older
        if merged:
            newer, older = self.identity_of_case[new_id], self.identity_of_case[earlier_id]
            older.merge(newer)
            self.identity_of_case[new_id] = older
            # One household, one round: the newest answer stands for both cases'
            # notices if it came after all of them; a notice after it is a new round.
            answered = max(
                (self.responded[c] for c in (new_id, earlier_id) if c in self.responded),
                default=None,
            )
            last_notice = max(self.last_notice[new_id], self.last_notice[earlier_id])
            if answered is not None and answered >= last_notice:
                self.responded[earlier_id] = answered
            else:
                self.responded.pop(earlier_id, None)
            self.last_notice[earlier_id] = last_notice
        self.log.append(f"resolve_review({pick}, same={same}) -> case {goes_on.id}")

    def _staff_action(self, pick: int, name: str, statuses: tuple[str, ...], act: Any) -> None:
        with self.session() as s:
            cases = list(s.scalars(select(Case).where(Case.status.in_(statuses)).order_by(Case.id)))
            if not cases:
                return
            case = cases[pick % len(cases)]
            user = s.scalar(select(User).where(User.username == "sentral"))
            act(s, case, user)
            self.log.append(f"{name}({pick}) -> case {case.id}")

    def forward(self, pick: int, district: int) -> None:
        self._staff_action(
            pick, f"forward[{DISTRICTS[district]}]", ("open", "paused"),
            lambda s, case, user: assign_district(
                s, self.rt, case, district=DISTRICTS[district], reason="Flyttet", actor="sentral"
            ),
        )  # fmt: skip

    def pause(self, pick: int) -> None:
        self._staff_action(
            pick, "pause", ("open",),
            lambda s, case, user: pause_ladder(s, self.rt, case, reason=PAUSE_REASON, actor=user),
        )  # fmt: skip

    def resume(self, pick: int) -> None:
        self._staff_action(
            pick, "resume", ("paused",),
            lambda s, case, user: resume_ladder(s, self.rt, case, actor=user),
        )  # fmt: skip

    def close(self, pick: int) -> None:
        self._staff_action(
            pick, "close", ("open", "paused"),
            lambda s, case, user: close_case(s, self.rt, case, outcome="paid", actor="sentral"),
        )  # fmt: skip

    # -- time --------------------------------------------------------------

    def advance(self, hours: int) -> None:
        """Move the clock, stopping wherever the engine has something to do."""
        target = self.now() + timedelta(hours=hours)
        for _ in range(500):
            moment = self._next_moment()
            if moment is None or moment > target:
                break
            self.clock.set(max(moment, self.now()))
            self._run_due()
        self.clock.set(target)
        self._run_due()
        self.log.append(f"advance({hours})")

    def _next_posting(self) -> datetime | None:
        with self.session() as s:
            if not open_batches(s):
                return None
        day = self.now().date()
        for _ in range(30):
            moment = datetime.combine(day, POSTING, tzinfo=OSLO)
            if self.rt.calendar.is_working_day(day) and moment >= self.now():
                return moment
            day += timedelta(days=1)
        return None

    def _next_moment(self) -> datetime | None:
        with self.session() as s:
            step = s.scalar(
                select(Step.due_at).where(Step.status == "planned").order_by(Step.due_at).limit(1)
            )
            tasks = [
                t.scheduled_for or t.due_at
                for t in s.scalars(
                    select(Task).where(Task.status == "open", Task.kind.in_(tuple(UNANSWERED)))
                )
            ]
        candidates = [m for m in (step, min(tasks, default=None), self._next_posting()) if m]
        return min(candidates, default=None)

    def _run_due(self) -> None:
        now = self.now()
        for _ in range(20):  # a step's outcome may plan another one due now
            report = tick(self.rt, now)
            handed = report.enqueued + report.recovered
            queue_for(self.rt).empty()  # this process is the worker: the jobs run here
            if not handed:
                break
            for step_id in handed:
                run_step(step_id)
        with self.session() as s:  # nobody answers the phone or the door
            for task in s.scalars(
                select(Task).where(Task.status == "open", Task.kind.in_(tuple(UNANSWERED)))
            ).all():
                if (task.scheduled_for or task.due_at) <= now:
                    record_outcome(s, self.rt, task, outcome=UNANSWERED[task.kind], actor="sentral")
        self._collect_messages()
        local = now.astimezone(OSLO)
        if local.time() == POSTING and self.rt.calendar.is_working_day(local.date()):
            self._post()

    def _post(self) -> None:
        """Staff render and post every open batch; the letters' printed data is read first."""
        printed = self._printed_letters()
        with self.session() as s:
            for batch in open_batches(s):
                if batch.status == "open":
                    render_batch(s, self.rt, batch.id, pdf=False)
                post_batch(s, self.rt, batch.id, posted_at=self.now(), actor="sentral")
        with self.session() as s:
            for item in s.scalars(select(PrintItem).where(PrintItem.status == "posted")):
                if item.attempt_id in self.seen_attempts:
                    continue
                self.seen_attempts.add(item.attempt_id)
                send = printed.get(item.id)
                step = s.get(Step, item.step_id)
                assert send is not None and step is not None
                send.rule, send.trigger_id = step.rule, step.trigger_id
                send.case_id = item.case_id
                self._sent(send)

    def _printed_letters(self) -> dict[int, Send]:
        """What each queued letter would print now (the renderer's own input), codes untouched."""
        out: dict[int, Send] = {}
        session = self._session()
        try:
            with no_new_codes(session):
                for item in session.scalars(select(PrintItem).where(PrintItem.status == "queued")):
                    data = letter_data(session, item, self.now().date())
                    contact = data.contact
                    out[item.id] = Send(
                        case_id=item.case_id, rule="", channel="letter", audience=item.audience,
                        to=data.recipient.name, at=self.now(),
                        phone_in_text=contact.phone if contact else "",
                        contact_name=contact.name if contact else "",
                        street=data.recipient.street, postal_code=data.recipient.postal_code,
                    )  # fmt: skip
        finally:
            session.rollback()
            session.close()
        return out

    def _sent(self, send: Send) -> None:
        who = self.identity_of_case.get(send.case_id)
        if who is not None:
            send.expected = (who.street, who.postal_code, who.phone)
        self.sends.append(send)

    def _collect_messages(self) -> None:
        """SMS and e-mail as they left: the outbox files, keyed by their attempts."""
        with self.session() as s:
            rows = s.execute(
                select(Attempt, Step.rule)
                .join(Step, Step.id == Attempt.step_id)
                .where(Attempt.channel.in_(("sms", "email")))
            ).all()
            for attempt, rule in rows:
                if attempt.id in self.seen_attempts:
                    continue
                path = (
                    self.rt.settings.outbox_dir
                    / attempt.channel
                    / f"{attempt.idempotency_key}.json"
                )
                if not path.exists():
                    continue
                self.seen_attempts.add(attempt.id)
                sent = json.loads(path.read_text(encoding="utf-8"))
                numbers = re.findall(r"\+?\d[\d ]{6,}\d", sent["body"])
                self._sent(
                    Send(
                        case_id=attempt.case_id, rule=rule, channel=attempt.channel,
                        audience="tenant", to=sent["to"], at=self.now(),
                        phone_in_text=numbers[0] if numbers else "", contact_name="(office)",
                    )
                )  # fmt: skip
