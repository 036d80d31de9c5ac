"""SendGrid's Event Webhook: ECDSA over timestamp + raw body, fresh, deduplicated."""

from __future__ import annotations

from typing import Any

from tests.stubs.signing import SendGridSigner
from tests.test_webhooks_support import (
    configure_providers,
    get_attempt,
    get_case,
    history,
    kinds,
    make_attempt,
    open_case,
    post_sendgrid,
    sendgrid_body,
)

EMAIL = "amina@example.no"
MESSAGE_ID = "W9hHo6kwR-Kc6Ec1P9H-Mw"  # X-Message-Id


def email_attempt(rt: Any, **kw: Any) -> tuple[int, int]:
    case_id = open_case(rt, tenant={"email": EMAIL})
    defaults: dict[str, Any] = {
        "channel": "email",
        "rule": "email_copy",
        "status": "accepted",
        "provider_ref": MESSAGE_ID,
        "recipient": EMAIL,
    }
    return case_id, make_attempt(rt, case_id, **{**defaults, **kw})


def event(attempt_id: int, kind: str, at: int, event_id: str, **extra: Any) -> dict[str, Any]:
    return {
        "email": EMAIL,
        "timestamp": at,
        "event": kind,
        "sg_event_id": event_id,
        "sg_message_id": f"{MESSAGE_ID}.filterdrecv-p3mdw1-756b745b58-kmzbl-18-5F5FC76C-9.0",
        "attempt_id": f"attempt-{attempt_id}",
        "smtp-id": "<14c5d75ce93.dfd.64b469@ismtpd-555>",
        **extra,
    }


def now_ts(clock: Any, delta_s: int = 0) -> str:
    return str(int(clock().timestamp()) + delta_s)


def test_signed_events_are_applied(rt: Any, client: Any, clock: Any) -> None:
    signer = configure_providers(rt)
    case_id, attempt_id = email_attempt(rt)
    at = int(clock().timestamp())
    raw = sendgrid_body(
        event(attempt_id, "processed", at, "ev-1"),
        event(attempt_id, "delivered", at + 2, "ev-2", response="250 OK"),
        {"event": "open", "sg_event_id": "ev-3", "timestamp": at},  # not tracked
    )
    response = post_sendgrid(client, signer, raw, now_ts(clock))
    assert response.status_code == 200, response.data
    assert response.json == {"recorded": 1, "moved": 1, "ignored": 1}
    assert get_attempt(rt, attempt_id).status == "delivered"
    assert history(rt, attempt_id) == ["processed", "delivered"]
    assert kinds(rt, case_id).count("email_delivered") == 1


def test_found_by_message_id_without_custom_args(rt: Any, client: Any, clock: Any) -> None:
    signer = configure_providers(rt)
    _case_id, attempt_id = email_attempt(rt)
    item = event(attempt_id, "delivered", int(clock().timestamp()), "ev-1")
    del item["attempt_id"]
    assert post_sendgrid(client, signer, sendgrid_body(item), now_ts(clock)).status_code == 200
    assert get_attempt(rt, attempt_id).status == "delivered"


def test_forged_tampered_and_stale_requests_are_refused(rt: Any, client: Any, clock: Any) -> None:
    signer = configure_providers(rt)
    _case_id, attempt_id = email_attempt(rt)
    raw = sendgrid_body(
        event(attempt_id, "bounce", int(clock().timestamp()), "ev-1", type="bounce")
    )
    # Signed by another key.
    assert post_sendgrid(client, SendGridSigner(), raw, now_ts(clock)).status_code == 403
    # The body changed after signing (even only its spacing: the raw bytes are signed).
    headers = signer.headers(raw, now_ts(clock))
    tampered = raw.replace(b'"bounce"', b'"delivered"')
    assert (
        client.post("/webhooks/sendgrid/events", data=tampered, headers=headers).status_code == 403
    )
    assert (
        client.post("/webhooks/sendgrid/events", data=raw + b" ", headers=headers).status_code
        == 403
    )
    # A captured request replayed ten minutes later, or dated in the future.
    assert post_sendgrid(client, signer, raw, now_ts(clock, -600)).status_code == 403
    assert post_sendgrid(client, signer, raw, now_ts(clock, +600)).status_code == 403
    # No signature headers.
    assert client.post("/webhooks/sendgrid/events", data=raw).status_code == 403
    attempt = get_attempt(rt, attempt_id)
    assert attempt.status == "accepted"
    assert history(rt, attempt_id) == []


def test_refused_when_no_public_key_is_configured(rt: Any, client: Any, clock: Any) -> None:
    signer = SendGridSigner()
    _case_id, attempt_id = email_attempt(rt)
    raw = sendgrid_body(event(attempt_id, "delivered", int(clock().timestamp()), "ev-1"))
    assert post_sendgrid(client, signer, raw, now_ts(clock)).status_code == 403


def test_replays_are_harmless(rt: Any, client: Any, clock: Any) -> None:
    signer = configure_providers(rt)
    case_id, attempt_id = email_attempt(rt)
    at = int(clock().timestamp())
    raw = sendgrid_body(event(attempt_id, "delivered", at, "ev-1"))
    assert post_sendgrid(client, signer, raw, now_ts(clock)).json == {"moved": 1}
    # The same request again inside the freshness window ...
    assert post_sendgrid(client, signer, raw, now_ts(clock)).json == {"duplicate": 1}
    # ... and the same event under a new sg_event_id (sendgrid/docs#2933).
    again = sendgrid_body(event(attempt_id, "delivered", at, "ev-1-again"))
    assert post_sendgrid(client, signer, again, now_ts(clock, 30)).json == {"duplicate": 1}
    assert history(rt, attempt_id) == ["delivered"]
    assert kinds(rt, case_id).count("email_delivered") == 1


def test_bounce_marks_the_address_invalid(rt: Any, client: Any, clock: Any) -> None:
    signer = configure_providers(rt)
    case_id, attempt_id = email_attempt(rt)
    raw = sendgrid_body(
        event(
            attempt_id,
            "bounce",
            int(clock().timestamp()),
            "ev-1",
            type="bounce",
            status="5.1.1",
            reason="550 5.1.1 no such user amina@example.no",
        )
    )
    assert post_sendgrid(client, signer, raw, now_ts(clock)).status_code == 200
    attempt = get_attempt(rt, attempt_id)
    assert (attempt.status, attempt.error_code) == ("bounced", "5.1.1")
    assert EMAIL not in attempt.detail
    case = get_case(rt, case_id)
    assert case.person.email_invalid_at == clock()
    assert {"email_bounced", "email_marked_invalid"} <= set(kinds(rt, case_id))
    # A later "delivered" for the same message cannot undo the bounce.
    raw = sendgrid_body(event(attempt_id, "delivered", int(clock().timestamp()) + 5, "ev-2"))
    post_sendgrid(client, signer, raw, now_ts(clock))
    assert get_attempt(rt, attempt_id).status == "bounced"


def test_blocked_bounce_fails_the_attempt_but_keeps_the_address(
    rt: Any, client: Any, clock: Any
) -> None:
    """A "blocked" bounce: the receiving server refused SendGrid, not the address."""
    signer = configure_providers(rt)
    case_id, attempt_id = email_attempt(rt)
    raw = sendgrid_body(
        event(
            attempt_id, "bounce", int(clock().timestamp()), "ev-1", type="blocked", status="4.7.1"
        )
    )
    post_sendgrid(client, signer, raw, now_ts(clock))
    assert get_attempt(rt, attempt_id).status == "bounced"
    assert get_case(rt, case_id).person.email_invalid_at is None


def test_dropped_for_a_bounced_address_marks_it_invalid(rt: Any, client: Any, clock: Any) -> None:
    signer = configure_providers(rt)
    case_id, attempt_id = email_attempt(rt)
    raw = sendgrid_body(
        event(attempt_id, "dropped", int(clock().timestamp()), "ev-1", reason="Bounced Address")
    )
    post_sendgrid(client, signer, raw, now_ts(clock))
    assert get_attempt(rt, attempt_id).status == "dropped"
    assert get_case(rt, case_id).person.email_invalid_at is not None
    assert "email_dropped" in kinds(rt, case_id)


def test_bounce_of_an_old_address_leaves_the_new_one(rt: Any, client: Any, clock: Any) -> None:
    signer = configure_providers(rt)
    case_id, attempt_id = email_attempt(rt, recipient="old@example.no")
    raw = sendgrid_body(
        event(attempt_id, "bounce", int(clock().timestamp()), "ev-1", type="bounce")
    )
    post_sendgrid(client, signer, raw, now_ts(clock))
    assert get_case(rt, case_id).person.email_invalid_at is None


def test_an_sms_attempt_is_not_changed_by_an_email_event(rt: Any, client: Any, clock: Any) -> None:
    signer = configure_providers(rt)
    case_id = open_case(rt)
    attempt_id = make_attempt(rt, case_id, provider_ref="SM" + "cd" * 16)
    raw = sendgrid_body(
        event(attempt_id, "bounce", int(clock().timestamp()), "ev-1", type="bounce")
    )
    assert post_sendgrid(client, signer, raw, now_ts(clock)).json == {"unknown": 1}
    assert get_attempt(rt, attempt_id).status == "queued"


def test_not_a_list_is_a_bad_request(rt: Any, client: Any, clock: Any) -> None:
    signer = configure_providers(rt)
    raw = b'{"event": "delivered"}'
    assert post_sendgrid(client, signer, raw, now_ts(clock)).status_code == 400
