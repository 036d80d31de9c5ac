"""Channel selection from settings: outbox by default, providers when configured."""

from __future__ import annotations

from pathlib import Path

import pytest

from channels.base import Channel
from channels.email_sendgrid import SendGridEmailChannel
from channels.outbox import OutboxChannel
from channels.registry import CHANNEL_FACTORIES, build_channels
from channels.sms_twilio import TwilioSmsChannel
from tests.stubs.sendgrid_stub import TEST_API_KEY
from tests.stubs.twilio_stub import (
    TEST_ACCOUNT_SID,
    TEST_AUTH_TOKEN,
    TEST_FROM_NUMBER,
    TEST_SERVICE_SID,
)

TWILIO = {
    "TWILIO_ACCOUNT_SID": TEST_ACCOUNT_SID,
    "TWILIO_AUTH_TOKEN": TEST_AUTH_TOKEN,
    "TWILIO_FROM_NUMBER": TEST_FROM_NUMBER,
}
SENDGRID = {
    "SENDGRID_API_KEY": TEST_API_KEY,
    "SENDGRID_FROM_EMAIL": "ikke-svar@nav.example.no",
    "SENDGRID_FROM_NAME": "NAV",
}


def test_every_channel_is_registered() -> None:
    assert set(CHANNEL_FACTORIES) == {"sms", "email", "letter", "phone_task", "home_visit"}


def test_no_settings_means_outbox_everywhere(tmp_path: Path) -> None:
    channels = build_channels({}, tmp_path)
    assert set(channels) == set(CHANNEL_FACTORIES)
    for name, channel in channels.items():
        assert isinstance(channel, OutboxChannel)
        assert isinstance(channel, Channel)
        assert channel.name == name


def test_empty_strings_count_as_absent(tmp_path: Path) -> None:
    blank = {k: "" for k in (*TWILIO, *SENDGRID)}
    assert all(isinstance(c, OutboxChannel) for c in build_channels(blank, tmp_path).values())


def test_providers_when_configured(tmp_path: Path) -> None:
    channels = build_channels({**TWILIO, **SENDGRID, "TWILIO_TIMEOUT_S": "3.5"}, tmp_path)
    assert isinstance(channels["sms"], TwilioSmsChannel)
    assert channels["sms"].timeout == 3.5
    assert isinstance(channels["email"], SendGridEmailChannel)
    for name in ("letter", "phone_task", "home_visit"):
        assert isinstance(channels[name], OutboxChannel)


def test_messaging_service_is_enough_as_sender(tmp_path: Path) -> None:
    settings = {
        **TWILIO,
        "TWILIO_FROM_NUMBER": "",
        "TWILIO_MESSAGING_SERVICE_SID": TEST_SERVICE_SID,
    }
    sms = build_channels(settings, tmp_path)["sms"]
    assert isinstance(sms, TwilioSmsChannel)
    assert sms.messaging_service_sid == TEST_SERVICE_SID


@pytest.mark.parametrize(
    "settings",
    [
        {"TWILIO_ACCOUNT_SID": TEST_ACCOUNT_SID},
        {**TWILIO, "TWILIO_AUTH_TOKEN": ""},
        {**TWILIO, "TWILIO_FROM_NUMBER": ""},
        {"TWILIO_FROM_NUMBER": TEST_FROM_NUMBER},
        {"SENDGRID_API_KEY": TEST_API_KEY},
        {**SENDGRID, "SENDGRID_FROM_EMAIL": ""},
    ],
    ids=["sid-only", "no-token", "no-sender", "sender-only", "key-only", "no-from-email"],
)
def test_half_configured_provider_is_an_error(tmp_path: Path, settings: dict[str, str]) -> None:
    with pytest.raises(ValueError, match="half configured"):
        build_channels(settings, tmp_path)


def test_invalid_credentials_fail_at_start_up(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="TWILIO_ACCOUNT_SID"):
        build_channels({**TWILIO, "TWILIO_ACCOUNT_SID": "AC-nope"}, tmp_path)
