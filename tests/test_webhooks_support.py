"""Helpers shared by the webhook, delivery and inbound tests (no tests here).

Cases are made by the real intake and their steps run by the real job code
(``execute_step``), as ``outreach.simulate`` does, on the ``clock`` fixture.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import replace
from datetime import timedelta
from typing import Any

from sqlalchemy import select, update

from channels.sms_twilio import TwilioSmsChannel
from outreach.intake.accept import accept_trigger
from outreach.intake.schema import load_trigger
from outreach.jobs.execute.run import execute_step
from outreach.models import Attempt, AttemptStatus, Case, Event, Step
from outreach.reach.letter.batches import open_batches, post_batch, render_batch
from tests.factories import trigger
from tests.stubs.signing import SendGridSigner, twilio_signature
from tests.stubs.twilio_stub import TEST_AUTH_TOKEN, TwilioStub

TENANT_PHONE = "+4741234567"  # tests.factories.trigger's tenant
STATUS_URL = "http://localhost/webhooks/twilio/status"
INBOUND_PATH = "/webhooks/twilio/inbound"


def configure_providers(rt: Any, **extra: str) -> SendGridSigner:
    """Give the runtime a Twilio auth token and a SendGrid public key.

    The channels are built first, from settings without credentials, so they
    stay the outbox (a token alone would be a half-configured Twilio).
    """
    _ = rt.channels
    signer = SendGridSigner()
    rt.settings = replace(
        rt.settings,
        provider_settings={
            **rt.settings.provider_settings,
            "TWILIO_AUTH_TOKEN": TEST_AUTH_TOKEN,
            "SENDGRID_WEBHOOK_PUBLIC_KEY": signer.public_key_base64,
            **extra,
        },
    )
    return signer


def open_case(rt: Any, **overrides: Any) -> int:
    session = rt.new_session()
    try:
        return accept_trigger(session, rt, load_trigger(trigger(**overrides), now=rt.now())).case_id
    finally:
        session.close()


def run_due(rt: Any) -> list[str]:
    """Run every due step through the job code, in due order."""
    with rt.session() as s:
        due = list(
            s.scalars(
                select(Step.id)
                .where(Step.status == "planned", Step.due_at <= rt.now())
                .order_by(Step.due_at, Step.id)
            )
        )
        for step_id in due:
            s.execute(update(Step).where(Step.id == step_id).values(status="queued"))
    return [execute_step(rt, step_id).result for step_id in due]


def steps(rt: Any, case_id: int) -> dict[str, Step]:
    with rt.session() as s:
        return {st.rule: st for st in s.scalars(select(Step).where(Step.case_id == case_id))}


def events(rt: Any, case_id: int) -> list[Event]:
    with rt.session() as s:
        return list(s.scalars(select(Event).where(Event.case_id == case_id).order_by(Event.id)))


def kinds(rt: Any, case_id: int) -> list[str]:
    return [e.kind for e in events(rt, case_id)]


def get_case(rt: Any, case_id: int) -> Case:
    with rt.session() as s:
        case = s.get(Case, case_id)
        assert case is not None
        _ = case.person
        return case


def get_attempt(rt: Any, attempt_id: int) -> Attempt:
    with rt.session() as s:
        attempt = s.get(Attempt, attempt_id)
        assert attempt is not None
        return attempt


def history(rt: Any, attempt_id: int) -> list[str]:
    with rt.session() as s:
        return list(
            s.scalars(
                select(AttemptStatus.status)
                .where(AttemptStatus.attempt_id == attempt_id)
                .order_by(AttemptStatus.id)
            )
        )


def twilio_channel(stub: TwilioStub) -> TwilioSmsChannel:
    return TwilioSmsChannel(
        stub.account_sid,
        stub.auth_token,
        from_number=stub.from_number,
        base_url=stub.base_url,
        status_callback_url=STATUS_URL,
        timeout=2.0,
    )


def letter_sent(rt: Any, **overrides: Any) -> int:
    """A case whose letter went out; the SMS rung is due a week later."""
    case_id = open_case(rt, **overrides)
    run_due(rt)
    with rt.session() as session:  # staff render and post the print batch
        for batch in open_batches(session):
            render_batch(session, rt, batch.id, pdf=False)
            post_batch(session, rt, batch.id, actor="test")
    assert steps(rt, case_id)["letter"].status == "done"
    return case_id


def sms_sent_through_twilio(rt: Any, clock: Any, stub: TwilioStub) -> tuple[int, int, str]:
    """(case id, attempt id, status callback URL) after the SMS rung went to the Twilio stub."""
    case_id = letter_sent(rt)
    rt.channels["sms"] = twilio_channel(stub)
    clock.set(clock() + timedelta(days=7))
    run_due(rt)
    sms = steps(rt, case_id)["sms"]
    assert sms.status == "done", sms.detail
    with rt.session() as s:
        attempt = s.scalars(select(Attempt).where(Attempt.step_id == sms.id)).one()
    callback = stub.creates()[-1].form_value("StatusCallback")
    assert callback is not None
    return case_id, attempt.id, callback


def make_attempt(
    rt: Any,
    case_id: int,
    *,
    channel: str = "sms",
    rule: str = "sms",
    status: str = "queued",
    provider_ref: str | None = None,
    recipient: str = TENANT_PHONE,
) -> int:
    """An attempt row as the job leaves it after the provider answered."""
    with rt.session() as s:
        step = Step(
            case_id=case_id,
            rule=rule,
            key=f"test:{uuid.uuid4().hex[:8]}",
            channel=channel,
            due_at=rt.now(),
            status="done",
            params={},
        )
        s.add(step)
        s.flush()
        attempt = Attempt(
            step_id=step.id,
            case_id=case_id,
            try_no=1,
            channel=channel,
            recipient=recipient,
            status=status,
            provider_ref=provider_ref,
            created_at=rt.now(),
            updated_at=rt.now(),
        )
        s.add(attempt)
        s.flush()
        return attempt.id


def post_twilio(
    client: Any,
    url: str,
    params: dict[str, str],
    *,
    token: str = TEST_AUTH_TOKEN,
    signed_url: str | None = None,
    headers: dict[str, str] | None = None,
) -> Any:
    """POST a form to ``url`` (absolute, as Twilio calls it) with Twilio's signature."""
    signature = twilio_signature(token, signed_url or url, params)
    return client.post(
        url, data=params, headers={"X-Twilio-Signature": signature, **(headers or {})}
    )


def status_params(sid: str, status: str, **extra: str) -> dict[str, str]:
    return {
        "MessageSid": sid,
        "SmsSid": sid,
        "MessageStatus": status,
        "SmsStatus": status,
        "AccountSid": "AC" + "0123456789abcdef" * 2,
        "From": "+4759000001",
        "To": TENANT_PHONE,
        "ApiVersion": "2010-04-01",
        **extra,
    }


def inbound_params(
    body: str, *, sender: str = TENANT_PHONE, sid: str | None = None
) -> dict[str, str]:
    sid = sid or "SM" + uuid.uuid4().hex
    return {
        "MessageSid": sid,
        "SmsSid": sid,
        "SmsMessageSid": sid,
        "AccountSid": "AC" + "0123456789abcdef" * 2,
        "From": sender,
        "To": "+4759000001",
        "Body": body,
        "NumMedia": "0",
        "NumSegments": "1",
        "FromCountry": "NO",
        "ApiVersion": "2010-04-01",
    }


def post_inbound(client: Any, body: str, **kw: Any) -> Any:
    return post_twilio(client, "http://localhost" + INBOUND_PATH, inbound_params(body, **kw))


def sendgrid_body(*events: dict[str, Any]) -> bytes:
    return json.dumps(list(events), separators=(",", ":")).encode("utf-8")


def post_sendgrid(client: Any, signer: SendGridSigner, raw: bytes, timestamp: str) -> Any:
    return client.post(
        "/webhooks/sendgrid/events",
        data=raw,
        headers={**signer.headers(raw, timestamp), "Content-Type": "application/json"},
    )
