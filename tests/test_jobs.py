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
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from rq import Queue, SimpleWorker
from sqlalchemy import select

from channels.sms_twilio import TwilioSmsChannel
from outreach.config import REPO_ROOT
from outreach.intake.accept import accept_trigger
from outreach.intake.schema import load_trigger
from outreach.jobs.run_step import run_step
from outreach.jobs.tick import tick
from outreach.models import Attempt, Case, District, Event, PrintItem, Step
from outreach.reach.letter.batches import open_batches, post_batch, render_batch
from tests.factories import trigger
from tests.stubs.twilio_stub import TwilioStub

OSLO = ZoneInfo("Europe/Oslo")


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


def post_letters(rt: Any, *, pdf: bool = False) -> None:
    """Staff render and post every open print batch."""
    with rt.session() as session:
        for batch in open_batches(session):
            if batch.status == "open":
                render_batch(session, rt, batch.id, pdf=pdf)
            post_batch(session, rt, batch.id, actor="kari")


def print_items(rt: Any) -> list[PrintItem]:
    with rt.session() as s:
        return list(s.scalars(select(PrintItem).order_by(PrintItem.id)))


def outbox_files(rt: Any, channel: str) -> list[Path]:
    return sorted((rt.settings.outbox_dir / channel).glob("*.json"))


def test_tick_and_worker_batch_each_letter_once_and_posting_sends_it(rt: Any, clock: Any) -> None:
    case_id = open_case(rt)
    report = tick(rt)
    assert len(report.enqueued) == 2  # letter + copy to the bailiff
    work(rt)
    by_rule = steps(rt, case_id)
    assert by_rule["letter"].status == "waiting"  # in the print batch, not yet posted
    assert by_rule["copy_bailiff"].status == "waiting"
    assert [i.audience for i in print_items(rt)] == ["tenant", "copy_bailiff"]
    # The same job again (RQ ran it twice): nothing is claimed, nothing added.
    assert run_step(by_rule["letter"].id) == "not_claimed"
    assert len(print_items(rt)) == 2
    clock.set(clock() + timedelta(hours=6))
    post_letters(rt)
    with rt.session() as s:
        case = s.get(Case, case_id)
        assert case is not None and case.letter_sent_at == clock()
        # Posting the letter planned the next rungs, a week from the posting.
        planned = {st.rule: st for st in s.scalars(select(Step).where(Step.case_id == case_id))}
    assert planned["letter"].status == "done"
    assert planned["sms"].due_at == clock() + timedelta(days=7)


def test_posting_renders_real_letters_with_a_hash_on_the_timeline(rt: Any, clock: Any) -> None:
    from pypdf import PdfReader

    case_id = open_case(rt)
    tick(rt)
    work(rt)
    post_letters(rt, pdf=True)
    items = print_items(rt)
    assert all(i.status == "posted" and i.pdf_sha256 for i in items)
    tenant_pdf = Path(items[0].pdf_path or "")
    text = " ".join(p.extract_text() for p in PdfReader(tenant_pdf).pages)
    assert "Kari Nordmann" in text  # the district's duty contact, named in the letter
    assert "OUT-2026-" in text
    with rt.session() as s:
        rendered = [
            e.data
            for e in s.scalars(
                select(Event).where(Event.case_id == case_id, Event.kind == "letter_rendered")
            )
        ]
    assert {e["sha256"] for e in rendered} == {i.pdf_sha256 for i in items}


def test_letter_without_a_contact_person_is_blocked_before_printing(rt: Any) -> None:
    with rt.session() as s:
        district = s.get(District, "030101")
        assert district is not None
        district.duty_contact_name = ""
    case_id = open_case(rt)
    tick(rt)
    work(rt)
    letter = steps(rt, case_id)["letter"]
    assert (letter.status, letter.detail) == ("failed", "missing_contact_person")
    assert [i.audience for i in print_items(rt)] == ["copy_bailiff"]


def test_response_withdraws_a_batched_letter(rt: Any, client: Any, staff_token: str) -> None:
    case_id = open_case(rt)
    tick(rt)
    work(rt)
    client.post(
        f"/api/v1/cases/{case_id}/contacts",
        json={"channel": "walk_in"},
        headers={"Authorization": f"Bearer {staff_token}"},
    )
    post_letters(rt)
    statuses = {i.audience: i.status for i in print_items(rt)}
    # The tenant's letter is pulled, and its copy with it: the copy would tell
    # the bailiff NAV has written to the tenant (issue 12, item 9).
    assert statuses == {"tenant": "withdrawn", "copy_bailiff": "withdrawn"}


def test_nothing_is_due_before_its_time(rt: Any, clock: Any) -> None:
    case_id = open_case(rt)
    tick(rt)
    work(rt)
    clock.set(clock() + timedelta(hours=6))
    post_letters(rt)  # Tue 1 Dec 16:00
    clock.set(clock() + timedelta(days=6))
    # Only the three-working-day deadline check has come due.
    assert tick(rt).enqueued == [steps(rt, case_id)["letter_overdue_check"].id]
    clock.set(clock() + timedelta(days=1))
    # A week after posting: the SMS; the phone task waits for working hours.
    assert tick(rt).enqueued == [steps(rt, case_id)["sms"].id]
    clock.set(clock() + timedelta(hours=16))
    assert tick(rt).enqueued == [steps(rt, case_id)["phone_task"].id]


def test_redis_flushed_between_tick_and_worker_loses_nothing(rt: Any, clock: Any) -> None:
    case_id = open_case(rt)
    tick(rt)
    # A Redis restart without persistence: this run's queue and jobs vanish
    # (only ours: other test runs may share this Redis).
    redis = rt.redis()
    name = rt.settings.queue_name
    redis.delete(*redis.keys(f"rq:job:{name}-*"), *redis.keys(f"rq:queue:{name}*"))
    work(rt)  # nothing to do: the jobs are gone
    assert steps(rt, case_id)["letter"].status == "queued"
    clock.set(clock() + timedelta(seconds=31))
    report = tick(rt)
    assert set(report.recovered) == {steps(rt, case_id)[r].id for r in ("letter", "copy_bailiff")}
    work(rt)
    assert steps(rt, case_id)["letter"].status == "waiting"
    assert len(print_items(rt)) == 2


def test_intake_works_while_redis_is_down(rt: Any) -> None:
    rt._redis = __import__("redis").Redis.from_url("redis://127.0.0.1:1")  # nothing listens
    case_id = open_case(rt)
    assert steps(rt, case_id)["letter"].status == "planned"


def test_interrupted_send_is_settled_not_repeated(rt: Any, clock: Any) -> None:
    """A run that died after the provider accepted: the next run looks it up."""
    case_id = _sms_ready(rt, clock)
    tick(rt)
    sms = steps(rt, case_id)["sms"]
    channel = rt.channel("sms")

    class DiesAfterSending:
        name = "sms"

        def send(self, message: Any) -> Any:
            channel.send(message)
            raise KeyboardInterrupt  # the process dies right after the provider accepted

        def lookup(self, *args: Any, **kw: Any) -> Any:
            return channel.lookup(*args, **kw)

    rt.channels["sms"] = DiesAfterSending()
    with pytest.raises(KeyboardInterrupt):
        run_step(sms.id)
    rt.channels["sms"] = channel
    assert steps(rt, case_id)["sms"].status == "running"
    clock.set(clock() + timedelta(seconds=rt.settings.step_lease_seconds + 1))
    assert sms.id in tick(rt).recovered
    work(rt)
    assert steps(rt, case_id)["sms"].status == "done"
    assert len(outbox_files(rt, "sms")) == 1
    with rt.session() as s:
        kinds = [e.kind for e in s.scalars(select(Event).where(Event.case_id == case_id))]
        attempts = s.scalars(select(Attempt).where(Attempt.step_id == sms.id)).all()
    assert "attempt_settled" in kinds
    assert len(attempts) == 1


def _sms_ready(rt: Any, clock: Any, **overrides: Any) -> int:
    case_id = open_case(rt, **overrides)
    tick(rt)
    work(rt)
    clock.set(clock() + timedelta(hours=6))  # 16:00: the batch goes in the post
    post_letters(rt)
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
    assert by_rule["phone_task"].status == "planned"  # the call still happens
    # The home visit does not wait two working days for a rung that cannot
    # reach anyone: it moves to the next working-hours morning.
    assert by_rule["home_visit"].due_at == datetime(2026, 12, 9, 8, 0, tzinfo=OSLO)


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
    assert events.count("letter_batched") == 2


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
            "OUTREACH_ENV": "test",  # a DATABASE_URL without it is production
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
        # The worker's clock ran on while it started (seconds on a busy machine).
        assert sms.lease_until is not None
        clock.set(sms.lease_until + timedelta(seconds=1))
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
