"""Webhook signatures: genuine requests pass; forged, altered or stale ones do not."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from werkzeug.datastructures import MultiDict

from channels.signatures import (
    SENDGRID_SIGNATURE_HEADER,
    SENDGRID_TIMESTAMP_HEADER,
    verify_sendgrid,
    verify_twilio,
)
from tests.stubs.signing import SendGridSigner, twilio_signature
from tests.stubs.twilio_stub import TEST_AUTH_TOKEN

URL = "https://outreach.example.no/webhooks/twilio/status?attempt_id=att-1"
PARAMS = {
    "MessageSid": "SM" + "a" * 32,
    "MessageStatus": "delivered",
    "To": "+4791234567",
    "AccountSid": "AC" + "0" * 32,
}
NOW = datetime(2025, 3, 3, 10, 0, tzinfo=UTC)


# -- Twilio ------------------------------------------------------------------


def test_twilio_genuine_request_passes() -> None:
    signature = twilio_signature(TEST_AUTH_TOKEN, URL, PARAMS)
    assert verify_twilio(TEST_AUTH_TOKEN, URL, PARAMS, signature)


def test_twilio_works_with_a_flask_form_multidict() -> None:
    form = MultiDict([*PARAMS.items(), ("MediaUrl", "b"), ("MediaUrl", "a")])
    signed = {**PARAMS, "MediaUrl": ["a", "b"]}
    assert verify_twilio(TEST_AUTH_TOKEN, URL, form, twilio_signature(TEST_AUTH_TOKEN, URL, signed))


GENUINE = twilio_signature(TEST_AUTH_TOKEN, URL, PARAMS)


@pytest.mark.parametrize(
    ("url", "params", "signature"),
    [
        (URL, PARAMS, twilio_signature("f" * 32, URL, PARAMS)),  # another account's token
        (URL, {**PARAMS, "MessageStatus": "failed"}, GENUINE),  # altered field
        (URL, {**PARAMS, "ErrorCode": "30007"}, GENUINE),  # added field
        (URL.replace("att-1", "att-2"), PARAMS, GENUINE),  # other attempt id
        (URL.replace("https", "http"), PARAMS, GENUINE),  # URL as seen behind a proxy
        (URL, PARAMS, ""),  # header missing
        (URL, PARAMS, None),
        (URL, PARAMS, "not base64 at all"),
    ],
    ids=["other-token", "altered", "added", "other-attempt", "scheme", "empty", "none", "garbage"],
)
def test_twilio_forgeries_are_refused(
    url: str, params: dict[str, str], signature: str | None
) -> None:
    assert not verify_twilio(TEST_AUTH_TOKEN, url, params, signature)


def test_twilio_without_token_refuses_everything() -> None:
    assert not verify_twilio("", URL, PARAMS, twilio_signature("", URL, PARAMS))


# -- SendGrid -------------------------------------------------------------------


@pytest.fixture(scope="module")
def signer() -> SendGridSigner:
    return SendGridSigner()


def events_body() -> bytes:
    events = [
        {
            "email": "bjørn@example.no",
            "event": "processed",
            "sg_event_id": "ev1",
            "sg_message_id": "msg1.filter",
            "timestamp": int(NOW.timestamp()),
            "attempt_id": "att-42",
        },
    ]
    # Non-ASCII and a trailing CRLF, as sent: the check must use the raw bytes.
    return json.dumps(events, ensure_ascii=False).encode("utf-8") + b"\r\n"


def stamp(at: datetime) -> str:
    return str(int(at.timestamp()))


def test_sendgrid_genuine_request_passes(signer: SendGridSigner) -> None:
    body, ts = events_body(), stamp(NOW - timedelta(seconds=20))
    headers = signer.headers(body, ts)
    assert verify_sendgrid(
        signer.public_key_base64,
        body,
        headers[SENDGRID_SIGNATURE_HEADER],
        headers[SENDGRID_TIMESTAMP_HEADER],
        now=NOW,
    )


def test_sendgrid_accepts_a_pem_key(signer: SendGridSigner) -> None:
    body, ts = events_body(), stamp(NOW)
    assert verify_sendgrid(signer.public_key_pem, body, signer.sign(body, ts), ts, now=NOW)


def test_sendgrid_altered_body_is_refused(signer: SendGridSigner) -> None:
    body, ts = events_body(), stamp(NOW)
    signature = signer.sign(body, ts)
    tampered = body.replace(b"processed", b"delivered")
    assert not verify_sendgrid(signer.public_key_base64, tampered, signature, ts, now=NOW)


def test_sendgrid_reserialised_json_is_refused(signer: SendGridSigner) -> None:
    """Verifying ``json.dumps(request.json)`` instead of the raw body fails: by design."""
    body, ts = events_body(), stamp(NOW)
    signature = signer.sign(body, ts)
    reserialised = json.dumps(json.loads(body)).encode()
    assert not verify_sendgrid(signer.public_key_base64, reserialised, signature, ts, now=NOW)


def test_sendgrid_other_key_is_refused(signer: SendGridSigner) -> None:
    forger = SendGridSigner()
    body, ts = events_body(), stamp(NOW)
    assert not verify_sendgrid(signer.public_key_base64, body, forger.sign(body, ts), ts, now=NOW)


def test_sendgrid_timestamp_is_part_of_the_signature(signer: SendGridSigner) -> None:
    body = events_body()
    signature = signer.sign(body, stamp(NOW - timedelta(seconds=10)))
    assert not verify_sendgrid(signer.public_key_base64, body, signature, stamp(NOW), now=NOW)


@pytest.mark.parametrize(
    "age",
    [timedelta(seconds=301), timedelta(hours=5), timedelta(seconds=-301)],
    ids=["just-stale", "replayed-later", "from-the-future"],
)
def test_sendgrid_stale_timestamps_are_refused(signer: SendGridSigner, age: timedelta) -> None:
    body, ts = events_body(), stamp(NOW - age)
    assert not verify_sendgrid(signer.public_key_base64, body, signer.sign(body, ts), ts, now=NOW)


def test_sendgrid_max_age_is_configurable(signer: SendGridSigner) -> None:
    body, ts = events_body(), stamp(NOW - timedelta(seconds=100))
    signature = signer.sign(body, ts)
    assert verify_sendgrid(signer.public_key_base64, body, signature, ts, now=NOW)
    assert not verify_sendgrid(signer.public_key_base64, body, signature, ts, now=NOW, max_age_s=60)


@pytest.mark.parametrize(
    ("signature", "timestamp"),
    [
        (None, "1"),
        ("", "1"),
        ("%%%not-base64", None),
        ("c2lnbmF0dXJl", ""),
        ("c2lnbmF0dXJl", "soon"),
    ],
    ids=["no-signature", "empty-signature", "no-timestamp", "empty-timestamp", "bad-timestamp"],
)
def test_sendgrid_malformed_headers_are_refused(
    signer: SendGridSigner, signature: str | None, timestamp: str | None
) -> None:
    assert not verify_sendgrid(
        signer.public_key_base64, events_body(), signature, timestamp, now=NOW
    )


def test_sendgrid_garbage_signature_is_refused(signer: SendGridSigner) -> None:
    ts = stamp(NOW)
    for garbage in ("%%%not-base64", "c2lnbmF0dXJl"):
        assert not verify_sendgrid(signer.public_key_base64, events_body(), garbage, ts, now=NOW)


def test_sendgrid_invalid_utf8_body_is_refused(signer: SendGridSigner) -> None:
    body, ts = b"\xff\xfe[]", stamp(NOW)
    assert not verify_sendgrid(signer.public_key_base64, body, signer.sign(body, ts), ts, now=NOW)


def test_sendgrid_needs_an_aware_now(signer: SendGridSigner) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        verify_sendgrid(signer.public_key_base64, b"[]", "x", "1", now=datetime(2025, 1, 1))
