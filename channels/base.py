"""The one small interface every outbound channel speaks.

Channels know nothing about cases or the ladder: they receive a rendered
:class:`Message` and either return a :class:`Delivery` or raise a
:class:`TransientChannelError` (worth retrying later) or a
:class:`PermanentChannelError` (retrying cannot help; the ladder moves on).
A bare ``bool`` would lose the difference, and the provider reference with it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol, runtime_checkable


@dataclass(frozen=True)
class Attachment:
    filename: str
    content: bytes
    mime_type: str = "application/pdf"


@dataclass(frozen=True)
class Message:
    """Everything a channel needs to deliver one thing, already rendered.

    ``idempotency_key`` is our attempt id. Twilio and SendGrid take no
    idempotency key, so we carry our own: it names outbox files, travels in
    provider metadata (SendGrid ``custom_args``) and lets :meth:`Channel.lookup`
    settle an attempt that a crashed worker left half-done.
    """

    idempotency_key: str
    channel: str
    to: str
    body: str
    subject: str | None = None
    language: str = "nb"
    attachments: tuple[Attachment, ...] = ()
    metadata: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Delivery:
    """What the channel knows right after handing the message over.

    ``status`` is the provider's first status (``sent`` for the outbox,
    ``queued``/``accepted`` for Twilio, ``accepted`` for SendGrid, ``created``
    for a staff task); later statuses arrive by webhook.
    """

    status: str
    provider_ref: str | None = None
    detail: str = ""
    segments: int | None = None


class ChannelError(Exception):
    """A channel could not deliver; ``code`` is short and safe to log."""

    def __init__(self, detail: str, code: str = "error") -> None:
        super().__init__(detail)
        self.detail = detail
        self.code = code


class TransientChannelError(ChannelError):
    """Timeouts, 5xx, rate limits: the same message may succeed later."""


class PermanentChannelError(ChannelError):
    """Invalid or landline number, opted out, bounced: retrying cannot help."""


@runtime_checkable
class Channel(Protocol):
    name: str

    def send(self, message: Message) -> Delivery:
        """Deliver once. Raises Transient/PermanentChannelError."""
        ...

    def lookup(
        self,
        idempotency_key: str,
        to: str,
        *,
        attempted_at: datetime | None = None,
        body_sha256: str | None = None,
    ) -> Delivery | None:
        """Did an earlier, interrupted send of this key reach the provider?

        ``attempted_at`` and ``body_sha256`` (of the exact body sent) let a
        provider without idempotency keys find the message by time and text.

        Returns the delivery if it did, ``None`` if it certainly did not, and
        raises :class:`TransientChannelError` when it cannot tell yet (the
        caller then waits for the webhook instead of sending blindly).
        """
        ...
