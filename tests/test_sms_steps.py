"""Sending SMS steps when things go wrong: our own crashes, responses racing a
send, sends whose outcome cannot be told, opted-out and unusable numbers.

Real RQ, real Redis, the Twilio SDK against the local stub (issue 4 audit).
"""

from __future__ import annotations

import threading
import time
from typing import Any
from zoneinfo import ZoneInfo

from rq.job import Job
from sqlalchemy import select

from channels.base import Delivery, Message, TransientChannelError
from outreach.cases import response as cases_response
from outreach.inbound.receipts import apply_event, twilio_event
from outreach.inbound.sms_replies import receive_sms
from outreach.jobs.execute.outcome import SETTLE_FOR
from outreach.jobs.queue import step_job_id
from outreach.jobs.tick import tick
from outreach.ladder import steps as ladder_steps
from outreach.models import Attempt, Case, Event, Step
from outreach.models.sms import SmsOptOut
from outreach.reach.sms.pacing import Pacer
from tests.stubs.twilio_stub import TwilioStub
from tests.test_jobs import _sms_ready, open_case, outbox_files, steps, twilio_channel, work

OSLO = ZoneInfo("Europe/Oslo")
TENANT_PHONE = "+4741234567"  # tests.factories.trigger's tenant


def case_events(rt: Any, case_id: int, kind: str | None = None) -> list[Event]:
    with rt.session() as s:
        query = select(Event).where(Event.case_id == case_id).order_by(Event.id)
        if kind is not None:
            query = query.where(Event.kind == kind)
        return list(s.scalars(query))


def add_sms_step(rt: Any, case_id: int, rule: str, key: str, **params: Any) -> int:
    with rt.session() as s:
        step = ladder_steps.add_step(
            s,
            case_id,
            rule=rule,
            key=key,
            channel="sms",
            due_at=rt.now(),
            now=rt.now(),
            params=params,
        )
        s.commit()
        return step.id


def get_step(rt: Any, step_id: int) -> Step:
    with rt.session() as s:
        step = s.get(Step, step_id)
        assert step is not None
        return step


def attempts_of(rt: Any, step_id: int) -> list[Attempt]:
    with rt.session() as s:
        return list(
            s.scalars(select(Attempt).where(Attempt.step_id == step_id).order_by(Attempt.try_no))
        )


# -- 1: a crash of our own code ----------------------------------------------------


def test_a_step_whose_composing_raises_is_retried_then_fails_and_rq_records_it(
    rt: Any, clock: Any
) -> None:
    case_id = _sms_ready(rt, clock)
    for s in steps(rt, case_id).values():
        assert s.status in ("planned", "done", "cancelled")
    # A time on the step that is no time: composing the SMS raises ValueError.
    step_id = add_sms_step(rt, case_id, "sms", "sms:broken", when="next tuesday")
    max_tries = rt.settings.max_step_tries
    crashes = []
    for _run in range(3 * max_tries):  # some runs wait for the SMS window
        tick(rt)
        work(rt)
        step = get_step(rt, step_id)
        if step.status != "planned":
            break
        assert step.lease_until is None
        if not crashes or crashes[-1] != step.params["crashes"]:
            crashes.append(step.params["crashes"])
        clock.set(step.due_at)
    assert crashes == list(range(1, max_tries))
    assert step.params["crashes"] == max_tries
    assert step.status == "failed"
    assert step.detail == "internal_error"
    retries = [e.data for e in case_events(rt, case_id, "step_retry") if e.step_id == step_id]
    assert len(retries) == max_tries - 1
    assert all(r["reason"] == "internal_error" and r["error"] == "ValueError" for r in retries)
    failed = [e.data for e in case_events(rt, case_id, "step_failed") if e.step_id == step_id]
    assert failed == [
        {"rule": "sms", "reason": "internal_error", "error": "ValueError"}
    ]  # the type only: an exception's message may quote personal data
    assert attempts_of(rt, step_id) == []  # the attempt row was rolled back with the crash
    # RQ still saw the crash: it used the job's retry (Retry(max=1)), whose
    # run found the step handed back to the tick and claimed nothing.
    job = Job.fetch(step_job_id(rt, step_id, 1), connection=rt.redis())
    assert job.retries_left == 0
    assert job.return_value() == "not_claimed"


def test_a_crash_after_the_attempt_is_written_leaves_it_for_the_next_run(
    rt: Any, clock: Any
) -> None:
    """The provider may have been called: the attempt stays ``sending`` and the
    next run settles it instead of sending again."""
    case_id = _sms_ready(rt, clock)
    tick(rt)
    sms = steps(rt, case_id)["sms"]
    outbox = rt.channel("sms")

    class CrashesAfterSending:
        name = "sms"

        def send(self, message: Message) -> Delivery:
            outbox.send(message)
            raise RuntimeError("a bug after the provider accepted")

        def lookup(self, *args: Any, **kw: Any) -> Delivery | None:
            return outbox.lookup(*args, **kw)

    rt.channels["sms"] = CrashesAfterSending()
    work(rt)
    step = get_step(rt, sms.id)
    assert step.status == "planned" and step.params["crashes"] == 1
    assert [a.status for a in attempts_of(rt, sms.id)] == ["sending"]
    rt.channels["sms"] = outbox
    clock.set(step.due_at)
    tick(rt)
    work(rt)
    assert get_step(rt, sms.id).status == "done"
    assert len(outbox_files(rt, "sms")) == 1  # settled, not sent twice
    assert len(attempts_of(rt, sms.id)) == 1


# -- 2: a response racing a running job ----------------------------------------------


def _respond(rt: Any, case_id: int) -> None:
    session = rt.new_session()
    try:
        case = session.get(Case, case_id)
        assert case is not None
        cases_response.register_response(session, rt, case, channel="phone", note="Ringte selv.")
        session.commit()
    finally:
        session.close()


def test_a_response_during_pacing_stops_the_send(rt: Any, clock: Any) -> None:
    case_id = _sms_ready(rt, clock)
    with TwilioStub() as stub:
        rt.channels["sms"] = twilio_channel(stub)
        # Another worker has just used the sender: this job waits its turn.
        Pacer(rt.redis(), 1.0, namespace=rt.settings.redis_namespace).reserve("sms", 2)
        tick(rt)
        responder = threading.Timer(0.5, _respond, args=(rt, case_id))
        responder.start()
        started = time.monotonic()
        work(rt)
        responder.join()
        assert time.monotonic() - started >= 1.0  # the job did sleep through the response
        assert stub.creates() == []
    sms = steps(rt, case_id)["sms"]
    assert sms.status == "cancelled"
    assert attempts_of(rt, sms.id) == []


def test_a_response_while_the_provider_is_called_is_not_overwritten(rt: Any, clock: Any) -> None:
    case_id = _sms_ready(rt, clock)
    tick(rt)
    outbox = rt.channel("sms")

    class ResponseArrivesMeanwhile:
        name = "sms"

        def send(self, message: Message) -> Delivery:
            _respond(rt, case_id)  # the tenant calls in while Twilio holds the request
            return outbox.send(message)

        def lookup(self, *args: Any, **kw: Any) -> Delivery | None:
            return outbox.lookup(*args, **kw)

    rt.channels["sms"] = ResponseArrivesMeanwhile()
    work(rt)
    sms = steps(rt, case_id)["sms"]
    assert sms.status == "cancelled"  # not overwritten with done
    assert [a.status for a in attempts_of(rt, sms.id)] == ["sent"]
    sent = [e.data for e in case_events(rt, case_id, "sms_sent")]
    assert sent and sent[0]["step_status"] == "cancelled"  # the SMS did go out: on the timeline


# -- 3: sends whose outcome cannot be told --------------------------------------------


class NeverSure:
    """A provider that timed out on the create and cannot be asked (SendGrid)."""

    name = "sms"

    def __init__(self) -> None:
        self.sends = 0
        self.lookups = 0

    def send(self, message: Message) -> Delivery:
        self.sends += 1
        raise TransientChannelError("read timeout after the request was sent", "ambiguous")

    def lookup(self, *args: Any, **kw: Any) -> Delivery | None:
        self.lookups += 1
        raise TransientChannelError("cannot look up", "cannot_tell")


def test_an_ambiguous_send_is_settled_until_a_deadline_then_left_unknown(
    rt: Any, clock: Any
) -> None:
    case_id = _sms_ready(rt, clock)
    channel = NeverSure()
    rt.channels["sms"] = channel
    tick(rt)
    work(rt)
    planned_visit = steps(rt, case_id)["home_visit"].due_at  # planned as contact started
    sms = steps(rt, case_id)["sms"]
    started = attempts_of(rt, sms.id)[0].created_at
    runs = 1
    while get_step(rt, sms.id).status == "planned":
        assert runs < 30, "settling never ends"
        clock.set(get_step(rt, sms.id).due_at)
        tick(rt)
        work(rt)
        runs += 1
    assert channel.sends == 1  # never sent again
    step = get_step(rt, sms.id)
    assert step.status == "done" and step.detail == "outcome_unknown"
    assert step.tries == 1
    assert clock() >= started + SETTLE_FOR
    (attempt,) = attempts_of(rt, sms.id)
    assert attempt.status == "unknown"
    kinds = [e.kind for e in case_events(rt, case_id) if e.step_id == sms.id]
    assert "step_retry" not in kinds  # polls put nothing on the timeline
    assert kinds.count("attempt_unsettled") == 1
    assert "step_failed" not in kinds  # we do not claim a failure
    # ...but the ladder moves on as after one.
    assert steps(rt, case_id)["home_visit"].due_at < planned_visit
    # A late receipt still settles it.
    applied = apply_event(
        rt.new_session(),
        rt,
        twilio_event(
            {"MessageSid": "SM" + "1" * 32, "MessageStatus": "delivered"},
            f"attempt-{attempt.id}",
            rt.now(),
        ),
    )
    assert applied.result == "moved" and applied.status == "delivered"


def test_an_ambiguous_send_on_the_last_try_is_not_a_failure(rt: Any, clock: Any) -> None:
    case_id = _sms_ready(rt, clock)
    with rt.session() as s:
        sms = s.scalars(select(Step).where(Step.case_id == case_id, Step.rule == "sms")).one()
        sms.tries = rt.settings.max_step_tries - 1
        s.commit()
    rt.channels["sms"] = NeverSure()
    tick(rt)
    work(rt)
    step = get_step(rt, sms.id)
    assert step.status == "planned"  # settling, not "failed" / gave_up
    assert [a.status for a in attempts_of(rt, sms.id)] == ["sending"]


# -- 4 and 5: the number, not the person ------------------------------------------------


def _stop_from(rt: Any, number: str, body: str = "STOP", sid: str = "SMstop") -> str:
    session = rt.new_session()
    try:
        return receive_sms(session, rt, message_sid=sid, from_number=number, body=body).outcome
    finally:
        session.close()


def opt_out_rows(rt: Any) -> list[SmsOptOut]:
    with rt.session() as s:
        return list(s.scalars(select(SmsOptOut).order_by(SmsOptOut.id)))


def test_stop_from_an_unknown_number_keeps_a_later_case_from_getting_sms(
    rt: Any, clock: Any
) -> None:
    assert _stop_from(rt, TENANT_PHONE) == "opt_out"
    (row,) = opt_out_rows(rt)
    assert row.kind == "opt_out" and row.source == "tenant" and row.withdrawn_at is None
    assert TENANT_PHONE not in row.number_hmac and len(row.number_hmac) == 64
    case_id = _sms_ready(rt, clock)
    tick(rt)
    work(rt)
    sms = steps(rt, case_id)["sms"]
    assert sms.status == "skipped" and sms.detail == "opted out of SMS"
    assert outbox_files(rt, "sms") == []


def test_start_withdraws_the_numbers_opt_out(rt: Any, clock: Any) -> None:
    _stop_from(rt, TENANT_PHONE)
    assert _stop_from(rt, TENANT_PHONE, "START", sid="SMstart") == "opt_in"
    (row,) = opt_out_rows(rt)
    assert row.withdrawn_at == clock()
    case_id = _sms_ready(rt, clock)
    tick(rt)
    work(rt)
    assert steps(rt, case_id)["sms"].status == "done"


def test_twilio_21610_opts_the_number_out_on_the_timeline_and_for_other_people(
    rt: Any, clock: Any
) -> None:
    case_id = _sms_ready(rt, clock)
    with TwilioStub() as stub:
        rt.channels["sms"] = twilio_channel(stub)
        stub.fail_with_code(400, 21610)
        tick(rt)
        work(rt)
    opted = [e.data for e in case_events(rt, case_id, "sms_opted_out")]
    assert opted and opted[0]["source"] == "carrier"
    (row,) = opt_out_rows(rt)
    assert row.kind == "opt_out" and row.source == "carrier"
    # Another household, same number (a shared phone, a new tenancy): no SMS.
    other = open_case(
        rt,
        source={"reference": "NF-2"},
        tenant={"name": "Per Hansen", "birth_date": "1980-02-02"},
    )
    with rt.session() as s:
        case = s.get(Case, other)
        assert case is not None and case.person.phone == TENANT_PHONE
        assert case.person.sms_opted_out_at is None
    step_id = add_sms_step(rt, other, "sms", "sms:other")
    tick(rt)
    work(rt)
    assert get_step(rt, step_id).status == "skipped"
    assert get_step(rt, step_id).detail == "opted out of SMS"


def test_an_invalid_number_ends_the_sms_path(rt: Any, clock: Any) -> None:
    case_id = _sms_ready(rt, clock)
    with TwilioStub() as stub:
        rt.channels["sms"] = twilio_channel(stub)
        stub.fail_with_code(400, 21211)
        tick(rt)
        work(rt)
        assert steps(rt, case_id)["sms"].status == "failed"
        unusable = [e.data for e in case_events(rt, case_id, "sms_number_unusable")]
        assert [u["reason"] for u in unusable] == ["invalid_number"]
        later = add_sms_step(rt, case_id, "sms", "sms:later")
        tick(rt)
        work(rt)
        assert len(stub.creates()) == 1  # the later SMS never reached Twilio
    assert get_step(rt, later).status == "skipped"
    assert get_step(rt, later).detail == "number cannot receive SMS"


def test_a_receipt_saying_landline_ends_the_sms_path(rt: Any, clock: Any) -> None:
    case_id = _sms_ready(rt, clock)
    with TwilioStub() as stub:
        rt.channels["sms"] = twilio_channel(stub)
        tick(rt)
        work(rt)
        (attempt,) = attempts_of(rt, steps(rt, case_id)["sms"].id)
        assert attempt.provider_ref is not None
        event = twilio_event(
            {
                "MessageSid": attempt.provider_ref,
                "MessageStatus": "undelivered",
                "ErrorCode": "30006",
            },
            f"attempt-{attempt.id}",
            rt.now(),
        )
        assert apply_event(rt.new_session(), rt, event).status == "undelivered"
        assert [e.data["reason"] for e in case_events(rt, case_id, "sms_number_unusable")] == [
            "landline"
        ]
        later = add_sms_step(rt, case_id, "sms", "sms:later")
        tick(rt)
        work(rt)
        assert len(stub.creates()) == 1
    assert get_step(rt, later).detail == "number cannot receive SMS"


def test_a_phone_switched_off_does_not_end_the_sms_path(rt: Any, clock: Any) -> None:
    """30003 is also a phone that is off or out of coverage: the next SMS still goes."""
    case_id = _sms_ready(rt, clock)
    with TwilioStub() as stub:
        rt.channels["sms"] = twilio_channel(stub)
        tick(rt)
        work(rt)
        (attempt,) = attempts_of(rt, steps(rt, case_id)["sms"].id)
        event = twilio_event(
            {
                "MessageSid": attempt.provider_ref,
                "MessageStatus": "undelivered",
                "ErrorCode": "30003",
            },
            f"attempt-{attempt.id}",
            rt.now(),
        )
        assert apply_event(rt.new_session(), rt, event).status == "undelivered"
        assert case_events(rt, case_id, "sms_number_unusable") == []
        later = add_sms_step(rt, case_id, "sms", "sms:later")
        tick(rt)
        work(rt)
        assert len(stub.creates()) == 2
    assert get_step(rt, later).status == "done"


def test_a_foreign_landline_is_skipped(rt: Any, clock: Any) -> None:
    case_id = _sms_ready(rt, clock, tenant={"phone": "+46812345678"})  # Stockholm, fixed line
    tick(rt)
    work(rt)
    sms = steps(rt, case_id)["sms"]
    assert sms.status == "skipped" and sms.detail == "not a mobile number"


def test_a_foreign_mobile_gets_the_sms(rt: Any, clock: Any) -> None:
    case_id = _sms_ready(rt, clock, tenant={"phone": "+46701234567"})  # Swedish mobile
    tick(rt)
    work(rt)
    assert steps(rt, case_id)["sms"].status == "done"
