"""Twilio's status callback: signed or refused, deduplicated, monotonic, and acted on."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any

from sqlalchemy import func, select

from outreach.models import AttemptStatus
from tests.conftest import app_for
from tests.stubs.signing import twilio_signature
from tests.stubs.twilio_stub import TEST_AUTH_TOKEN, TwilioStub
from tests.test_webhooks_support import (
    STATUS_URL,
    configure_providers,
    events,
    get_attempt,
    get_case,
    history,
    kinds,
    make_attempt,
    open_case,
    post_twilio,
    sms_sent_through_twilio,
    status_params,
    steps,
)

SID = "SM" + "ab" * 16


def status_count(rt: Any) -> int:
    with rt.session() as s:
        return int(s.scalar(select(func.count()).select_from(AttemptStatus)) or 0)


def test_signed_callback_moves_the_attempt_on(rt: Any, client: Any) -> None:
    configure_providers(rt)
    case_id = open_case(rt)
    attempt_id = make_attempt(rt, case_id, provider_ref=SID)
    response = post_twilio(
        client, f"{STATUS_URL}?attempt_id=attempt-{attempt_id}", status_params(SID, "sent")
    )
    assert response.status_code == 204
    assert get_attempt(rt, attempt_id).status == "sent"
    response = post_twilio(
        client, f"{STATUS_URL}?attempt_id=attempt-{attempt_id}", status_params(SID, "delivered")
    )
    assert response.status_code == 204
    assert get_attempt(rt, attempt_id).status == "delivered"
    assert history(rt, attempt_id) == ["sent", "delivered"]
    delivered = [e for e in events(rt, case_id) if e.kind == "sms_delivered"]
    assert len(delivered) == 1 and delivered[0].data["attempt_id"] == attempt_id


def test_callback_found_by_message_sid_without_attempt_id(rt: Any, client: Any) -> None:
    configure_providers(rt)
    attempt_id = make_attempt(rt, open_case(rt), provider_ref=SID)
    assert post_twilio(client, STATUS_URL, status_params(SID, "delivered")).status_code == 204
    assert get_attempt(rt, attempt_id).status == "delivered"


def test_forged_and_missing_signatures_are_refused(rt: Any, client: Any) -> None:
    configure_providers(rt)
    attempt_id = make_attempt(rt, open_case(rt), provider_ref=SID)
    url = f"{STATUS_URL}?attempt_id=attempt-{attempt_id}"
    params = status_params(SID, "undelivered", ErrorCode="30003")
    # Signed with another account's token.
    assert post_twilio(client, url, params, token="f" * 32).status_code == 403
    # No signature at all.
    assert client.post(url, data=params).status_code == 403
    # A genuine signature, but a parameter changed on the way.
    signature = twilio_signature(TEST_AUTH_TOKEN, url, status_params(SID, "delivered"))
    assert (
        client.post(url, data=params, headers={"X-Twilio-Signature": signature}).status_code == 403
    )
    # Signed for another attempt: the attempt id in the query is covered too.
    other = f"{STATUS_URL}?attempt_id=attempt-{attempt_id + 1}"
    assert post_twilio(client, url, params, signed_url=other).status_code == 403
    assert get_attempt(rt, attempt_id).status == "queued"
    assert status_count(rt) == 0


def test_refused_when_no_auth_token_is_configured(rt: Any, client: Any) -> None:
    attempt_id = make_attempt(rt, open_case(rt), provider_ref=SID)
    response = post_twilio(
        client, f"{STATUS_URL}?attempt_id=attempt-{attempt_id}", status_params(SID, "delivered")
    )
    assert response.status_code == 403
    assert get_attempt(rt, attempt_id).status == "queued"


def test_public_url_behind_a_proxy(rt: Any) -> None:
    # One proxy in front, configured (OUTREACH_TRUSTED_PROXIES=1): its
    # X-Forwarded-* headers name the URL Twilio signed.
    client = app_for(rt, trusted_proxies=1).test_client()
    configure_providers(rt)
    attempt_id = make_attempt(rt, open_case(rt), provider_ref=SID)
    public = f"https://outreach.nav.example/webhooks/twilio/status?attempt_id=attempt-{attempt_id}"
    # ProxyFix: the proxy says which host and scheme Twilio called.
    response = post_twilio(
        client,
        f"{STATUS_URL}?attempt_id=attempt-{attempt_id}",
        status_params(SID, "sent"),
        signed_url=public,
        headers={"X-Forwarded-Proto": "https", "X-Forwarded-Host": "outreach.nav.example"},
    )
    assert response.status_code == 204
    # A proxy that says nothing: the configured public base URL.
    rt.settings = replace(rt.settings, public_base_url="https://outreach.nav.example/")
    response = post_twilio(
        client,
        f"{STATUS_URL}?attempt_id=attempt-{attempt_id}",
        status_params(SID, "delivered"),
        signed_url=public,
    )
    assert response.status_code == 204
    assert get_attempt(rt, attempt_id).status == "delivered"


def test_replayed_callback_is_harmless(rt: Any, client: Any) -> None:
    configure_providers(rt)
    case_id = open_case(rt)
    attempt_id = make_attempt(rt, case_id, provider_ref=SID)
    url = f"{STATUS_URL}?attempt_id=attempt-{attempt_id}"
    for _ in range(3):
        assert post_twilio(client, url, status_params(SID, "delivered")).status_code == 204
    assert history(rt, attempt_id) == ["delivered"]
    assert kinds(rt, case_id).count("sms_delivered") == 1


def test_status_never_goes_back(rt: Any, client: Any) -> None:
    configure_providers(rt)
    case_id = open_case(rt)
    attempt_id = make_attempt(rt, case_id, provider_ref=SID)
    url = f"{STATUS_URL}?attempt_id=attempt-{attempt_id}"
    post_twilio(client, url, status_params(SID, "delivered"))
    # Callbacks arrive out of order: a late "sent", then "queued".
    post_twilio(client, url, status_params(SID, "sent"))
    post_twilio(client, url, status_params(SID, "queued"))
    assert get_attempt(rt, attempt_id).status == "delivered"
    assert history(rt, attempt_id) == ["delivered", "sent", "queued"]  # kept, but moved nothing
    # A final state is final: a stray "failed" after "delivered" changes nothing either.
    post_twilio(client, url, status_params(SID, "failed", ErrorCode="30008"))
    assert get_attempt(rt, attempt_id).status == "delivered"
    assert "sms_failed" not in kinds(rt, case_id)


def test_undelivered_moves_the_ladder_on_at_once(rt: Any, client: Any, clock: Any) -> None:
    """Through the real job and the Twilio SDK: the callback URL names the attempt."""
    configure_providers(rt)
    with TwilioStub() as stub:
        case_id, attempt_id, callback = sms_sent_through_twilio(rt, clock, stub)
    assert callback == f"{STATUS_URL}?attempt_id=attempt-{attempt_id}"
    attempt = get_attempt(rt, attempt_id)
    assert attempt.status == "queued" and attempt.provider_ref
    visit = steps(rt, case_id)["home_visit"]
    assert visit.status == "planned" and visit.due_at > clock() + timedelta(days=1)

    clock.set(clock() + timedelta(minutes=20))
    params = status_params(attempt.provider_ref, "undelivered", ErrorCode="30003")
    assert post_twilio(client, callback, params).status_code == 204

    attempt = get_attempt(rt, attempt_id)
    assert (attempt.status, attempt.error_code) == ("undelivered", "30003")
    visit = steps(rt, case_id)["home_visit"]
    assert visit.status == "planned"
    assert visit.due_at == clock()  # 10:20 on a working day: inside working hours
    found = [e for e in events(rt, case_id) if e.kind in ("sms_undelivered", "step_rescheduled")]
    assert [e.kind for e in found][-2:] == ["sms_undelivered", "step_rescheduled"]
    assert found[-1].data["reason"] == "earlier rung could not reach the tenant"
    # Replayed: nothing moves twice.
    assert post_twilio(client, callback, params).status_code == 204
    assert kinds(rt, case_id).count("sms_undelivered") == 1


def test_opted_out_error_on_a_callback_marks_the_number(rt: Any, client: Any) -> None:
    configure_providers(rt)
    case_id = open_case(rt)
    attempt_id = make_attempt(rt, case_id, provider_ref=SID)
    post_twilio(
        client,
        f"{STATUS_URL}?attempt_id=attempt-{attempt_id}",
        status_params(SID, "failed", ErrorCode="21610"),
    )
    assert get_case(rt, case_id).person.sms_opted_out_at is not None
    assert {"sms_failed", "sms_opted_out"} <= set(kinds(rt, case_id))


def test_callback_for_an_unknown_message_is_accepted_and_ignored(rt: Any, client: Any) -> None:
    configure_providers(rt)
    response = post_twilio(
        client, f"{STATUS_URL}?attempt_id=attempt-999", status_params(SID, "delivered")
    )
    assert response.status_code == 204
    assert status_count(rt) == 0


def test_callback_without_a_status_is_a_bad_request(rt: Any, client: Any) -> None:
    configure_providers(rt)
    assert post_twilio(client, STATUS_URL, {"MessageSid": SID}).status_code == 400
