"""The provider status machine on its own: parsing, ranks, attempts still sending."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from outreach import attempts
from outreach.attempts import settled_status
from outreach.inbound import receipts
from outreach.inbound.receipts import apply_event, sendgrid_event, twilio_event
from tests.test_webhooks_support import (
    get_attempt,
    history,
    kinds,
    letter_sent,
    make_attempt,
    open_case,
    run_due,
    steps,
)

SID = "SM" + "12" * 16
NOW = datetime(2026, 12, 8, 9, 0, tzinfo=UTC)


def apply(rt: Any, event: Any) -> receipts.Applied:
    session = rt.new_session()
    try:
        return apply_event(session, rt, event)
    finally:
        session.close()


def tw(status: str, attempt_id: int | None = None, **form: str) -> receipts.ProviderEvent:
    event = twilio_event(
        {"MessageSid": SID, "MessageStatus": status, **form},
        f"attempt-{attempt_id}" if attempt_id else None,
        NOW,
    )
    assert event is not None
    return event


@pytest.mark.parametrize(
    ("raw", "ours"),
    [
        ("accepted", "queued"),
        ("queued", "queued"),
        ("sending", "queued"),
        ("sent", "sent"),
        ("delivered", "delivered"),
        ("read", "delivered"),
        ("undelivered", "undelivered"),
        ("failed", "failed"),
        ("canceled", "failed"),
        ("receiving", None),
    ],
)
def test_twilio_statuses(raw: str, ours: str | None) -> None:
    event = twilio_event({"MessageSid": SID, "MessageStatus": raw}, None, NOW)
    assert event is not None and event.status == ours
    assert event.event_id == f"twilio:{SID}:{raw}"


def test_twilio_event_needs_sid_and_status() -> None:
    assert twilio_event({"MessageStatus": "sent"}, None, NOW) is None
    assert twilio_event({"MessageSid": SID}, None, NOW) is None


def test_sendgrid_event_parsing() -> None:
    bounce = sendgrid_event(
        {
            "event": "bounce",
            "timestamp": 1796716800,
            "sg_event_id": "e1",
            "sg_message_id": "abc.filter1",
            "attempt_id": "attempt-7",
            "type": "bounce",
            "status": "5.1.1",
            "reason": "550 no such user x@y.no",
        },
        NOW,
    )
    assert bounce is not None
    assert (bounce.status, bounce.provider_ref, bounce.attempt_key, bounce.error_code) == (
        "bounced",
        "abc",
        "attempt-7",
        "5.1.1",
    )
    assert bounce.at == datetime.fromtimestamp(1796716800, tz=UTC)
    assert bounce.address_unusable and "x@y.no" not in bounce.detail
    assert sendgrid_event({"event": "open", "sg_event_id": "e2"}, NOW) is None
    deferred = sendgrid_event(
        {"event": "deferred", "sg_message_id": "abc.f", "timestamp": "bad"}, NOW
    )
    assert deferred is not None and deferred.status is None and deferred.at == NOW
    assert deferred.event_id.startswith("sendgrid:abc:deferred:")


def test_final_states_rank_above_everything() -> None:
    assert all(attempts.RANK[s] == max(attempts.RANK.values()) for s in attempts.FINAL)
    assert attempts.FAILURES < attempts.FINAL


def test_attempt_still_sending_keeps_its_status_for_the_job(rt: Any, clock: Any) -> None:
    """The callback beat the job's commit: history and provider ref only."""
    case_id = open_case(rt)
    attempt_id = make_attempt(rt, case_id, status="sending", provider_ref=None)
    assert apply(rt, tw("sent", attempt_id)).result == "recorded"
    assert apply(rt, tw("delivered", attempt_id)).result == "recorded"
    attempt = get_attempt(rt, attempt_id)
    assert (attempt.status, attempt.provider_ref) == ("sending", SID)
    assert history(rt, attempt_id) == ["sent", "delivered"]
    # What the job should record when it commits Twilio's first answer, "queued".
    with rt.session() as s:
        assert settled_status(s, attempt_id, "queued") == "delivered"
        assert settled_status(s, attempt_id, "failed") == "failed"
    assert kinds(rt, case_id).count("sms_delivered") == 1


def test_failure_while_sending_still_moves_the_ladder_once(rt: Any, clock: Any) -> None:
    case_id = letter_sent(rt)
    clock.set(clock() + timedelta(days=7))
    run_due(rt)
    visit = steps(rt, case_id)["home_visit"]
    assert visit.due_at > clock() + timedelta(days=1)
    attempt_id = make_attempt(rt, case_id, status="sending")
    assert apply(rt, tw("undelivered", attempt_id, ErrorCode="30005")).result == "recorded"
    assert apply(rt, tw("failed", attempt_id, ErrorCode="30005")).result == "recorded"
    assert steps(rt, case_id)["home_visit"].due_at == clock()
    assert kinds(rt, case_id).count("sms_undelivered") == 1
    assert "sms_failed" not in kinds(rt, case_id)


def test_attempt_the_job_gave_up_on_is_not_revived(rt: Any) -> None:
    attempt_id = make_attempt(rt, open_case(rt), status="error", provider_ref=SID)
    assert apply(rt, tw("delivered", attempt_id)).result == "recorded"
    assert get_attempt(rt, attempt_id).status == "error"


def test_key_naming_an_attempt_with_another_message_is_ignored(rt: Any) -> None:
    attempt_id = make_attempt(rt, open_case(rt), provider_ref="SM" + "99" * 16)
    assert apply(rt, tw("delivered", attempt_id)).result == "unknown"
    assert get_attempt(rt, attempt_id).status == "queued"


def test_duplicate_is_reported(rt: Any) -> None:
    attempt_id = make_attempt(rt, open_case(rt), provider_ref=SID)
    assert apply(rt, tw("sent", attempt_id)).result == "moved"
    assert apply(rt, tw("sent", attempt_id)).result == "duplicate"
    assert apply(rt, tw("queued", attempt_id)).result == "recorded"
    assert get_attempt(rt, attempt_id).status == "sent"


def test_racing_receipts_never_move_backwards(rt: Any) -> None:
    """Two webhook requests at once, each in its own session and thread."""
    import threading

    case_id = open_case(rt)
    for round_no in range(5):
        sid = f"SM{round_no:02d}" + "ab" * 15
        attempt_id = make_attempt(rt, case_id, provider_ref=sid)
        barrier = threading.Barrier(3)
        results: list[str] = []

        def send(
            status: str,
            sid: str = sid,
            attempt_id: int = attempt_id,
            barrier: threading.Barrier = barrier,
            results: list[str] = results,
        ) -> None:
            event = twilio_event(
                {"MessageSid": sid, "MessageStatus": status}, f"attempt-{attempt_id}", NOW
            )
            barrier.wait()
            results.append(apply(rt, event).result)

        threads = [
            threading.Thread(target=send, args=(s,)) for s in ("delivered", "sent", "delivered")
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert get_attempt(rt, attempt_id).status == "delivered"
        assert results.count("duplicate") == 1
        assert sorted(history(rt, attempt_id)) == ["delivered", "sent"]
    assert kinds(rt, case_id).count("sms_delivered") == 5
