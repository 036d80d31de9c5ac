"""Inbound SMS: a reply stops the ladder, STOP opts out, strangers are kept for staff."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import func, select

from outreach.inbound.sms_replies import OPT_IN_REPLY, OPT_OUT_REPLY, note_text
from outreach.models import Event, Task
from outreach.models.inbound import InboundMessage
from tests.stubs.twilio_stub import TwilioStub
from tests.test_webhooks_support import (
    INBOUND_PATH,
    TENANT_PHONE,
    configure_providers,
    events,
    get_case,
    inbound_params,
    kinds,
    letter_sent,
    open_case,
    post_inbound,
    post_twilio,
    run_due,
    sms_sent_through_twilio,
    steps,
)


def inbound_rows(rt: Any) -> list[InboundMessage]:
    with rt.session() as s:
        return list(s.scalars(select(InboundMessage).order_by(InboundMessage.id)))


def event_count(rt: Any) -> int:
    with rt.session() as s:
        return int(s.scalar(select(func.count()).select_from(Event)) or 0)


def test_reply_stops_the_ladder_and_cancels_pending_steps(rt: Any, client: Any, clock: Any) -> None:
    configure_providers(rt)
    with TwilioStub() as stub:
        case_id, _attempt_id, _callback = sms_sent_through_twilio(rt, clock, stub)
    before = steps(rt, case_id)
    assert before["home_visit"].status == "planned"
    assert before["unreachable_check"].status == "planned"
    clock.set(clock() + timedelta(hours=2))

    response = post_inbound(client, "1 takk, etter kl 12")
    assert response.status_code == 200
    assert response.mimetype == "text/xml"
    assert b"<Message>" not in response.data  # a reply gets no automatic answer

    case = get_case(rt, case_id)
    assert case.ladder_state == "responded"
    assert case.last_response_at == clock()
    after = steps(rt, case_id)
    assert after["home_visit"].status == "cancelled"
    assert after["unreachable_check"].status == "cancelled"
    assert after["home_visit"].detail == "tenant responded"
    with rt.session() as s:
        call = s.scalars(
            select(Task).where(Task.case_id == case_id, Task.kind == "phone_call")
        ).one()
    assert call.status == "cancelled"
    # The caseworker is told: a task in their work list, matching what was asked.
    with rt.session() as s:
        follow_up = s.scalars(
            select(Task).where(Task.case_id == case_id, Task.kind == "sms_reply_followup")
        ).one()
    assert follow_up.status == "open" and "ringt" in follow_up.title

    timeline = events(rt, case_id)
    reply = next(e for e in timeline if e.kind == "sms_reply_received")
    assert reply.data["intent"] == "call_me" and reply.data["keyword"] == "1"
    registered = next(e for e in timeline if e.kind == "response_registered")
    assert registered.channel == "sms_reply"
    assert registered.data["note"] == "1 takk, etter kl 12"
    [row] = inbound_rows(rt)
    assert (row.outcome, row.case_id, row.intent, row.review_status) == (
        "response",
        case_id,
        "call_me",
        "none",
    )

    # The cancelled rungs never run, even when their time comes.
    clock.set(clock() + timedelta(days=14))
    run_due(rt)
    assert steps(rt, case_id)["home_visit"].status == "cancelled"


def test_reply_text_is_truncated_on_the_timeline_but_kept_whole(rt: Any, client: Any) -> None:
    configure_providers(rt)
    case_id = letter_sent(rt)
    text = "Hei! " + "Jeg har snakket med utleier. " * 30
    post_inbound(client, text)
    note = next(e for e in events(rt, case_id) if e.kind == "response_registered").data["note"]
    assert len(note) == 300 and note.endswith("…")
    assert inbound_rows(rt)[0].body == text
    assert note_text("a\x00b\nc") == "a b c"


def test_the_same_message_delivered_twice_counts_once(rt: Any, client: Any) -> None:
    configure_providers(rt)
    case_id = letter_sent(rt)
    params = inbound_params("Ring meg")
    for _ in range(2):
        assert post_twilio(client, "http://localhost" + INBOUND_PATH, params).status_code == 200
    assert len(inbound_rows(rt)) == 1
    assert kinds(rt, case_id).count("response_registered") == 1


def test_stop_opts_out_of_sms_only(rt: Any, client: Any, clock: Any) -> None:
    configure_providers(rt)
    case_id = letter_sent(rt)
    response = post_inbound(client, " Stopp! ")
    assert response.status_code == 200
    assert response.data.decode().endswith(
        f"<Response><Message>{OPT_OUT_REPLY}</Message></Response>"
    )

    case = get_case(rt, case_id)
    assert case.person.sms_opted_out_at == clock()
    assert case.ladder_state == "running"  # not a response: the other channels go on
    opted = next(e for e in events(rt, case_id) if e.kind == "sms_opted_out")
    assert opted.channel == "sms" and opted.data["keyword"] == "stopp"
    assert "response_registered" not in kinds(rt, case_id)

    # A week later the SMS rung is skipped, and the ladder moves on without it.
    clock.set(clock() + timedelta(days=7))
    run_due(rt)
    by_rule = steps(rt, case_id)
    assert by_rule["sms"].status == "skipped"
    assert by_rule["sms"].detail == "opted out of SMS"
    assert by_rule["phone_task"].status == "done"
    assert by_rule["home_visit"].due_at <= clock() + timedelta(hours=1)


def test_stop_in_another_language_and_start_again(rt: Any, client: Any, clock: Any) -> None:
    configure_providers(rt)
    case_id = letter_sent(rt)
    assert b"<Message>" in post_inbound(client, "توقف").data
    assert get_case(rt, case_id).person.sms_opted_out_at is not None
    response = post_inbound(client, "START")
    assert OPT_IN_REPLY.split(" / ")[1].encode() in response.data
    assert get_case(rt, case_id).person.sms_opted_out_at is None
    assert kinds(rt, case_id)[-2:] == ["sms_opted_out", "sms_opted_in"]


def test_stop_inside_a_sentence_is_a_reply(rt: Any, client: Any) -> None:
    configure_providers(rt)
    case_id = letter_sent(rt)
    post_inbound(client, "Stop, I paid the rent yesterday")
    case = get_case(rt, case_id)
    assert case.person.sms_opted_out_at is None
    assert case.ladder_state == "responded"


def test_unknown_number_is_kept_for_staff(rt: Any, client: Any) -> None:
    configure_providers(rt)
    case_id = letter_sent(rt)
    before = event_count(rt)
    response = post_inbound(client, "Hei, hvem er dette?", sender="+4798765432")
    assert response.status_code == 200
    assert b"<Message>" not in response.data
    [row] = inbound_rows(rt)
    assert (row.outcome, row.review_status, row.case_id) == ("unknown_sender", "open", None)
    assert row.from_number == "+4798765432" and row.body == "Hei, hvem er dette?"
    assert event_count(rt) == before
    assert get_case(rt, case_id).ladder_state == "running"


def test_a_number_shared_by_two_open_cases_is_not_guessed(rt: Any, client: Any) -> None:
    configure_providers(rt)
    first = open_case(rt)
    second = open_case(
        rt,
        source={"reference": "NF-2"},
        tenant={
            "name": "Omar Hassan",
            "birth_date": "1985-02-03",
            "address": {"street": "Kolstadgata 3", "postal_code": "0652", "city": "Oslo"},
        },
    )
    assert first != second
    before = event_count(rt)
    post_inbound(client, "1")
    [row] = inbound_rows(rt)
    assert (row.outcome, row.review_status, row.case_id) == ("ambiguous_sender", "open", None)
    assert sorted(row.candidate_case_ids) == sorted([first, second])
    assert event_count(rt) == before
    assert {get_case(rt, first).ladder_state, get_case(rt, second).ladder_state} == {"running"}


def test_a_closed_case_does_not_take_replies(rt: Any, client: Any) -> None:
    from outreach.cases.response import close_case
    from outreach.models import Case

    configure_providers(rt)
    case_id = open_case(rt)
    with rt.session() as s:
        case = s.get(Case, case_id)
        assert case is not None
        close_case(s, rt, case, outcome="paid")
    post_inbound(client, "Ring meg")
    assert inbound_rows(rt)[0].outcome == "unknown_sender"


def test_inbound_requires_a_valid_signature(rt: Any, client: Any) -> None:
    configure_providers(rt)
    case_id = letter_sent(rt)
    params = inbound_params("1")
    url = "http://localhost" + INBOUND_PATH
    assert post_twilio(client, url, params, token="0" * 32).status_code == 403
    assert client.post(url, data=params).status_code == 403
    assert inbound_rows(rt) == []
    assert get_case(rt, case_id).ladder_state == "running"


def test_yes_means_what_the_sms_offered(rt: Any, client: Any) -> None:
    configure_providers(rt)
    case_id = letter_sent(rt)
    post_inbound(client, "Ja takk")
    reply = next(e for e in events(rt, case_id) if e.kind == "sms_reply_received")
    assert reply.data["intent"] == "call_me"
    assert TENANT_PHONE not in str(reply.data)
