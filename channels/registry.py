"""Which backend serves which channel, chosen from settings the caller passes in.

A plain dict, as in redash's destinations registry: adding a channel is one
line here. The outbox stays the default whenever a provider is not configured,
so development, ``simulate`` and the tests never need credentials. A provider
that is *half* configured (a SID without a token) is an error, not a silent
fallback: in production that would quietly stop every SMS.

Settings read (all optional; empty strings count as absent):

``TWILIO_ACCOUNT_SID``, ``TWILIO_AUTH_TOKEN``, ``TWILIO_FROM_NUMBER``,
``TWILIO_MESSAGING_SERVICE_SID``, ``TWILIO_STATUS_CALLBACK_URL``,
``TWILIO_BASE_URL``, ``TWILIO_TIMEOUT_S``, ``TWILIO_VALIDITY_PERIOD_S``;
``SENDGRID_API_KEY``, ``SENDGRID_FROM_EMAIL``, ``SENDGRID_FROM_NAME``,
``SENDGRID_HOST``, ``SENDGRID_TIMEOUT_S``.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from pathlib import Path

from channels.base import Channel
from channels.email_sendgrid import SendGridEmailChannel
from channels.outbox import OutboxChannel
from channels.sms_twilio import TwilioSmsChannel

ChannelFactory = Callable[[str, Mapping[str, str], Path], Channel]

_TWILIO_REQUIRED = ("TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN")
_SENDGRID_REQUIRED = ("SENDGRID_API_KEY", "SENDGRID_FROM_EMAIL", "SENDGRID_FROM_NAME")


def _get(settings: Mapping[str, str], key: str) -> str | None:
    value = settings.get(key)
    return value.strip() or None if isinstance(value, str) else None


def _float(settings: Mapping[str, str], key: str, default: float) -> float:
    value = _get(settings, key)
    return float(value) if value is not None else default


def outbox(name: str, settings: Mapping[str, str], outbox_dir: Path) -> Channel:
    """Every message becomes a JSON file: the default for everything."""
    return OutboxChannel(name, outbox_dir)


def sms(name: str, settings: Mapping[str, str], outbox_dir: Path) -> Channel:
    """Twilio when its credentials are set, else the outbox."""
    present = [k for k in _TWILIO_REQUIRED if _get(settings, k)]
    sender = _get(settings, "TWILIO_FROM_NUMBER") or _get(settings, "TWILIO_MESSAGING_SERVICE_SID")
    if not present and not sender:
        return OutboxChannel(name, outbox_dir)
    if len(present) < len(_TWILIO_REQUIRED) or not sender:
        raise ValueError(
            "Twilio is half configured: set TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and "
            "TWILIO_FROM_NUMBER or TWILIO_MESSAGING_SERVICE_SID (or none of them)"
        )
    validity = _get(settings, "TWILIO_VALIDITY_PERIOD_S")
    channel = TwilioSmsChannel(
        account_sid=settings["TWILIO_ACCOUNT_SID"].strip(),
        auth_token=settings["TWILIO_AUTH_TOKEN"].strip(),
        from_number=_get(settings, "TWILIO_FROM_NUMBER"),
        messaging_service_sid=_get(settings, "TWILIO_MESSAGING_SERVICE_SID"),
        status_callback_url=_get(settings, "TWILIO_STATUS_CALLBACK_URL"),
        base_url=_get(settings, "TWILIO_BASE_URL"),
        timeout=_float(settings, "TWILIO_TIMEOUT_S", 10.0),
        validity_period_s=int(validity) if validity else None,
    )
    channel.name = name
    return channel


def email(name: str, settings: Mapping[str, str], outbox_dir: Path) -> Channel:
    """SendGrid when its API key is set, else the outbox."""
    if not _get(settings, "SENDGRID_API_KEY"):
        return OutboxChannel(name, outbox_dir)
    missing = [k for k in _SENDGRID_REQUIRED if not _get(settings, k)]
    if missing:
        raise ValueError(f"SendGrid is half configured: missing {', '.join(missing)}")
    channel = SendGridEmailChannel(
        api_key=settings["SENDGRID_API_KEY"].strip(),
        from_email=settings["SENDGRID_FROM_EMAIL"].strip(),
        from_name=settings["SENDGRID_FROM_NAME"].strip(),
        host=_get(settings, "SENDGRID_HOST"),
        timeout=_float(settings, "SENDGRID_TIMEOUT_S", 10.0),
    )
    channel.name = name
    return channel


#: Channel name -> factory. Letters go to the print outbox; phone tasks and
#: home visits become staff work created elsewhere, recorded in the outbox for now.
CHANNEL_FACTORIES: dict[str, ChannelFactory] = {
    "sms": sms,
    "email": email,
    "letter": outbox,
    "phone_task": outbox,
    "home_visit": outbox,
}


def build_channels(
    settings: Mapping[str, str], outbox_dir: str | os.PathLike[str]
) -> dict[str, Channel]:
    """One channel per registered name. Only ``outreach/config.py`` reads the
    environment; it passes its settings here as a plain mapping."""
    directory = Path(outbox_dir)
    return {name: factory(name, settings, directory) for name, factory in CHANNEL_FACTORIES.items()}
