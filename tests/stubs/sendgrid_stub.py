"""Enough of SendGrid's v3 Mail Send API for the real ``sendgrid`` SDK.

``POST /v3/mail/send`` checks the bearer key, the minimum shape of the payload
(a valid first recipient, a from address, content) and answers ``202`` with an
empty body and an ``X-Message-Id`` header, as SendGrid does. Accepted payloads
are kept in :attr:`SendGridStub.mails`.

Usage::

    with SendGridStub() as stub:
        channel = SendGridEmailChannel(stub.api_key, "nav@example.no", "NAV", host=stub.base_url)
        stub.fail_next(500)
"""

from __future__ import annotations

import re
import secrets
from typing import Any

from ._server import RecordedRequest, Response, StubServer

TEST_API_KEY = "SG.stubkey0123456789.abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"

_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


def sendgrid_error(message: str, field: str | None = None) -> dict[str, Any]:
    """The body SendGrid returns with a 4xx."""
    return {"errors": [{"message": message, "field": field, "help": None}]}


class SendGridStub(StubServer):
    def __init__(self, api_key: str = TEST_API_KEY) -> None:
        super().__init__()
        self.api_key = api_key
        #: Accepted payloads, each with the ``X-Message-Id`` we answered.
        self.mails: list[dict[str, Any]] = []

    def respond(self, request: RecordedRequest) -> Response:
        if request.path != "/v3/mail/send" or request.method != "POST":
            return Response.json(404, sendgrid_error("not found"))
        if request.headers.get("Authorization") != f"Bearer {self.api_key}":
            return Response.json(
                401,
                sendgrid_error("The provided authorization grant is invalid, expired, or revoked"),
            )
        payload = request.json
        if not isinstance(payload, dict):
            return Response.json(400, sendgrid_error("Bad Request"))
        try:
            to = payload["personalizations"][0]["to"][0]["email"]
        except (KeyError, IndexError, TypeError):
            return Response.json(
                400, sendgrid_error("The to array is required", "personalizations.0.to")
            )
        if not _EMAIL.fullmatch(to or ""):
            return Response.json(
                400,
                sendgrid_error(
                    "Does not contain a valid address.", "personalizations.0.to.0.email"
                ),
            )
        if not (payload.get("from") or {}).get("email"):
            return Response.json(400, sendgrid_error("The from email is required", "from.email"))
        if not payload.get("content"):
            return Response.json(
                400, sendgrid_error("The content value must be a string", "content")
            )
        message_id = secrets.token_urlsafe(16)
        with self._lock:
            self.mails.append({"message_id": message_id, "payload": payload})
        return Response(202, b"", {"X-Message-Id": message_id})
