"""SMS through Twilio's Messages API, with the official ``twilio`` SDK.

Twilio takes no idempotency key (TECH-NOTES "Providers"), so this adapter is
careful about the one dangerous moment: a request that reached Twilio but whose
answer we never read. Such errors are raised as ``TransientChannelError`` with
code ``"ambiguous"``; the caller must settle the attempt (status webhook or
:meth:`TwilioSmsChannel.lookup`) instead of sending again.

Two things make settling possible without putting our key in the text:

* the status callback URL carries ``?attempt_id=<idempotency key>``, so even the
  callback of a message whose SID we never learned names its attempt (the
  signature covers the query string, so it cannot be forged);
* :meth:`TwilioSmsChannel.lookup` lists recent messages to the number and
  matches the SHA-256 of the body (:func:`body_sha256`) created after the
  attempt started.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import requests
from twilio.base.exceptions import TwilioException
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client
from urllib3.exceptions import ConnectTimeoutError, MaxRetryError, NewConnectionError

from channels.base import Delivery, Message, PermanentChannelError, TransientChannelError
from channels.segments import count_segments

_ACCOUNT_SID = re.compile(r"AC[0-9a-fA-F]{32}")
_AUTH_TOKEN = re.compile(r"[0-9a-zA-Z]{32}")
_SERVICE_SID = re.compile(r"MG[0-9a-fA-F]{32}")
_E164 = re.compile(r"\+[1-9][0-9]{6,14}")
_NUMBERISH = re.compile(r"\+?\d[\d ]{5,}\d")

#: Twilio error codes that no retry can fix: the tenant's number is the problem.
#: https://www.twilio.com/docs/api/errors/<code>
PERMANENT_ERRORS: dict[int, str] = {
    21211: "invalid_number",  # Invalid 'To' phone number
    21614: "not_mobile",  # 'To' is not a mobile number (landline): SMS impossible
    21612: "unreachable",  # 'To' not currently reachable via SMS (carrier/route)
    21408: "region_disabled",  # geo permission off for that country (also an ops alarm)
    21610: "opted_out",  # the tenant sent STOP: record the opt-out, never retry
    21617: "body_too_long",  # over 1,600 characters
    21602: "empty_body",
}

#: Errors of our own configuration. They are *transient* on purpose: a rotated
#: token or a wrong sender must not make the ladder give up on SMS for every
#: tenant; the job retries with backoff while someone fixes the settings.
CONFIG_ERRORS: dict[int, str] = {
    20003: "config",  # authentication failed
    20404: "config",  # account/resource not found (wrong SID or base URL)
    21212: "config",  # invalid 'From' number
    21606: "config",  # 'From' is not an SMS-capable number of this account
    21659: "config",  # 'From' is not a Twilio number
    21660: "config",  # 'From' does not belong to the account
    21703: "config",  # Messaging Service has no sender
}

#: Rate limits: wait and try again.
RATE_ERRORS: frozenset[int] = frozenset({14107, 20429})


def body_sha256(body: str) -> str:
    """The marker :meth:`TwilioSmsChannel.lookup` matches on.

    Store it on the attempt before sending (it reveals nothing of the text) and
    pass it back to ``lookup`` when settling.
    """
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


_body_hash = body_sha256  # ``lookup`` has a parameter of the same name


def _scrub(text: str) -> str:
    """Twilio's messages quote the phone number; failed RQ jobs keep exceptions a year."""
    return _NUMBERISH.sub("<number>", text)[:200]


def _with_attempt(url: str, key: str) -> str:
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "attempt_id"]
    query.append(("attempt_id", key))
    return urlunsplit(parts._replace(query=urlencode(query)))


def _never_connected(exc: requests.RequestException) -> bool:
    """True only when the request provably never left this host."""
    if isinstance(exc, requests.ConnectTimeout):
        return True
    reason: object = exc.args[0] if exc.args else None
    if isinstance(reason, MaxRetryError):
        reason = reason.reason
    return isinstance(reason, NewConnectionError | ConnectTimeoutError)


def _transport_error(exc: requests.RequestException, *, creating: bool) -> TransientChannelError:
    if _never_connected(exc):
        return TransientChannelError(f"Twilio unreachable: {type(exc).__name__}", "unavailable")
    if not creating:
        return TransientChannelError(f"Twilio request failed: {type(exc).__name__}", "unavailable")
    # Read timeout, reset after the request went out, truncated answer: Twilio
    # may have created the message. Settle it, never resend blindly.
    return TransientChannelError(
        f"no answer from Twilio after sending ({type(exc).__name__}); outcome unknown",
        "ambiguous",
    )


def _api_error(exc: TwilioException, *, creating: bool) -> Exception:
    status = int(getattr(exc, "status", 0) or 0)
    if not status and len(exc.args) > 1:
        # Paging raises a bare TwilioException("Unable to fetch page", response).
        status = int(getattr(exc.args[1], "status_code", 0) or 0)
    raw_code = str(getattr(exc, "code", None))
    code = int(raw_code) if raw_code.isdigit() else None
    text = getattr(exc, "msg", None) or getattr(exc, "detail", None) or getattr(exc, "title", "")
    detail = f"Twilio HTTP {status}, error {code}: {_scrub(str(text))}"
    if not status:
        return TransientChannelError(detail, "ambiguous" if creating else "unavailable")
    if status == 429 or code in RATE_ERRORS:
        return TransientChannelError(detail, "rate_limited")
    if status >= 500:
        # A gateway timeout or bad gateway may hide a create that went through.
        if creating and status in (502, 504):
            return TransientChannelError(detail, "ambiguous")
        return TransientChannelError(detail, "provider_error")
    if code in CONFIG_ERRORS or status in (401, 403):
        return TransientChannelError(detail, CONFIG_ERRORS.get(code or 0, "config"))
    if code in PERMANENT_ERRORS:
        return PermanentChannelError(detail, PERMANENT_ERRORS[code])
    return PermanentChannelError(detail, "rejected")


class TwilioSmsChannel:
    """The ``sms`` channel backed by Twilio.

    ``base_url`` points the SDK at another host (a local stub in the tests):
    it replaces ``client.api.base_url``; edge/region stay unset so the SDK does
    not rewrite the host.
    """

    name = "sms"

    #: Twilio accepts 1,600 characters (error 21617), but every segment is billed
    #: and paced, and a tenant reads a short text: the renderer drops the
    #: Norwegian copy beside the tenant's language when the pair would exceed this.
    body_max_segments: ClassVar[int] = 3
    #: Twilio's own hard limit, for reference.
    body_maxlen: ClassVar[int] = 1600
    #: A long code sends about one segment per second (TECH-NOTES "Providers").
    #: The service paces per sender in Redis; this only declares the number.
    request_rate_per_sec: ClassVar[float] = 1.0
    #: Twilio drops a message still queued after 10 hours (ValidityPeriod max
    #: 36,000 s): pace in the application so nothing waits that long.
    queue_max_age: ClassVar[timedelta] = timedelta(hours=10)
    #: Messages read back per lookup; a tenant's number never sees this many from us.
    lookup_max_messages: ClassVar[int] = 50
    #: Our clock versus Twilio's, when comparing ``date_created`` with ``attempted_at``.
    lookup_clock_skew: ClassVar[timedelta] = timedelta(minutes=5)

    def __init__(
        self,
        account_sid: str,
        auth_token: str,
        from_number: str | None = None,
        messaging_service_sid: str | None = None,
        status_callback_url: str | None = None,
        base_url: str | None = None,
        timeout: float = 10.0,
        *,
        validity_period_s: int | None = None,
        lookup_settle_after: timedelta = timedelta(minutes=30),
    ) -> None:
        """Validate everything here, so bad settings fail at start-up, not mid-ladder.

        ``lookup_settle_after``: Twilio's message list has been reported to lag
        behind creation by minutes to hours (twilio-java#442, twilio-node#647),
        so "not in the list" only means "not sent" once this much time has
        passed since the attempt started.
        """
        if not _ACCOUNT_SID.fullmatch(account_sid or ""):
            raise ValueError("TWILIO_ACCOUNT_SID must look like AC + 32 hex digits")
        if not _AUTH_TOKEN.fullmatch(auth_token or ""):
            raise ValueError("TWILIO_AUTH_TOKEN must be 32 letters or digits")
        if not from_number and not messaging_service_sid:
            raise ValueError("Twilio needs a from number or a messaging service SID")
        # Replies ("Svar 1") need a number to answer to: no alphanumeric sender.
        if from_number and not _E164.fullmatch(from_number):
            raise ValueError("TWILIO_FROM_NUMBER must be an E.164 number, e.g. +4759000000")
        if messaging_service_sid and not _SERVICE_SID.fullmatch(messaging_service_sid):
            raise ValueError("TWILIO_MESSAGING_SERVICE_SID must look like MG + 32 hex digits")
        for label, url in (("status callback URL", status_callback_url), ("base URL", base_url)):
            if url is not None and urlsplit(url).scheme not in ("http", "https"):
                raise ValueError(f"Twilio {label} must be an http(s) URL")
        if not timeout > 0:
            raise ValueError("timeout must be positive")
        if validity_period_s is not None and not 1 <= validity_period_s <= 36000:
            raise ValueError("validity_period_s must be between 1 and 36000")

        self.from_number = from_number
        self.messaging_service_sid = messaging_service_sid
        self.status_callback_url = status_callback_url
        self.validity_period_s = validity_period_s
        self.lookup_settle_after = lookup_settle_after
        self.timeout = timeout
        # No retries inside the HTTP client: a hidden retry of a create is a duplicate SMS.
        self._http = TwilioHttpClient(timeout=timeout, max_retries=0)
        self._client = Client(account_sid, auth_token, http_client=self._http)
        # Only config.py reads the environment: ignore TWILIO_EDGE/TWILIO_REGION.
        self._client.edge = None
        self._client.region = None
        if base_url is not None:
            self._client.api.base_url = base_url.rstrip("/")
        self._messages = self._client.api.account.messages

    def close(self) -> None:
        """Release pooled connections (tests, worker shutdown)."""
        if self._http.session is not None:
            self._http.session.close()

    def _create_kwargs(self, message: Message) -> dict[str, Any]:
        kwargs: dict[str, Any] = {"to": message.to, "body": message.body}
        if self.from_number:
            kwargs["from_"] = self.from_number
        if self.messaging_service_sid:
            kwargs["messaging_service_sid"] = self.messaging_service_sid
        if self.status_callback_url:
            kwargs["status_callback"] = _with_attempt(
                self.status_callback_url, message.idempotency_key
            )
        if self.validity_period_s is not None:
            kwargs["validity_period"] = self.validity_period_s
        return kwargs

    def send(self, message: Message) -> Delivery:
        """Create the message once; the first status is Twilio's (``queued``/``accepted``)."""
        if not message.body.strip():
            raise PermanentChannelError("empty SMS body", "empty_body")
        info = count_segments(message.body)
        if info.segments > self.body_max_segments:
            raise PermanentChannelError(
                f"SMS is {info.segments} {info.encoding} segments, limit {self.body_max_segments}",
                "body_too_long",
            )
        if not _E164.fullmatch(message.to):
            raise PermanentChannelError("recipient is not an E.164 number", "invalid_number")
        try:
            created = self._messages.create(**self._create_kwargs(message))
        except TwilioException as exc:
            # ``from None``: the SDK's message quotes the number (see _scrub).
            raise _api_error(exc, creating=True) from None
        except requests.RequestException as exc:
            raise _transport_error(exc, creating=True) from exc
        except ValueError as exc:  # a 2xx whose body is not Twilio's JSON
            raise TransientChannelError("unreadable answer from Twilio", "ambiguous") from exc
        return Delivery(
            status=created.status or "queued",
            provider_ref=created.sid,
            detail=f"{info.encoding}, {info.segments} segment(s)",
            segments=info.segments,
        )

    def lookup(
        self,
        idempotency_key: str,
        to: str,
        *,
        attempted_at: datetime | None = None,
        body_sha256: str | None = None,
    ) -> Delivery | None:
        """Settle an attempt whose create may or may not have reached Twilio.

        Lists outbound messages to ``to`` from our sender, newest first, and
        keeps those created since ``attempted_at`` (less clock skew). We filter
        on ``date_created`` ourselves rather than with ``date_sent_after``:
        ``date_sent`` stays empty while a message waits in Twilio's queue, which
        is exactly where an interrupted send is likely to be.

        * one with our body hash -> its :class:`Delivery`;
        * others but none matching (or no hash given) -> ``TransientChannelError("ambiguous")``:
          only the status callback (which names ``attempt_id``) can tell;
        * none, and ``attempted_at`` is older than ``lookup_settle_after`` -> ``None``;
        * none, but too recent or ``attempted_at`` unknown -> ``TransientChannelError``.
        """
        now = datetime.now(UTC)
        if attempted_at is not None and attempted_at.tzinfo is None:
            raise ValueError("attempted_at must be timezone-aware")
        since = (attempted_at or now - self.queue_max_age) - self.lookup_clock_skew
        found = self._list_recent(to)
        candidates = [m for m in found if self._is_ours(m) and _created_since(m, since)]
        matches = [
            m
            for m in candidates
            if body_sha256 and m.body is not None and _body_hash(m.body) == body_sha256
        ]
        if matches:
            first = min(matches, key=lambda m: m.date_created or now)
            return Delivery(
                status=first.status or "queued",
                provider_ref=first.sid,
                detail=f"found by lookup ({len(matches)} match(es))",
                segments=count_segments(first.body or "").segments,
            )
        if candidates:
            raise TransientChannelError(
                f"{len(candidates)} outbound message(s) to this number since the attempt, "
                "none matching its body: wait for the status callback",
                "ambiguous",
            )
        if len(found) >= self.lookup_max_messages:
            oldest = found[-1].date_created
            if oldest is None or oldest >= since:
                raise TransientChannelError("too many recent messages to be sure", "ambiguous")
        if attempted_at is None:
            raise TransientChannelError("cannot tell without attempted_at", "cannot_tell")
        if now - attempted_at < self.lookup_settle_after:
            raise TransientChannelError("Twilio's message list may still lag", "not_yet")
        return None

    def _list_recent(self, to: str) -> Sequence[Any]:
        kwargs: dict[str, Any] = {"to": to, "limit": self.lookup_max_messages}
        if self.from_number:
            kwargs["from_"] = self.from_number
        try:
            found: Sequence[Any] = self._messages.list(**kwargs)
        except TwilioException as exc:
            error = _api_error(exc, creating=False)
            if isinstance(error, PermanentChannelError):
                # A refused *lookup* says nothing about the message: never "permanent".
                error = TransientChannelError(error.detail, "lookup_failed")
            raise error from None
        except requests.RequestException as exc:
            raise _transport_error(exc, creating=False) from exc
        except ValueError as exc:
            raise TransientChannelError("unreadable answer from Twilio", "unavailable") from exc
        return found

    def _is_ours(self, m: Any) -> bool:
        if not str(m.direction or "").startswith("outbound"):
            return False
        if self.from_number and m.from_ not in (None, self.from_number):
            return False
        return not (
            self.messaging_service_sid
            and not self.from_number
            and m.messaging_service_sid != self.messaging_service_sid
        )


def _created_since(m: Any, since: datetime) -> bool:
    """A message without a creation date counts: doubt must never read as "not sent"."""
    created: datetime | None = m.date_created
    return created is None or created >= since
