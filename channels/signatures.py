"""Webhook signature checks, for the Flask views to call before touching any row.

Both use the providers' own SDK helpers; this module adds what they leave out:
a plain ``bool`` for every malformed input (a missing header is a forgery, not
a 500) and, for SendGrid, a freshness check against replays.

Replays inside the freshness window, and Twilio's callbacks (which carry no
timestamp at all), are made harmless downstream: dedupe on the provider's
event id and keep statuses monotonic (TECH-NOTES "Providers").
"""

from __future__ import annotations

import binascii
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from sendgrid.helpers.eventwebhook import EventWebhook
from sendgrid.helpers.eventwebhook.eventwebhook_header import EventWebhookHeader
from twilio.request_validator import RequestValidator

#: Header names, so views do not spell them.
TWILIO_SIGNATURE_HEADER = "X-Twilio-Signature"
SENDGRID_SIGNATURE_HEADER: str = EventWebhookHeader.SIGNATURE
SENDGRID_TIMESTAMP_HEADER: str = EventWebhookHeader.TIMESTAMP

_PEM_BEGIN = "-----BEGIN PUBLIC KEY-----"
_PEM_END = "-----END PUBLIC KEY-----"


def verify_twilio(
    auth_token: str, url: str, params: Mapping[str, Any], signature: str | None
) -> bool:
    """Is this Twilio webhook genuine?

    ``url`` must be the exact public URL Twilio called, query string included
    (behind a proxy use werkzeug's ``ProxyFix``); ``params`` the POST form
    (a werkzeug ``MultiDict`` works: the SDK reads repeated keys with ``getall``).
    """
    if not auth_token or not signature or not url:
        return False
    try:
        return bool(RequestValidator(auth_token).validate(url, params, signature))
    except (TypeError, ValueError, AttributeError):
        return False


def _public_key_body(public_key: str) -> str:
    """SendGrid shows the key as base64 DER; accept a full PEM too."""
    text = public_key.strip()
    if text.startswith(_PEM_BEGIN):
        text = text.removeprefix(_PEM_BEGIN).removesuffix(_PEM_END)
    return "".join(text.split())


def verify_sendgrid(
    public_key_pem_or_base64: str,
    raw_body: bytes,
    signature: str | None,
    timestamp: str | None,
    *,
    now: datetime,
    max_age_s: int = 300,
) -> bool:
    """Is this SendGrid Event Webhook request genuine and fresh?

    SendGrid signs ``timestamp + raw body`` with ECDSA P-256/SHA-256: pass the
    body bytes exactly as received (``request.get_data()``), never re-serialised
    JSON. A timestamp further than ``max_age_s`` from ``now`` (either way) is
    refused, so a captured request cannot be replayed later.
    """
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    if not public_key_pem_or_base64 or not signature or not timestamp:
        return False
    try:
        sent_at = datetime.fromtimestamp(int(timestamp), tz=UTC)
    except (ValueError, OverflowError, OSError):
        return False
    if abs((now - sent_at).total_seconds()) > max_age_s:
        return False
    try:
        # The SDK takes text and re-encodes it as UTF-8; for a valid UTF-8 body
        # that round trip gives back the exact bytes SendGrid signed.
        payload = raw_body.decode("utf-8")
        verifier = EventWebhook(_public_key_body(public_key_pem_or_base64))
        return bool(verifier.verify_signature(payload, signature, timestamp))
    except (UnicodeDecodeError, binascii.Error, ValueError, TypeError):
        return False
