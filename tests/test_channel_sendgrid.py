"""The SendGrid email channel through the real ``sendgrid`` SDK against a local stub."""

from __future__ import annotations

import base64
import socket
from collections.abc import Iterator

import pytest

from channels.base import (
    Attachment,
    Channel,
    Message,
    PermanentChannelError,
    TransientChannelError,
)
from channels.email_sendgrid import SendGridEmailChannel
from tests.stubs.sendgrid_stub import TEST_API_KEY, SendGridStub, sendgrid_error

FROM = "ikke-svar@nav.example.no"
TO = "leietaker@example.no"
TIMEOUT = 0.4
PDF = b"%PDF-1.7\n% a letter\n%%EOF\n"


@pytest.fixture
def stub() -> Iterator[SendGridStub]:
    with SendGridStub() as server:
        yield server


@pytest.fixture
def channel(stub: SendGridStub) -> SendGridEmailChannel:
    return SendGridEmailChannel(
        TEST_API_KEY, FROM, "NAV Grünerløkka", host=stub.base_url, timeout=TIMEOUT
    )


def email(**kw: object) -> Message:
    fields: dict[str, object] = {
        "idempotency_key": "att-42",
        "channel": "email",
        "to": TO,
        "subject": "Brev fra NAV",
        "body": "Hei! Du har fått et brev fra NAV. Det ligger vedlagt.",
        "attachments": (Attachment("brev.pdf", PDF),),
    }
    fields.update(kw)
    return Message(**fields)  # type: ignore[arg-type]


def test_is_a_channel(channel: SendGridEmailChannel) -> None:
    assert isinstance(channel, Channel)
    assert channel.name == "email"


def test_send_delivers_attachment_and_attempt_id(
    stub: SendGridStub, channel: SendGridEmailChannel
) -> None:
    delivery = channel.send(email())

    (mail,) = stub.mails
    assert delivery.status == "accepted"
    assert delivery.provider_ref == mail["message_id"]
    (request,) = stub.requests
    assert request.path == "/v3/mail/send"
    assert request.headers["Authorization"] == f"Bearer {TEST_API_KEY}"
    payload = mail["payload"]
    assert payload["from"] == {"email": FROM, "name": "NAV Grünerløkka"}
    assert payload["personalizations"][0]["to"] == [{"email": TO}]
    assert payload["subject"] == "Brev fra NAV"
    assert payload["content"] == [{"type": "text/plain", "value": email().body}]
    assert payload["custom_args"] == {"attempt_id": "att-42"}
    (attachment,) = payload["attachments"]
    assert attachment["filename"] == "brev.pdf"
    assert attachment["type"] == "application/pdf"
    assert attachment["disposition"] == "attachment"
    assert base64.b64decode(attachment["content"]) == PDF
    tracking = payload["tracking_settings"]
    assert tracking["click_tracking"]["enable"] is False
    assert tracking["open_tracking"]["enable"] is False


@pytest.mark.parametrize(
    ("status", "code"),
    [
        (500, "provider_error"),
        (503, "provider_error"),
        (502, "ambiguous"),
        (504, "ambiguous"),
        (429, "rate_limited"),
        (401, "config"),
        (403, "config"),
    ],
)
def test_transient_errors(
    stub: SendGridStub, channel: SendGridEmailChannel, status: int, code: str
) -> None:
    stub.fail_next(status, sendgrid_error("stub failure"))
    with pytest.raises(TransientChannelError) as err:
        channel.send(email())
    assert err.value.code == code
    assert len(stub.requests) == 1


@pytest.mark.parametrize(
    ("status", "payload", "code"),
    [
        (
            400,
            sendgrid_error("Does not contain a valid address.", "personalizations.0.to.0.email"),
            "invalid_address",
        ),
        (400, sendgrid_error("The subject is required", "subject"), "rejected"),
        (413, sendgrid_error("Payload too large"), "too_large"),
    ],
)
def test_permanent_errors(
    stub: SendGridStub, channel: SendGridEmailChannel, status: int, payload: object, code: str
) -> None:
    stub.fail_next(status, payload)
    with pytest.raises(PermanentChannelError) as err:
        channel.send(email())
    assert err.value.code == code


def test_wrong_key_is_a_config_error(stub: SendGridStub) -> None:
    ch = SendGridEmailChannel("SG.wrong.key", FROM, "NAV", host=stub.base_url, timeout=TIMEOUT)
    with pytest.raises(TransientChannelError) as err:
        ch.send(email())
    assert err.value.code == "config"


def test_read_timeout_is_ambiguous(stub: SendGridStub, channel: SendGridEmailChannel) -> None:
    stub.stall_next(TIMEOUT * 5)
    with pytest.raises(TransientChannelError) as err:
        channel.send(email())
    assert err.value.code == "ambiguous"
    assert len(stub.mails) == 1  # SendGrid accepted it anyway


def test_reset_after_sending_is_ambiguous(
    stub: SendGridStub, channel: SendGridEmailChannel
) -> None:
    stub.drop_next()
    with pytest.raises(TransientChannelError) as err:
        channel.send(email())
    assert err.value.code == "ambiguous"


def test_refused_connection_is_unavailable() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    ch = SendGridEmailChannel(
        TEST_API_KEY, FROM, "NAV", host=f"http://127.0.0.1:{port}", timeout=TIMEOUT
    )
    with pytest.raises(TransientChannelError) as err:
        ch.send(email())
    assert err.value.code == "unavailable"


@pytest.mark.parametrize(
    ("message", "code"),
    [
        (email(to="not-an-address"), "invalid_address"),
        (email(subject=None), "empty_subject"),
        (email(body=" "), "empty_body"),
        (email(attachments=(Attachment("big.pdf", b"0" * (20 * 1024 * 1024 + 1)),)), "too_large"),
    ],
    ids=["address", "subject", "body", "size"],
)
def test_refused_before_calling_sendgrid(
    stub: SendGridStub, channel: SendGridEmailChannel, message: Message, code: str
) -> None:
    with pytest.raises(PermanentChannelError) as err:
        channel.send(message)
    assert err.value.code == code
    assert stub.requests == []


def test_lookup_cannot_tell_by_default(channel: SendGridEmailChannel) -> None:
    with pytest.raises(TransientChannelError) as err:
        channel.lookup("att-42", TO)
    assert err.value.code == "cannot_tell"


def test_lookup_can_be_told_to_assume_unsent(stub: SendGridStub) -> None:
    ch = SendGridEmailChannel(
        TEST_API_KEY, FROM, "NAV", host=stub.base_url, timeout=TIMEOUT, assume_unsent_on_lookup=True
    )
    assert ch.lookup("att-42", TO) is None


@pytest.mark.parametrize(
    "override",
    [
        {"api_key": ""},
        {"api_key": "not-a-key"},
        {"api_key": "SG.with space"},
        {"from_email": "nav"},
        {"from_name": " "},
        {"host": "api.sendgrid.com"},
        {"timeout": -1},
    ],
)
def test_bad_configuration_fails_at_construction(override: dict[str, object]) -> None:
    good: dict[str, object] = {"api_key": TEST_API_KEY, "from_email": FROM, "from_name": "NAV"}
    with pytest.raises(ValueError):
        SendGridEmailChannel(**{**good, **override})  # type: ignore[arg-type]
