"""Email through SendGrid's v3 Mail Send API, with the official ``sendgrid`` SDK.

SendGrid takes no idempotency key either. Our attempt id travels as
``custom_args.attempt_id``: SendGrid copies custom args into every Event
Webhook event (processed, delivered, bounce, dropped), so the webhook can
settle an attempt whose ``X-Message-Id`` we never read.

Lookup: SendGrid can only search sent mail by custom arg through the Email
Activity API, a paid add-on we do not assume. So :meth:`SendGridEmailChannel.lookup`
cannot know, and by default says so (``TransientChannelError``, code
``"cannot_tell"``): the caller waits for the ``processed`` event instead of
sending the letter copy twice. ``assume_unsent_on_lookup=True`` trades that for
a possible duplicate (returns ``None``); meant for development only.
"""

from __future__ import annotations

import base64
import http.client
import json
import re
from datetime import datetime
from typing import ClassVar
from urllib.error import URLError

from python_http_client.exceptions import HTTPError
from sendgrid import SendGridAPIClient
from sendgrid.helpers.mail import (
    Attachment,
    ClickTracking,
    CustomArg,
    Disposition,
    FileContent,
    FileName,
    FileType,
    From,
    Mail,
    OpenTracking,
    TrackingSettings,
)

from channels.base import Delivery, Message, PermanentChannelError, TransientChannelError

_EMAIL = re.compile(r"[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+")


def _error_detail(exc: HTTPError) -> tuple[str, str]:
    """(detail, field) from SendGrid's ``{"errors": [{"message", "field"}]}``."""
    try:
        errors = json.loads(exc.body or b"{}").get("errors") or []
    except (ValueError, AttributeError):
        errors = []
    first = errors[0] if errors and isinstance(errors[0], dict) else {}
    message = str(first.get("message") or getattr(exc, "reason", "") or "")
    return f"SendGrid HTTP {exc.status_code}: {message[:200]}", str(first.get("field") or "")


def _http_error(exc: HTTPError) -> Exception:
    status = int(exc.status_code or 0)
    detail, field = _error_detail(exc)
    if status == 429:
        return TransientChannelError(detail, "rate_limited")
    if status >= 500:
        # A gateway error may hide a send that went through.
        return TransientChannelError(
            detail, "ambiguous" if status in (502, 504) else "provider_error"
        )
    if status in (401, 403):
        # Key revoked or sender identity unverified: our configuration, not the
        # tenant's address. Transient so email is not given up for everyone.
        return TransientChannelError(detail, "config")
    if status == 413:
        return PermanentChannelError(detail, "too_large")
    if field.startswith("personalizations") and "email" in field:
        return PermanentChannelError(detail, "invalid_address")
    return PermanentChannelError(detail, "rejected")


class SendGridEmailChannel:
    """The ``email`` channel backed by SendGrid: plain text plus PDF attachments.

    ``host`` points the SDK at another base URL (a local stub in the tests, or
    ``https://api.eu.sendgrid.com`` for EU data residency).
    """

    name = "email"

    #: SendGrid refuses a message over 30 MB *including* base64 (+33 %) and
    #: headers; 20 MB of raw attachments stays under it.
    attachments_max_bytes: ClassVar[int] = 20 * 1024 * 1024
    #: mail/send is exempt from SendGrid's 600 requests/min API limit (changelog
    #: 2019-10-10); a 429 is still handled as transient.
    request_rate_per_sec: ClassVar[float | None] = None

    def __init__(
        self,
        api_key: str,
        from_email: str,
        from_name: str,
        host: str | None = None,
        timeout: float = 10.0,
        *,
        assume_unsent_on_lookup: bool = False,
    ) -> None:
        """Validate here so a bad key or sender fails at start-up."""
        if not api_key or not api_key.startswith("SG.") or any(c.isspace() for c in api_key):
            raise ValueError("SENDGRID_API_KEY must be a SendGrid key (starts with 'SG.')")
        if not _EMAIL.fullmatch(from_email or ""):
            raise ValueError("SENDGRID_FROM_EMAIL must be an email address")
        if not from_name or not from_name.strip():
            raise ValueError("SENDGRID_FROM_NAME must not be empty")
        if host is not None and not host.startswith(("http://", "https://")):
            raise ValueError("SendGrid host must be an http(s) URL")
        if not timeout > 0:
            raise ValueError("timeout must be positive")
        self.from_email = from_email
        self.from_name = from_name
        self.timeout = timeout
        self.assume_unsent_on_lookup = assume_unsent_on_lookup
        self._sg = SendGridAPIClient(api_key, host=(host or "https://api.sendgrid.com").rstrip("/"))
        # python_http_client has no timeout unless told; every HTTP call needs one.
        self._sg.client.timeout = timeout

    def close(self) -> None:
        """Nothing pooled (urllib opens a connection per request); for symmetry."""

    def build_mail(self, message: Message) -> Mail:
        """The v3 payload; public so tests and previews can look at it."""
        mail = Mail(
            from_email=From(self.from_email, self.from_name),
            to_emails=message.to,
            subject=message.subject,
            plain_text_content=message.body,
        )
        mail.custom_arg = CustomArg("attempt_id", message.idempotency_key)
        for a in message.attachments:
            mail.add_attachment(
                Attachment(
                    FileContent(base64.b64encode(a.content).decode("ascii")),
                    FileName(a.filename),
                    FileType(a.mime_type),
                    Disposition("attachment"),
                )
            )
        # No tracking pixel and no rewritten links: NAV's mail must not profile
        # the tenant, and rewritten links look like phishing.
        mail.tracking_settings = TrackingSettings(
            click_tracking=ClickTracking(False, False), open_tracking=OpenTracking(False)
        )
        return mail

    def send(self, message: Message) -> Delivery:
        """Hand over once; ``accepted`` means queued at SendGrid, not delivered."""
        if not _EMAIL.fullmatch(message.to):
            raise PermanentChannelError("recipient is not an email address", "invalid_address")
        if not (message.subject or "").strip():
            raise PermanentChannelError("email needs a subject", "empty_subject")
        if not message.body.strip():
            raise PermanentChannelError("empty email body", "empty_body")
        if sum(len(a.content) for a in message.attachments) > self.attachments_max_bytes:
            raise PermanentChannelError("attachments over the size limit", "too_large")
        try:
            payload = self.build_mail(message).get()
        except Exception as exc:  # the helpers raise assorted types for bad input
            raise PermanentChannelError(
                f"cannot build mail: {type(exc).__name__}", "bad_message"
            ) from exc
        try:
            response = self._sg.client.mail.send.post(request_body=payload, timeout=self.timeout)
        except HTTPError as exc:
            raise _http_error(exc) from None
        except URLError as exc:
            # urllib wraps failures while connecting or writing the request:
            # SendGrid never received a complete request.
            raise TransientChannelError(
                f"SendGrid unreachable: {exc.reason!r}"[:200], "unavailable"
            ) from exc
        except (OSError, http.client.HTTPException) as exc:
            # Timeout or reset while waiting for the answer: it may have been accepted.
            raise TransientChannelError(
                f"no answer from SendGrid after sending ({type(exc).__name__}); outcome unknown",
                "ambiguous",
            ) from exc
        message_id = response.headers.get("X-Message-Id") if response.headers else None
        return Delivery(
            status="accepted", provider_ref=message_id, detail=f"HTTP {response.status_code}"
        )

    def lookup(
        self,
        idempotency_key: str,
        to: str,
        *,
        attempted_at: datetime | None = None,
        body_sha256: str | None = None,
    ) -> Delivery | None:
        """SendGrid cannot be asked (see the module docstring): let the webhook settle it."""
        if self.assume_unsent_on_lookup:
            return None
        raise TransientChannelError(
            "SendGrid cannot look up a send by attempt id; wait for the Event Webhook "
            "(custom_args.attempt_id)",
            "cannot_tell",
        )
