"""The step job on a real RQ worker and a real Redis: once, and only once.

Covers principle 2 (exactly-once effects on at-least-once jobs): duplicate
jobs, Redis losing its jobs, provider errors, and a worker killed with
SIGKILL in the middle of a send.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from rq import Queue, SimpleWorker
from sqlalchemy import select

from channels.sms_twilio import TwilioSmsChannel
from outreach.config import REPO_ROOT
from outreach.intake.accept import accept_trigger
from outreach.intake.schema import load_trigger
from outreach.jobs.run_step import run_step
from outreach.jobs.tick import tick
from outreach.models import Attempt, Case, Event, Step
from tests.factories import trigger
from tests.stubs.twilio_stub import TwilioStub


def open_case(rt: Any, **overrides: Any) -> int:
    session = rt.new_session()
    try:
        return accept_trigger(session, rt, load_trigger(trigger(**overrides), now=rt.now())).case_id
    finally:
        session.close()


def work(rt: Any) -> None:
    queue = Queue(rt.settings.queue_name, connection=rt.redis())
    SimpleWorker([queue], connection=rt.redis()).work(burst=True)


def steps(rt: Any, case_id: int) -> dict[str, Step]:
    with rt.session() as s:
        return {st.rule: st for st in s.scalars(select(Step).where(Step.case_id == case_id))}


def outbox_files(rt: Any, channel: str) -> list[Path]:
    return sorted((rt.settings.outbox_dir / channel).glob("*.json"))


def test_tick_and_worker_send_each_letter_once(rt: Any, clock: Any) -> None:
    case_id = open_case(rt)
    report = tick(rt)
    assert len(report.enqueued) == 2  # letter + copy to the bailiff
    work(rt)
    by_rule = steps(rt, case_id)
    assert by_rule["letter"].status == "done"
    assert by_rule["copy_bailiff"].status == "done"
    assert len(outbox_files(rt, "letter")) == 2
    # The same job again (RQ ran it twice): nothing is claimed, nothing sent.
    assert run_step(by_rule["letter"].id) == "not_claimed"
    assert len(outbox_files(rt, "letter")) == 2
    with rt.session() as s:
        case = s.get(Case, case_id)
        assert case is not None and case.letter_sent_at == clock()
        # The letter's sending planned the next rungs.
        assert {"sms", "phone_task"} <= {
            st.rule for st in s.scalars(select(Step).where(Step.case_id == case_id))
        }


def test_nothing_is_due_before_its_time(rt: Any, clock: Any) -> None:
    case_id = open_case(rt)
    tick(rt)
    work(rt)
    clock.set(clock() + timedelta(days=6))
    # Only the three-working-day deadline check has come due.
    assert tick(rt).enqueued == [steps(rt, case_id)["letter_overdue_check"].id]
    clock.set(clock() + timedelta(days=1))
    enqueued = tick(rt).enqueued
    assert {steps(rt, case_id)[r].id for r in ("sms", "phone_task")} <= set(enqueued)


def test_redis_flushed_between_tick_and_worker_loses_nothing(rt: Any, clock: Any) -> None:
    case_id = open_case(rt)
    tick(rt)
    rt.redis().flushdb()  # a Redis restart without persistence
    work(rt)  # nothing to do: the jobs are gone
    assert steps(rt, case_id)["letter"].status == "queued"
    clock.set(clock() + timedelta(seconds=31))
    report = tick(rt)
    assert set(report.recovered) == {steps(rt, case_id)[r].id for r in ("letter", "copy_bailiff")}
    work(rt)
    assert steps(rt, case_id)["letter"].status == "done"
    assert len(outbox_files(rt, "letter")) == 2


def test_intake_works_while_redis_is_down(rt: Any) -> None:
    rt._redis = __import__("redis").Redis.from_url("redis://127.0.0.1:1")  # nothing listens
    case_id = open_case(rt)
    assert steps(rt, case_id)["letter"].status == "planned"


def test_interrupted_send_is_settled_not_repeated(rt: Any, clock: Any) -> None:
    """A run that died after writing its attempt: the next run looks it up."""
    case_id = open_case(rt)
    tick(rt)
    letter = steps(rt, case_id)["letter"]
    channel = rt.channel("letter")

    class DiesAfterSending:
        name = "letter"

        def send(self, message: Any) -> Any:
            channel.send(message)
            raise KeyboardInterrupt  # the process dies right after the provider accepted

        def lookup(self, *args: Any, **kw: Any) -> Any:
            return channel.lookup(*args, **kw)

    rt.channels["letter"] = DiesAfterSending()
    with pytest.raises(KeyboardInterrupt):
        run_step(letter.id)
    rt.channels["letter"] = channel
    assert steps(rt, case_id)["letter"].status == "running"
    clock.set(clock() + timedelta(seconds=rt.settings.step_lease_seconds + 1))
    assert letter.id in tick(rt).recovered
    work(rt)
    assert steps(rt, case_id)["letter"].status == "done"
    assert len(outbox_files(rt, "letter")) == 2  # letter + copy, no second letter
    with rt.session() as s:
        kinds = [e.kind for e in s.scalars(select(Event).where(Event.case_id == case_id))]
        attempts = s.scalars(select(Attempt).where(Attempt.step_id == letter.id)).all()
    assert "attempt_settled" in kinds, " ".join(kinds)
    assert len(attempts) == 1


def _sms_ready(rt: Any, clock: Any, **overrides: Any) -> int:
    case_id = open_case(rt, **overrides)
    tick(rt)
    work(rt)
    clock.set(clock() + timedelta(days=7))
    return case_id


def twilio_channel(stub: TwilioStub) -> TwilioSmsChannel:
    return TwilioSmsChannel(
        stub.account_sid,
        stub.auth_token,
        from_number=stub.from_number,
        base_url=stub.base_url,
        timeout=2.0,
    )


def test_transient_provider_error_is_retried_with_backoff(rt: Any, clock: Any) -> None:
    case_id = _sms_ready(rt, clock)
    with TwilioStub() as stub:
        rt.channels["sms"] = twilio_channel(stub)
        stub.fail_next(503, {"message": "unavailable"})
        tick(rt)
        work(rt)
        sms = steps(rt, case_id)["sms"]
        assert sms.status == "planned"
        assert sms.due_at == clock() + timedelta(minutes=1)
        clock.set(sms.due_at)
        tick(rt)
        work(rt)
        assert steps(rt, case_id)["sms"].status == "done"
        assert len(stub.creates()) == 2  # the first was refused by the provider
    with rt.session() as s:
        statuses = [
            a.status
            for a in s.scalars(
                select(Attempt).where(Attempt.step_id == sms.id).order_by(Attempt.try_no)
            )
        ]
    assert statuses == ["error", "queued"]


def test_permanent_error_fails_the_step_and_the_ladder_moves_on(rt: Any, clock: Any) -> None:
    case_id = _sms_ready(rt, clock)
    with TwilioStub() as stub:
        rt.channels["sms"] = twilio_channel(stub)
        stub.fail_with_code(400, 21211)  # invalid number
        tick(rt)
        work(rt)
    by_rule = steps(rt, case_id)
    assert by_rule["sms"].status == "failed"
    assert by_rule["sms"].detail == "invalid_number"
    assert by_rule["phone_task"].status == "done"
    # The home visit does not wait for a rung that cannot reach anyone.
    assert by_rule["home_visit"].due_at <= clock() + timedelta(hours=1)


def test_opted_out_number_is_remembered(rt: Any, clock: Any) -> None:
    case_id = _sms_ready(rt, clock)
    with TwilioStub() as stub:
        rt.channels["sms"] = twilio_channel(stub)
        stub.fail_with_code(400, 21610)
        tick(rt)
        work(rt)
    with rt.session() as s:
        case = s.get(Case, case_id)
        assert case is not None and case.person.sms_opted_out_at is not None


def test_response_cancels_pending_steps_and_they_never_send(
    rt: Any, clock: Any, client: Any, staff_token: str
) -> None:
    case_id = _sms_ready(rt, clock)
    response = client.post(
        f"/api/v1/cases/{case_id}/contacts",
        json={"channel": "phone", "note": "Hun ringte selv."},
        headers={"Authorization": f"Bearer {staff_token}"},
    )
    assert response.status_code == 201, response.json
    assert response.json["cancelled_steps"] >= 2
    tick(rt)
    work(rt)
    assert outbox_files(rt, "sms") == []
    assert steps(rt, case_id)["sms"].status == "cancelled"


def test_a_step_queued_before_the_response_does_not_send(
    rt: Any, clock: Any, client: Any, staff_token: str
) -> None:
    case_id = _sms_ready(rt, clock)
    tick(rt)  # the SMS job is in Redis now
    client.post(
        f"/api/v1/cases/{case_id}/contacts",
        json={"channel": "walk_in"},
        headers={"Authorization": f"Bearer {staff_token}"},
    )
    work(rt)
    assert outbox_files(rt, "sms") == []


def test_closing_cancels_everything(rt: Any, clock: Any, client: Any, staff_token: str) -> None:
    case_id = open_case(rt)
    response = client.post(
        f"/api/v1/cases/{case_id}/close",
        json={"outcome": "paid"},
        headers={"Authorization": f"Bearer {staff_token}"},
    )
    assert response.status_code == 200, response.json
    assert {st.status for st in steps(rt, case_id).values()} == {"cancelled"}
    tick(rt)
    work(rt)
    assert outbox_files(rt, "letter") == []


def test_repeat_case_after_close(rt: Any, clock: Any, client: Any, staff_token: str) -> None:
    first = open_case(rt)
    client.post(
        f"/api/v1/cases/{first}/close",
        json={"outcome": "payment_plan"},
        headers={"Authorization": f"Bearer {staff_token}"},
    )
    second = open_case(rt, source={"reference": "NF-2"})
    assert second != first
    with rt.session() as s:
        case = s.get(Case, second)
        assert case is not None and case.is_repeat


def test_matching_without_national_id(rt: Any) -> None:
    first = open_case(rt)
    # Same name, birth date and address (written differently): the same case.
    same = open_case(
        rt,
        source={"reference": "NF-2"},
        tenant={"name": "HASSAN, Amina", "address": {"street": "Tøyengt. 12"}},
    )
    assert same == first
    # Same name and birth date, another address: a new case and a review item.
    other = open_case(
        rt,
        source={"reference": "NF-3"},
        tenant={"address": {"street": "Grønlandsleiret 5", "postal_code": "0190"}},
    )
    assert other != first
    with rt.session() as s:
        case = s.get(Case, other)
        assert case is not None and case.needs_match_review


def test_timeline_api_shows_every_event(rt: Any, client: Any, staff_token: str) -> None:
    case_id = open_case(rt)
    tick(rt)
    work(rt)
    response = client.get(
        f"/api/v1/cases/{case_id}/timeline", headers={"Authorization": f"Bearer {staff_token}"}
    )
    events = [e["event"] for e in response.json]
    assert events[:3] == ["case_opened", "trigger_received", "routed"]
    assert "letter_sent" in events and "letter_copy_sent" in events


def test_other_districts_case_is_404(rt: Any, client: Any, staff_token: str) -> None:
    case_id = open_case(
        rt,
        tenant={"address": {"street": "Bygdøy allé 5", "postal_code": "0257"}},
        district="030105",
    )
    response = client.get(
        f"/api/v1/cases/{case_id}", headers={"Authorization": f"Bearer {staff_token}"}
    )
    assert response.status_code == 404


def _children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(p) for p in path.read_text().split()] if path.exists() else []


@pytest.mark.slow
def test_worker_killed_mid_send_sends_nothing_twice(rt: Any, clock: Any, settings: Any) -> None:
    """SIGKILL the worker (and its work horse) while Twilio holds the request."""
    case_id = _sms_ready(rt, clock)
    start, started = clock(), time.monotonic()
    with TwilioStub(clock=lambda: start + timedelta(seconds=time.monotonic() - started)) as stub:
        stub.stall_next(30.0)
        env = {
            **os.environ,
            "DATABASE_URL": settings.database_url,
            "REDIS_URL": settings.redis_url,
            "OUTREACH_QUEUE": settings.queue_name,
            "OUTREACH_VAR_DIR": str(settings.var_dir),
            "OUTREACH_WORKER_CLASS": "fork",
            "OUTREACH_CLOCK_START": clock().isoformat(),
            "OUTREACH_TICK_SECONDS": "3600",
            "TWILIO_ACCOUNT_SID": stub.account_sid,
            "TWILIO_AUTH_TOKEN": stub.auth_token,
            "TWILIO_FROM_NUMBER": stub.from_number,
            "TWILIO_BASE_URL": stub.base_url,
            "TWILIO_TIMEOUT_S": "60",
        }
        tick(rt)
        log_file = (settings.var_dir / "worker.log").open("w")
        worker = subprocess.Popen(
            [sys.executable, "-m", "outreach.cli", "worker", "--no-tick"],
            env=env,
            cwd=REPO_ROOT,
            start_new_session=True,
            stdout=subprocess.DEVNULL,
            stderr=log_file,
        )
        try:
            deadline = time.monotonic() + 60
            while not stub.creates() and time.monotonic() < deadline:
                time.sleep(0.1)
        finally:
            # The machine dies mid-request: the worker and its work horse
            # (RQ forks it into a session of its own, so kill it by pid).
            for pid in [*_children(worker.pid), worker.pid]:
                os.kill(pid, signal.SIGKILL)
            worker.wait(timeout=10)
            log_file.close()
        log = (settings.var_dir / "worker.log").read_text()
        assert stub.creates(), f"the worker never reached Twilio:\n{log[-3000:]}"
        sms = steps(rt, case_id)["sms"]
        assert sms.status == "running"
        # After the lease, the tick hands the step out again; this worker
        # settles the attempt by asking Twilio instead of sending again.
        rt.channels["sms"] = twilio_channel(stub)
        clock.set(clock() + timedelta(seconds=rt.settings.step_lease_seconds + 1))
        assert sms.id in tick(rt).recovered
        work(rt)
        assert len(stub.creates()) == 1
    assert steps(rt, case_id)["sms"].status == "done"
    with rt.session() as s:
        attempts = s.scalars(select(Attempt).where(Attempt.step_id == sms.id)).all()
        kinds = [
            e.kind
            for e in s.scalars(select(Event).where(Event.case_id == case_id).order_by(Event.id))
        ]
    assert (
        len(attempts) == 1
        and attempts[0].provider_ref
        and attempts[0].provider_ref.startswith("SM")
    )
    assert kinds.count("sms_sent") == 1
    assert "attempt_settled" in kinds, " ".join(kinds)
