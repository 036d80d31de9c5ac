"""Provider webhooks: Twilio status callbacks and inbound SMS, SendGrid events.

The signature is checked before anything is read into the database (STYLE.md
habit 9): a request that does not verify gets 403 and changes nothing. The
views then call one action each (``outreach.inbound.receipts``, ``outreach.inbound``)
and answer at once – Twilio waits at most 15 seconds, and SendGrid retries
anything that is not a 2xx for three days, which dedupe makes harmless.

* Twilio signs the exact URL it called plus the form parameters. Behind the
  proxy, ``request.url`` is the public URL (the app has ``ProxyFix``);
  ``Settings.public_base_url`` (``OUTREACH_PUBLIC_URL``) is tried as well, for
  a proxy that does not pass ``X-Forwarded-*``.
* SendGrid signs timestamp + raw body with ECDSA; the timestamp must be fresh
  (``channels.signatures.verify_sendgrid``) against the service's clock.

Nothing here logs a phone number, an address or a message text.
"""

from __future__ import annotations

import json
import logging
from collections import Counter
from typing import Any

from flask import Blueprint, Response, jsonify, request
from twilio.twiml.messaging_response import MessagingResponse

from channels.signatures import (
    SENDGRID_SIGNATURE_HEADER,
    SENDGRID_TIMESTAMP_HEADER,
    TWILIO_SIGNATURE_HEADER,
    verify_sendgrid,
    verify_twilio,
)
from outreach.inbound import receipts, sms_replies
from outreach.permissions import Audience, open_to
from outreach.web.context import db_session, rt

log = logging.getLogger(__name__)

bp = Blueprint("webhooks", __name__, url_prefix="/webhooks")

#: How old (or how far ahead) a SendGrid timestamp may be: SendGrid posts at
#: once, and a captured request must not be replayable later.
SENDGRID_MAX_AGE_S = 300


def _forbidden() -> Response:
    return Response("Forbidden", status=403, mimetype="text/plain")


def _twilio_urls() -> list[str]:
    urls = [request.url]
    base = rt().settings.public_base_url.rstrip("/")
    if base:
        query = request.query_string.decode("latin-1")
        public = base + request.script_root + request.path + (f"?{query}" if query else "")
        if public not in urls:
            urls.append(public)
    return urls


def _twilio_verified() -> bool:
    token = rt().settings.provider_settings.get("TWILIO_AUTH_TOKEN", "")
    signature = request.headers.get(TWILIO_SIGNATURE_HEADER)
    verified = any(verify_twilio(token, url, request.form, signature) for url in _twilio_urls())
    if not verified:
        log.warning("refused a Twilio webhook to %s: signature does not verify", request.path)
    return verified


def _twiml(text: str | None = None) -> Response:
    response = MessagingResponse()
    if text:
        response.message(text)
    return Response(str(response), status=200, mimetype="text/xml")


@bp.post("/twilio/status")
@open_to(Audience.PROVIDER)
def twilio_status() -> Any:
    if not _twilio_verified():
        return _forbidden()
    event = receipts.twilio_event(request.form, request.args.get("attempt_id"), rt().now())
    if event is None:
        return Response(
            "MessageSid and MessageStatus are required", status=400, mimetype="text/plain"
        )
    receipts.apply_event(db_session(), rt(), event)
    return Response(status=204)


@bp.post("/twilio/inbound")
@open_to(Audience.PROVIDER)
def twilio_inbound() -> Any:
    if not _twilio_verified():
        return _forbidden()
    sid = request.form.get("MessageSid") or request.form.get("SmsSid")
    sender = request.form.get("From")
    if not sid or not sender:
        return Response("MessageSid and From are required", status=400, mimetype="text/plain")
    result = sms_replies.receive_sms(
        db_session(),
        rt(),
        message_sid=sid,
        from_number=sender,
        to_number=request.form.get("To", ""),
        body=request.form.get("Body", ""),
    )
    return _twiml(result.reply)


@bp.post("/sendgrid/events")
@open_to(Audience.PROVIDER)
def sendgrid_events() -> Any:
    raw = request.get_data(cache=True)  # the exact bytes SendGrid signed
    key = rt().settings.provider_settings.get("SENDGRID_WEBHOOK_PUBLIC_KEY", "")
    if not verify_sendgrid(
        key,
        raw,
        request.headers.get(SENDGRID_SIGNATURE_HEADER),
        request.headers.get(SENDGRID_TIMESTAMP_HEADER),
        now=rt().now(),
        max_age_s=SENDGRID_MAX_AGE_S,
    ):
        log.warning("refused a SendGrid webhook: signature or timestamp does not verify")
        return _forbidden()
    try:
        events = json.loads(raw)
    except ValueError:
        return Response("Expected a JSON array of events", status=400, mimetype="text/plain")
    if not isinstance(events, list):
        return Response("Expected a JSON array of events", status=400, mimetype="text/plain")
    counts: Counter[str] = Counter()
    session = db_session()
    now = rt().now()
    for item in events:
        event = receipts.sendgrid_event(item, now) if isinstance(item, dict) else None
        if event is None:
            counts["ignored"] += 1
            continue
        counts[receipts.apply_event(session, rt(), event).result] += 1
    return jsonify(dict(counts))
