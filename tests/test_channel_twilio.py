"""The Twilio SMS channel through the real ``twilio`` SDK against a local stub."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest

from channels.base import Channel, Message, PermanentChannelError, TransientChannelError
from channels.sms_twilio import TwilioSmsChannel, body_sha256
from tests.stubs.twilio_stub import (
    TEST_ACCOUNT_SID,
    TEST_AUTH_TOKEN,
    TEST_FROM_NUMBER,
    TEST_SERVICE_SID,
    TwilioStub,
    twilio_error,
)

TO = "+4791234567"
CALLBACK = "https://outreach.example.no/webhooks/twilio/status"
TIMEOUT = 0.4  # the stub stalls longer than this to provoke a read timeout


@pytest.fixture
def stub() -> Iterator[TwilioStub]:
    with TwilioStub() as server:
        yield server


@pytest.fixture
def channel(stub: TwilioStub) -> Iterator[TwilioSmsChannel]:
    ch = TwilioSmsChannel(
        stub.account_sid,
        stub.auth_token,
        from_number=stub.from_number,
        status_callback_url=CALLBACK,
        base_url=stub.base_url,
        timeout=TIMEOUT,
    )
    yield ch
    ch.close()


def sms(body: str = "NAV vil gjerne snakke med deg om boligen din. Svar 1.", **kw: str) -> Message:
    return Message(
        idempotency_key=kw.pop("key", "att-1"), channel="sms", to=kw.pop("to", TO), body=body
    )


def test_is_a_channel(channel: TwilioSmsChannel) -> None:
    assert isinstance(channel, Channel)
    assert channel.name == "sms"


def test_send_creates_a_message(stub: TwilioStub, channel: TwilioSmsChannel) -> None:
    delivery = channel.send(sms())

    assert delivery.status == "queued"
    assert delivery.provider_ref is not None and delivery.provider_ref.startswith("SM")
    assert delivery.provider_ref == stub.messages[0]["sid"]
    assert delivery.segments == 1
    (create,) = stub.creates()
    assert create.path == f"/2010-04-01/Accounts/{TEST_ACCOUNT_SID}/Messages.json"
    assert create.form_value("To") == TO
    assert create.form_value("From") == TEST_FROM_NUMBER
    assert create.form_value("Body") == sms().body
    callback = urlsplit(create.form_value("StatusCallback") or "")
    assert callback._replace(query="").geturl() == CALLBACK
    assert parse_qs(callback.query) == {"attempt_id": ["att-1"]}


def test_segments_are_ours_and_ucs2_costs_more(channel: TwilioSmsChannel) -> None:
    # 80 Arabic letters: one UCS-2 segment holds 70.
    delivery = channel.send(sms("م" * 80))
    assert delivery.segments == 2
    assert "UCS-2" in delivery.detail


def test_send_through_a_messaging_service(stub: TwilioStub) -> None:
    ch = TwilioSmsChannel(
        TEST_ACCOUNT_SID,
        TEST_AUTH_TOKEN,
        messaging_service_sid=TEST_SERVICE_SID,
        base_url=stub.base_url,
        timeout=TIMEOUT,
    )
    try:
        delivery = ch.send(sms())
    finally:
        ch.close()
    assert delivery.status == "accepted"
    (create,) = stub.creates()
    assert create.form_value("MessagingServiceSid") == TEST_SERVICE_SID
    assert create.form_value("From") is None
    assert create.form_value("StatusCallback") is None


@pytest.mark.parametrize(
    ("status", "payload", "code"),
    [
        (500, twilio_error(500, 20500), "provider_error"),
        (503, twilio_error(503, 20503), "provider_error"),
        (502, {"message": "bad gateway"}, "ambiguous"),
        (504, {"message": "gateway timeout"}, "ambiguous"),
        (429, twilio_error(429, 20429), "rate_limited"),
        (400, twilio_error(400, 14107), "rate_limited"),
        (401, twilio_error(401, 20003), "config"),
        (400, twilio_error(400, 21606), "config"),
    ],
    ids=["500", "503", "502", "504", "429", "14107", "401", "21606"],
)
def test_transient_errors(
    stub: TwilioStub, channel: TwilioSmsChannel, status: int, payload: dict[str, object], code: str
) -> None:
    stub.fail_next(status, payload)
    with pytest.raises(TransientChannelError) as err:
        channel.send(sms())
    assert err.value.code == code
    assert len(stub.creates()) == 1  # no hidden retry inside the SDK or requests


@pytest.mark.parametrize(
    ("twilio_code", "code"),
    [
        (21211, "invalid_number"),
        (21614, "not_mobile"),
        (21612, "unreachable"),
        (21408, "region_disabled"),
        (21610, "opted_out"),
        (21617, "body_too_long"),
        (21999, "rejected"),
    ],
)
def test_permanent_errors(
    stub: TwilioStub, channel: TwilioSmsChannel, twilio_code: int, code: str
) -> None:
    stub.fail_with_code(400, twilio_code)
    with pytest.raises(PermanentChannelError) as err:
        channel.send(sms())
    assert err.value.code == code
    assert str(twilio_code) in err.value.detail


def test_opted_out_number_is_refused_by_the_provider(
    stub: TwilioStub, channel: TwilioSmsChannel
) -> None:
    stub.refused_numbers[TO] = 21610
    with pytest.raises(PermanentChannelError) as err:
        channel.send(sms())
    assert err.value.code == "opted_out"
    assert TO not in err.value.detail and "91234567" not in err.value.detail  # scrubbed


def test_wrong_token_is_a_config_error(stub: TwilioStub) -> None:
    ch = TwilioSmsChannel(
        TEST_ACCOUNT_SID,
        "f" * 32,
        from_number=TEST_FROM_NUMBER,
        base_url=stub.base_url,
        timeout=TIMEOUT,
    )
    try:
        with pytest.raises(TransientChannelError) as err:
            ch.send(sms())
    finally:
        ch.close()
    assert err.value.code == "config"


def test_read_timeout_is_ambiguous_and_lookup_finds_the_message(
    stub: TwilioStub, channel: TwilioSmsChannel
) -> None:
    attempted_at = datetime.now(UTC)
    message = sms()
    stub.stall_next(TIMEOUT * 5)

    with pytest.raises(TransientChannelError) as err:
        channel.send(message)

    assert err.value.code == "ambiguous"
    assert len(stub.messages) == 1  # Twilio created it although we never heard back
    found = channel.lookup(
        message.idempotency_key,
        TO,
        attempted_at=attempted_at,
        body_sha256=body_sha256(message.body),
    )
    assert found is not None
    assert found.provider_ref == stub.messages[0]["sid"]
    assert found.status == "queued"
    assert found.segments == 1


def test_reset_after_sending_is_ambiguous(stub: TwilioStub, channel: TwilioSmsChannel) -> None:
    stub.drop_next()
    with pytest.raises(TransientChannelError) as err:
        channel.send(sms())
    assert err.value.code == "ambiguous"
    assert len(stub.messages) == 1


def test_refused_connection_is_plainly_unavailable() -> None:
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    ch = TwilioSmsChannel(
        TEST_ACCOUNT_SID,
        TEST_AUTH_TOKEN,
        from_number=TEST_FROM_NUMBER,
        base_url=f"http://127.0.0.1:{port}",
        timeout=TIMEOUT,
    )
    try:
        with pytest.raises(TransientChannelError) as err:
            ch.send(sms())
    finally:
        ch.close()
    assert err.value.code == "unavailable"  # never reached Twilio: safe to retry


@pytest.mark.parametrize(
    ("message", "code"),
    [
        (sms("   "), "empty_body"),
        (sms("a" * 460), "body_too_long"),  # 4 GSM-7 segments
        (sms("ж" * 202), "body_too_long"),  # 4 UCS-2 segments
        (sms(to="91234567"), "invalid_number"),  # not E.164
    ],
    ids=["empty", "long-gsm", "long-ucs2", "not-e164"],
)
def test_refused_before_calling_twilio(
    stub: TwilioStub, channel: TwilioSmsChannel, message: Message, code: str
) -> None:
    with pytest.raises(PermanentChannelError) as err:
        channel.send(message)
    assert err.value.code == code
    assert stub.requests == []


def test_three_segments_are_allowed(channel: TwilioSmsChannel) -> None:
    assert channel.send(sms("a" * 459)).segments == 3


# -- lookup --------------------------------------------------------------------


def test_lookup_with_nothing_sent_long_ago_means_not_sent(
    stub: TwilioStub, channel: TwilioSmsChannel
) -> None:
    attempted_at = datetime.now(UTC) - timedelta(hours=1)
    assert channel.lookup("att-1", TO, attempted_at=attempted_at, body_sha256="0" * 64) is None
    (listing,) = stub.requests
    assert listing.method == "GET"
    assert listing.query["To"] == [TO]
    assert listing.query["From"] == [TEST_FROM_NUMBER]


def test_lookup_too_soon_cannot_say_not_sent(channel: TwilioSmsChannel) -> None:
    with pytest.raises(TransientChannelError) as err:
        channel.lookup("att-1", TO, attempted_at=datetime.now(UTC), body_sha256="0" * 64)
    assert err.value.code == "not_yet"  # Twilio's list may lag behind creation


def test_lookup_without_attempt_time_cannot_say_not_sent(channel: TwilioSmsChannel) -> None:
    with pytest.raises(TransientChannelError) as err:
        channel.lookup("att-1", TO)
    assert err.value.code == "cannot_tell"


def test_lookup_with_an_unmatched_recent_message_is_ambiguous(
    stub: TwilioStub, channel: TwilioSmsChannel
) -> None:
    # Twilio may have altered the body (e.g. smart encoding): never read that as "not sent".
    stub.add_message(TO, "NAV vil gjerne snakke med deg om boligen din. Svar 1!", status="sent")
    with pytest.raises(TransientChannelError) as err:
        channel.lookup(
            "att-1",
            TO,
            attempted_at=datetime.now(UTC) - timedelta(hours=1),
            body_sha256=body_sha256(sms().body),
        )
    assert err.value.code == "ambiguous"


def test_lookup_ignores_older_messages_and_other_senders(
    stub: TwilioStub, channel: TwilioSmsChannel
) -> None:
    attempted_at = datetime.now(UTC) - timedelta(hours=1)
    body = sms().body
    stub.add_message(TO, body, created=attempted_at - timedelta(days=2))  # an earlier step
    stub.add_message(TO, body, from_="+4759999999")  # someone else's sender
    stub.add_message(TEST_FROM_NUMBER, "1", from_=TO, direction="inbound")  # the reply
    assert (
        channel.lookup("att-1", TO, attempted_at=attempted_at, body_sha256=body_sha256(body))
        is None
    )


def test_lookup_finds_a_delivered_message(stub: TwilioStub, channel: TwilioSmsChannel) -> None:
    attempted_at = datetime.now(UTC) - timedelta(minutes=40)
    body = sms().body
    sent = stub.add_message(TO, body, created=attempted_at + timedelta(seconds=1))
    found = channel.lookup("att-1", TO, attempted_at=attempted_at, body_sha256=body_sha256(body))
    assert found is not None
    assert (found.provider_ref, found.status) == (sent["sid"], "delivered")


def test_lookup_survives_a_queued_message_without_date_sent(
    stub: TwilioStub, channel: TwilioSmsChannel
) -> None:
    """Why lookup filters on date_created itself: DateSent skips queued messages."""
    attempted_at = datetime.now(UTC) - timedelta(minutes=1)
    delivery = channel.send(sms())
    by_date_sent = channel._messages.list(to=TO, date_sent_after=attempted_at)
    assert by_date_sent == []
    found = channel.lookup(
        "att-1", TO, attempted_at=attempted_at, body_sha256=body_sha256(sms().body)
    )
    assert found is not None and found.provider_ref == delivery.provider_ref


def test_lookup_with_a_full_page_of_strangers_is_ambiguous(stub: TwilioStub) -> None:
    """Through a Messaging Service there is no From filter: others' messages can fill the page."""
    ch = TwilioSmsChannel(
        TEST_ACCOUNT_SID,
        TEST_AUTH_TOKEN,
        messaging_service_sid=TEST_SERVICE_SID,
        base_url=stub.base_url,
        timeout=TIMEOUT,
    )
    for _ in range(TwilioSmsChannel.lookup_max_messages + 1):
        stub.add_message(TO, "another service's text", messaging_service_sid="MG" + "1" * 32)
    try:
        with pytest.raises(TransientChannelError) as err:
            ch.lookup("att-1", TO, attempted_at=datetime.now(UTC) - timedelta(hours=1))
    finally:
        ch.close()
    assert err.value.code == "ambiguous"


def test_lookup_errors_are_transient(stub: TwilioStub, channel: TwilioSmsChannel) -> None:
    stub.fail_next(500, twilio_error(500, 20500), method="GET")
    with pytest.raises(TransientChannelError) as err:
        channel.lookup("att-1", TO, attempted_at=datetime.now(UTC) - timedelta(hours=1))
    assert err.value.code == "provider_error"


def test_lookup_refused_by_twilio_is_still_transient(
    stub: TwilioStub, channel: TwilioSmsChannel
) -> None:
    stub.fail_next(400, twilio_error(400, 20001), method="GET")
    with pytest.raises(TransientChannelError) as err:
        channel.lookup("att-1", TO, attempted_at=datetime.now(UTC) - timedelta(hours=1))
    assert err.value.code == "lookup_failed"


def test_lookup_refuses_naive_datetimes(channel: TwilioSmsChannel) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        channel.lookup("att-1", TO, attempted_at=datetime(2025, 1, 1))


# -- configuration ---------------------------------------------------------------


GOOD = {
    "account_sid": TEST_ACCOUNT_SID,
    "auth_token": TEST_AUTH_TOKEN,
    "from_number": TEST_FROM_NUMBER,
}


@pytest.mark.parametrize(
    "override",
    [
        {"account_sid": "AC123"},
        {"account_sid": ""},
        {"auth_token": "short"},
        {"from_number": None},
        {"from_number": "NAV"},  # alphanumeric senders cannot take replies
        {"from_number": None, "messaging_service_sid": "MG1"},
        {"status_callback_url": "ftp://example.no/x"},
        {"base_url": "127.0.0.1:8000"},
        {"timeout": 0},
        {"validity_period_s": 36001},
    ],
)
def test_bad_configuration_fails_at_construction(override: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        TwilioSmsChannel(**{**GOOD, **override})  # type: ignore[arg-type]


def test_environment_edge_and_region_are_ignored(
    monkeypatch: pytest.MonkeyPatch, stub: TwilioStub
) -> None:
    monkeypatch.setenv("TWILIO_EDGE", "dublin")
    monkeypatch.setenv("TWILIO_REGION", "ie1")
    ch = TwilioSmsChannel(**GOOD, base_url=stub.base_url, timeout=TIMEOUT)  # type: ignore[arg-type]
    try:
        assert ch.send(sms()).status == "queued"
    finally:
        ch.close()
