"""Naming a case's caseworker: «Ta saken», «Tildel saksbehandler», the API (issue 5)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from outreach.cases.contact import contact_person
from outreach.cases.flags import raise_flag
from outreach.models import Case, Event, Flag
from outreach.workdays import parse_offset
from tests.test_staff_support import csrf_token, login, make_user, new_case, text_of


def _flag(rt: Any, case_id: int) -> int:
    with rt.session() as session:
        case = session.get(Case, case_id)
        flag = raise_flag(
            session, rt, case, "child_welfare_assessment", rt.now(), parse_offset("2wd")
        )
        assert flag is not None
        flag.assignee_id = None
        return int(flag.id)


def test_take_the_case_names_me_in_my_cases_letters_and_open_flags(client: Any, rt: Any) -> None:
    kari = make_user(rt)
    result = new_case(rt)
    flag_id = _flag(rt, result.case_id)
    login(client)
    case = f"/staff/saker/{result.case_id}"
    assert "Amina Hassan" not in text_of(client.get("/staff/?mine=1"))
    page = text_of(client.get(case))
    assert "Ta saken" in page and "Tildel saksbehandler" not in page  # not a lead
    response = client.post(f"{case}/ta", data={"csrf_token": csrf_token(client, case)})
    assert response.status_code == 302
    page = text_of(client.get(response.headers["Location"]))
    assert "Kari Testesen er saksbehandler for saken." in page
    assert "Saksbehandler tildelt" in page and "saksbehandler: Kari Testesen" in page
    with rt.session() as session:
        row = session.get(Case, result.case_id)
        assert row.caseworker_id == kari
        assert contact_person(row) == ("Kari Testesen", "+4721000111")
        assert session.get(Flag, flag_id).assignee_id == kari
        event = session.scalar(select(Event).where(Event.kind == "caseworker_assigned"))
        assert event.actor == "kari" and event.data == {"caseworker": "kari", "flag_ids": [flag_id]}
    assert "Amina Hassan" in text_of(client.get("/staff/?mine=1"))
    # Taken already: the button is gone.
    assert "Ta saken" not in text_of(client.get(case))


def test_only_a_lead_assigns_and_only_to_a_caseworker_of_the_district(client: Any, rt: Any) -> None:
    kari = make_user(rt)
    make_user(rt, "nils", districts="030102")
    make_user(rt, "lead", roles="caseworker,district_lead")
    result = new_case(rt)
    case = f"/staff/saker/{result.case_id}"
    login(client)  # kari, a caseworker: may not give the case away
    token = csrf_token(client, case)
    assert (
        client.post(
            f"{case}/saksbehandler", data={"csrf_token": token, "caseworker-caseworker": str(kari)}
        ).status_code
        == 403
    )
    lead = client.application.test_client()
    login(lead, "lead")
    page = text_of(lead.get(case))
    assert "Tildel saksbehandler" in page and "Nils Testesen" not in page
    token = csrf_token(lead, case)
    bad = lead.post(
        f"{case}/saksbehandler", data={"csrf_token": token, "caseworker-caseworker": ""}
    )
    assert bad.status_code == 400 and "Velg saksbehandler." in text_of(bad)
    ok = lead.post(
        f"{case}/saksbehandler", data={"csrf_token": token, "caseworker-caseworker": str(kari)}
    )
    assert ok.status_code == 302
    with rt.session() as session:
        assert session.get(Case, result.case_id).caseworker_id == kari
        event = session.scalar(select(Event).where(Event.kind == "caseworker_assigned"))
        assert (event.actor, event.data["caseworker"]) == ("lead", "kari")


def _api(client: Any, token: str, case_id: int, body: dict[str, Any]) -> Any:
    return client.post(
        f"/api/v1/cases/{case_id}/caseworker",
        json=body,
        headers={"Authorization": f"Bearer {token}"},
    )


def test_api_takes_or_assigns_with_the_district_check(
    client: Any, rt: Any, staff_token: str
) -> None:
    from outreach.models import User
    from outreach.staff.tokens import issue_token

    make_user(rt, "nils", districts="030102")
    make_user(rt, "lead", roles="caseworker,district_lead")
    result = new_case(rt)
    with rt.session() as session:
        nils_token = issue_token(
            session, "nils", session.scalar(select(User).where(User.username == "nils"))
        )
        lead_token = issue_token(
            session, "lead", session.scalar(select(User).where(User.username == "lead"))
        )
    assert _api(client, nils_token, result.case_id, {}).status_code == 404
    assert _api(client, staff_token, result.case_id, {"username": "lead"}).status_code == 403
    assert _api(client, lead_token, result.case_id, {"username": "nils"}).status_code == 422
    assert _api(client, lead_token, result.case_id, {"username": "nobody"}).status_code == 422
    response = _api(client, staff_token, result.case_id, {})
    assert response.status_code == 200 and response.json["caseworker"] == "kari"
    response = _api(client, lead_token, result.case_id, {"username": "lead"})
    assert response.status_code == 200
    with rt.session() as session:
        events = session.scalars(
            select(Event).where(Event.kind == "caseworker_assigned").order_by(Event.id)
        ).all()
        assert [(e.actor, e.data["caseworker"], e.data.get("previous")) for e in events] == [
            ("kari", "kari", None),
            ("lead", "lead", "kari"),
        ]
