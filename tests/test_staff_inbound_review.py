"""Replies from unknown numbers: a staff queue; attach to a case (a response) or dismiss."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from outreach.cases import response as cases_response
from outreach.inbound.review import mask_number
from outreach.inbound.sms_replies import receive_sms
from outreach.ladder import cancel
from outreach.models import Case, Event, Step, Task
from outreach.models.inbound import InboundMessage
from outreach.models.staff import CaseAccess
from tests.test_staff_support import csrf_token, login, make_user, new_case, text_of

UNKNOWN = "+4798765432"
UNROUTED = {"address": {"street": "Ukjentveien 99", "postal_code": "0999"}}


def _sms(
    rt: Any, number: str = UNKNOWN, body: str = "Hei, dette er Amina. Ring meg", sid: str = "SM1"
) -> int:
    with rt.session() as session:
        result = receive_sms(session, rt, message_sid=sid, from_number=number, body=body)
    assert result.outcome in {"unknown_sender", "ambiguous_sender"}
    return result.inbound_id


def _post(client: Any, message_id: int, action: str, **data: str) -> Any:
    page = f"/staff/sms-svar/{message_id}"
    return client.post(f"{page}/{action}", data={"csrf_token": csrf_token(client, page), **data})


def test_mask_keeps_only_the_last_three_digits() -> None:
    assert mask_number("+4798765432") == "•••••••432"
    assert mask_number("12") == "••"


def test_central_intake_attaches_a_reply_and_the_ladder_stops(client: Any, rt: Any) -> None:
    make_user(rt, "mottak", roles="central_intake", districts="")
    case = new_case(rt, tenant=UNROUTED)
    assert case.district is None  # unrouted: central intake's own
    message_id = _sms(rt)
    with rt.session() as session:
        assert session.scalars(
            select(Step).where(Step.case_id == case.case_id, Step.status == "planned")
        ).all()
    login(client, "mottak")
    assert "/staff/sms-svar" in text_of(client.get("/staff/"))
    listing = text_of(client.get("/staff/sms-svar"))
    assert "•••••••432" in listing and UNKNOWN not in listing
    assert "Ring meg" not in listing
    with rt.session() as session:
        assert not session.scalars(
            select(CaseAccess).where(CaseAccess.purpose == "inbound_sms")
        ).all()

    detail = text_of(client.get(f"/staff/sms-svar/{message_id}"))
    assert UNKNOWN in detail and "Ring meg" in detail
    with rt.session() as session:
        [row] = session.scalars(select(CaseAccess).where(CaseAccess.purpose == "inbound_sms"))
        assert row.district_code is None and row.case_id is None

    # A made-up reference: refused, nothing changes.
    assert _post(client, message_id, "knytt", reference="OUT-2026-999999").status_code == 400
    response = _post(client, message_id, "knytt", reference=case.case_reference.lower())
    assert response.status_code == 302
    with rt.session() as session:
        message = session.get(InboundMessage, message_id)
        assert (message.review_status, message.case_id, message.outcome) == (
            "done",
            case.case_id,
            "response",
        )
        stored = session.get(Case, case.case_id)
        assert stored.ladder_state == "responded"
        assert stored.last_response_at == message.received_at
        steps = session.scalars(select(Step).where(Step.case_id == case.case_id)).all()
        assert any(st.status == "cancelled" for st in steps)
        # What is still planned is what a response does not stop (a copy, a review).
        assert all(
            not rt.policy.by_name[st.rule].stops_on_response or st.rule in cancel.SURVIVES_RESPONSE
            for st in steps
            if st.status == "planned"
        )
        kinds = {
            e.kind: e for e in session.scalars(select(Event).where(Event.case_id == case.case_id))
        }
        assert "sms_reply_attached" in kinds and kinds["sms_reply_attached"].actor == "mottak"
        assert "Ring meg" in kinds["response_registered"].data["note"]
        assert session.scalars(
            select(Task).where(Task.case_id == case.case_id, Task.kind == "sms_reply_followup")
        ).one()
    assert text_of(client.get("/staff/sms-svar")).count("•••") == 0
    timeline = text_of(client.get(f"/staff/saker/{case.case_id}"))
    assert "Svar på SMS fra ukjent nummer knyttet til saken" in timeline
    assert "Ring meg" in timeline
    # Handled once: a second attach is refused.
    assert _post(client, message_id, "knytt", reference=case.case_reference).status_code == 400


def test_a_case_the_user_cannot_see_is_not_found(client: Any, rt: Any) -> None:
    make_user(rt, "mottak", roles="central_intake", districts="")
    routed = new_case(rt)  # Gamle Oslo: not central intake's
    message_id = _sms(rt)
    login(client, "mottak")
    response = _post(client, message_id, "knytt", reference=routed.case_reference)
    assert response.status_code == 400
    assert "Fant ingen sak" in text_of(response)
    with rt.session() as session:
        assert session.get(InboundMessage, message_id).review_status == "open"
        assert session.get(Case, routed.case_id).ladder_state == "running"


def test_a_lead_sees_replies_from_numbers_of_their_district_only(client: Any, rt: Any) -> None:
    make_user(rt, "leder", roles="district_lead", districts="030101")
    make_user(rt, "nabo", roles="district_lead", districts="030102")
    make_user(rt)  # a caseworker: no queue
    earlier = new_case(rt, tenant={"phone": "+4741112223"})
    with rt.session() as session:
        cases_response.close_case(session, rt, session.get(Case, earlier.case_id), outcome="paid")
        session.commit()
    known = _sms(rt, "+4741112223", "Hei igjen", "SM-known")
    stranger = _sms(rt, UNKNOWN, "Vinn en bil", "SM-spam")

    login(client, "leder")
    listing = text_of(client.get("/staff/sms-svar"))
    assert "223" in listing and "432" not in listing
    assert client.get(f"/staff/sms-svar/{stranger}").status_code == 404
    assert client.get(f"/staff/sms-svar/{known}").status_code == 200
    with rt.session() as session:
        [row] = session.scalars(select(CaseAccess).where(CaseAccess.purpose == "inbound_sms"))
        assert row.district_code == "030101"
    # The lead's access log shows the opening.
    assert "Så et SMS-svar med hele nummeret" in text_of(client.get("/staff/leder/tilgangslogg"))
    client.post("/staff/logg-ut", data={"csrf_token": csrf_token(client, "/staff/")})

    login(client, "nabo")
    assert "223" not in text_of(client.get("/staff/sms-svar"))
    client.post("/staff/logg-ut", data={"csrf_token": csrf_token(client, "/staff/")})
    login(client, "kari")
    assert client.get("/staff/sms-svar").status_code == 403


def test_dismiss_needs_a_reason_and_records_it(client: Any, rt: Any) -> None:
    make_user(rt, "mottak", roles="central_intake", districts="")
    message_id = _sms(rt, body="Vinn en bil")
    login(client, "mottak")
    assert _post(client, message_id, "avvis", reason="  ").status_code == 400
    response = _post(client, message_id, "avvis", reason="Reklame")
    assert response.status_code == 302
    with rt.session() as session:
        message = session.get(InboundMessage, message_id)
        assert (message.review_status, message.review_reason, message.case_id) == (
            "done",
            "Reklame",
            None,
        )
        assert message.reviewed_by is not None


def test_dismissing_a_shared_number_reply_is_on_each_cases_timeline(client: Any, rt: Any) -> None:
    make_user(rt, "mottak", roles="central_intake", districts="")
    shared = "+4741234567"  # the factory's tenant phone
    one = new_case(rt)
    two = new_case(
        rt, source={"reference": "NF-2"}, tenant={"name": "Ali Hassan", "birth_date": "1985-01-01"}
    )
    message_id = _sms(rt, shared, "Hei", "SM-shared")
    login(client, "mottak")
    assert _post(client, message_id, "avvis", reason="Uklart hvem").status_code == 302
    with rt.session() as session:
        for case_id in (one.case_id, two.case_id):
            assert session.scalars(
                select(Event).where(Event.case_id == case_id, Event.kind == "sms_reply_dismissed")
            ).one()
