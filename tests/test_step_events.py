"""Nothing is updated in place without an event (issue 2): deferred steps, a
decided flag's escalation, and a send left unsettled by a response.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select

from channels.base import Delivery, Message, TransientChannelError
from outreach.cases import response as cases_response
from outreach.cases.flags import decide_flag, raise_flag
from outreach.jobs.tick import tick
from outreach.models import Attempt, Case, Event, Flag, Step
from outreach.reach.sms.pacing import Pacer
from outreach.workdays import parse_offset
from tests.stubs.twilio_stub import TwilioStub
from tests.test_jobs import _sms_ready, steps, twilio_channel, work
from tests.test_visits_support import open_case


def case_events(rt: Any, case_id: int, kind: str) -> list[Event]:
    with rt.session() as s:
        found = list(
            s.scalars(
                select(Event).where(Event.case_id == case_id, Event.kind == kind).order_by(Event.id)
            )
        )
        s.expunge_all()
        return found


def due_now(rt: Any, step_id: int) -> None:
    """The tick hands the step out again (another poll of the same deferral)."""
    with rt.session() as s:
        step = s.get(Step, step_id)
        assert step is not None
        step.due_at = rt.now()
        s.commit()


def test_a_step_outside_the_sms_window_is_deferred_once_on_the_timeline(
    rt: Any, clock: Any
) -> None:
    case_id = _sms_ready(rt, clock)
    clock.set(clock() + timedelta(hours=4))  # Tue 8 Dec 20:00: the window is closed
    tick(rt)
    work(rt)
    sms = steps(rt, case_id)["sms"]
    assert sms.status == "planned" and sms.due_at > clock()
    (deferred,) = case_events(rt, case_id, "step_deferred")
    assert deferred.step_id == sms.id and deferred.data["reason"] == "sms_window"
    assert deferred.data["due_at"] == sms.due_at.isoformat()
    clock.set(clock() + timedelta(minutes=30))
    due_now(rt, sms.id)
    tick(rt)
    work(rt)
    assert steps(rt, case_id)["sms"].status == "planned"
    assert len(case_events(rt, case_id, "step_deferred")) == 1  # once per reason, not per poll


def test_a_step_deferred_by_pacing_is_on_the_timeline_once(rt: Any, clock: Any) -> None:
    case_id = _sms_ready(rt, clock)
    with TwilioStub() as stub:
        rt.channels["sms"] = twilio_channel(stub)
        # Another worker has used the sender for a minute ahead: no waiting, defer.
        Pacer(rt.redis(), 1.0, namespace=rt.settings.redis_namespace).reserve("sms", 120)
        tick(rt)
        work(rt)
        sms = steps(rt, case_id)["sms"]
        assert sms.status == "planned"
        due_now(rt, sms.id)
        tick(rt)
        work(rt)
        assert stub.creates() == []
    reasons = [e.data["reason"] for e in case_events(rt, case_id, "step_deferred")]
    assert reasons == ["pacing"]


def test_deciding_a_flag_puts_its_cancelled_escalation_on_the_timeline(rt: Any) -> None:
    case_id = open_case(rt)
    with rt.session() as session:
        case = session.get(Case, case_id)
        assert case is not None
        flag = raise_flag(
            session, rt, case, "child_welfare_assessment", rt.now(), parse_offset("2wd")
        )
        session.commit()
        flag_id = flag.id
    with rt.session() as session:
        flag = session.get(Flag, flag_id)
        assert flag is not None
        decide_flag(
            session, rt, flag, decision="no_report", reason="Familien er nådd og får hjelp.",
            user=None,
        )  # fmt: skip
        session.commit()
    escalation = steps(rt, case_id)["flag_overdue"]
    cancelled = [
        e for e in case_events(rt, case_id, "step_cancelled") if e.step_id == escalation.id
    ]
    assert len(cancelled) == 1 and cancelled[0].data["reason"] == "flag decided"


class NeverSure:
    name = "sms"

    def send(self, message: Message) -> Delivery:
        raise TransientChannelError("read timeout after the request was sent", "ambiguous")

    def lookup(self, *args: Any, **kw: Any) -> Delivery | None:
        raise TransientChannelError("cannot look up", "cannot_tell")


def test_a_response_while_a_send_settles_leaves_the_attempt_unknown(rt: Any, clock: Any) -> None:
    case_id = _sms_ready(rt, clock)
    rt.channels["sms"] = NeverSure()
    tick(rt)
    work(rt)
    sms = steps(rt, case_id)["sms"]
    assert sms.status == "planned"  # waiting to poll the provider again
    with rt.session() as session:
        case = session.get(Case, case_id)
        assert case is not None
        cases_response.register_response(session, rt, case, channel="phone", note="Ringte selv.")
        session.commit()
        (attempt,) = session.scalars(select(Attempt).where(Attempt.step_id == sms.id))
        assert attempt.status == "unknown"  # not 'sending' forever
    assert steps(rt, case_id)["sms"].status == "cancelled"
    unsettled = case_events(rt, case_id, "attempt_unsettled")
    assert [e.step_id for e in unsettled] == [sms.id]
