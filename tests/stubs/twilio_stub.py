"""Enough of Twilio's 2010-04-01 Messages API for the real ``twilio`` SDK.

Speaks: ``POST /2010-04-01/Accounts/{sid}/Messages.json`` (create),
``GET .../Messages.json`` (list with ``To``, ``From``, ``DateSent``,
``DateSent<``, ``DateSent>``, ``PageSize``, ``Page``) and
``GET .../Messages/{MessageSid}.json`` (fetch). Checks HTTP Basic auth
(error 20003 otherwise). Messages stay ``queued``/``accepted`` with no
``date_sent`` until :meth:`TwilioStub.advance` moves them on, like a real queue.

Usage::

    with TwilioStub() as stub:
        channel = TwilioSmsChannel(stub.account_sid, stub.auth_token,
                                   from_number=stub.from_number, base_url=stub.base_url)
        stub.fail_with_code(400, 21610)        # next create: opted out
        stub.stall_next(1.0)                   # next create succeeds, answers too late
"""

from __future__ import annotations

import base64
import re
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from typing import Any
from urllib.parse import urlencode

from channels.segments import count_segments

from ._server import RecordedRequest, Response, StubServer

TEST_ACCOUNT_SID = "AC" + "0123456789abcdef" * 2
TEST_AUTH_TOKEN = "0123456789abcdef" * 2
TEST_FROM_NUMBER = "+4759000001"
TEST_SERVICE_SID = "MG" + "fedcba9876543210" * 2

_MESSAGES = re.compile(r"/2010-04-01/Accounts/(?P<sid>AC\w+)/Messages(?:/(?P<msg>SM\w+))?\.json")


def twilio_error(status: int, code: int, message: str = "") -> dict[str, Any]:
    """The body Twilio returns with a 4xx/5xx."""
    return {
        "code": code,
        "message": message or f"Stub error {code}",
        "more_info": f"https://www.twilio.com/docs/errors/{code}",
        "status": status,
    }


def _rfc2822(dt: datetime | None) -> str | None:
    return format_datetime(dt.astimezone(UTC)).replace("-0000", "+0000") if dt else None


def _parse_day_or_time(value: str) -> datetime:
    """Twilio documents ``YYYY-MM-DD``; the SDK sends ``YYYY-MM-DDTHH:MM:SSZ``."""
    if "T" in value:
        return datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    return datetime.strptime(value, "%Y-%m-%d").replace(tzinfo=UTC)


class TwilioStub(StubServer):
    def __init__(
        self,
        account_sid: str = TEST_ACCOUNT_SID,
        auth_token: str = TEST_AUTH_TOKEN,
        from_number: str = TEST_FROM_NUMBER,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        super().__init__()
        #: Twilio's clock: tests living on a virtual date pass theirs.
        self.clock: Callable[[], datetime] = clock or (lambda: datetime.now(UTC))
        self.account_sid = account_sid
        self.auth_token = auth_token
        self.from_number = from_number
        #: Messages as Twilio stores them (JSON dicts), oldest first.
        self.messages: list[dict[str, Any]] = []
        #: Number -> Twilio error code refused on create (e.g. 21610 opted out).
        self.refused_numbers: dict[str, int] = {}

    # -- test helpers --------------------------------------------------------
    def fail_with_code(self, status: int, code: int, *, times: int = 1) -> None:
        """Next ``times`` creates fail with a Twilio error body."""
        self.fail_next(status, twilio_error(status, code), times=times, method="POST")

    def add_message(
        self,
        to: str,
        body: str,
        *,
        from_: str | None = None,
        created: datetime | None = None,
        status: str = "delivered",
        direction: str = "outbound-api",
        messaging_service_sid: str | None = None,
    ) -> dict[str, Any]:
        """Put a message in the account's history (e.g. sent yesterday)."""
        when = created or self.clock()
        message = self._message(to, from_ or self.from_number, body, messaging_service_sid, when)
        message.update(status=status, direction=direction)
        if status not in ("queued", "accepted", "scheduled"):
            message["date_sent"] = _rfc2822(when)
        with self._lock:
            self.messages.append(message)
        return message

    def advance(self, sid: str, status: str) -> None:
        """Move a message on (sent/delivered/failed); sets ``date_sent``."""
        with self._lock:
            for m in self.messages:
                if m["sid"] == sid:
                    m["status"] = status
                    m["date_sent"] = m["date_sent"] or _rfc2822(self.clock())

    def creates(self) -> list[RecordedRequest]:
        return [r for r in self.requests if r.method == "POST"]

    # -- the API ---------------------------------------------------------------
    def _message(
        self, to: str, from_: str | None, body: str, service: str | None, when: datetime
    ) -> dict[str, Any]:
        sid = "SM" + uuid.uuid4().hex
        base = f"/2010-04-01/Accounts/{self.account_sid}/Messages/{sid}"
        # Twilio reports 0 segments for a Messaging Service until a sender is picked.
        segments = 0 if service and not from_ else count_segments(body).segments
        return {
            "account_sid": self.account_sid,
            "api_version": "2010-04-01",
            "body": body,
            "date_created": _rfc2822(when),
            "date_sent": None,
            "date_updated": _rfc2822(when),
            "direction": "outbound-api",
            "error_code": None,
            "error_message": None,
            "from": from_,
            "messaging_service_sid": service,
            "num_media": "0",
            "num_segments": str(segments),
            "price": None,
            "price_unit": "USD",
            "sid": sid,
            "status": "queued" if from_ else "accepted",
            "subresource_uris": {"media": f"{base}/Media.json"},
            "to": to,
            "uri": f"{base}.json",
        }

    def _authorized(self, request: RecordedRequest) -> bool:
        expected = base64.b64encode(f"{self.account_sid}:{self.auth_token}".encode()).decode()
        return request.headers.get("Authorization") == f"Basic {expected}"

    def respond(self, request: RecordedRequest) -> Response:
        match = _MESSAGES.fullmatch(request.path)
        if match is None or match["sid"] != self.account_sid:
            return Response.json(
                404, twilio_error(404, 20404, "The requested resource was not found")
            )
        if not self._authorized(request):
            return Response.json(401, twilio_error(401, 20003, "Authenticate"))
        if request.method == "POST" and match["msg"] is None:
            return self._create(request)
        if request.method == "GET" and match["msg"] is None:
            return self._list(request)
        if request.method == "GET":
            return self._fetch(match["msg"])
        return Response.json(405, twilio_error(405, 20004, "Method not allowed"))

    def _create(self, request: RecordedRequest) -> Response:
        to = request.form_value("To") or ""
        body = request.form_value("Body") or ""
        from_ = request.form_value("From")
        service = request.form_value("MessagingServiceSid")
        if not re.fullmatch(r"\+[1-9]\d{6,14}", to):
            return Response.json(
                400, twilio_error(400, 21211, f"The 'To' number {to} is not valid.")
            )
        if not body:
            return Response.json(400, twilio_error(400, 21602, "Message body is required."))
        if not from_ and not service:
            return Response.json(
                400, twilio_error(400, 21603, "A 'From' phone number is required.")
            )
        if to in self.refused_numbers:
            code = self.refused_numbers[to]
            return Response.json(400, twilio_error(400, code, f"Refused {to}"))
        message = self._message(to, from_, body, service, self.clock())
        with self._lock:
            self.messages.append(message)
        return Response.json(201, message)

    def _list(self, request: RecordedRequest) -> Response:
        q = {k: v[0] for k, v in request.query.items()}
        with self._lock:
            found = list(reversed(self.messages))  # newest first
        found.sort(key=lambda m: _parse_rfc(m["date_created"]), reverse=True)
        if "To" in q:
            found = [m for m in found if m["to"] == q["To"]]
        if "From" in q:
            found = [m for m in found if m["from"] == q["From"]]
        # Like Twilio, DateSent filters match only messages that have left the queue.
        for key, keep in (
            ("DateSent", lambda sent, bound: sent.date() == bound.date()),
            ("DateSent<", lambda sent, bound: sent <= bound),
            ("DateSent>", lambda sent, bound: sent >= bound),
        ):
            if key in q:
                bound = _parse_day_or_time(q[key])
                found = [
                    m for m in found if m["date_sent"] and keep(_parse_rfc(m["date_sent"]), bound)
                ]
        size = int(q.get("PageSize", 50))
        page = int(q.get("Page", 0))
        chunk = found[page * size : (page + 1) * size]
        base = f"/2010-04-01/Accounts/{self.account_sid}/Messages.json"
        more = len(found) > (page + 1) * size
        kept = {k: v for k, v in q.items() if k not in ("Page", "PageSize")}
        extra = "&" + urlencode(kept) if kept else ""
        return Response.json(
            200,
            {
                "messages": chunk,
                "end": page * size + max(len(chunk) - 1, 0),
                "first_page_uri": f"{base}?PageSize={size}&Page=0{extra}",
                "next_page_uri": f"{base}?PageSize={size}&Page={page + 1}{extra}" if more else None,
                "page": page,
                "page_size": size,
                "previous_page_uri": None,
                "start": page * size,
                "uri": f"{base}?PageSize={size}&Page={page}{extra}",
            },
        )

    def _fetch(self, sid: str) -> Response:
        with self._lock:
            for m in self.messages:
                if m["sid"] == sid:
                    return Response.json(200, m)
        return Response.json(404, twilio_error(404, 20404, "The requested resource was not found"))


def _parse_rfc(value: str) -> datetime:
    return parsedate_to_datetime(value)
