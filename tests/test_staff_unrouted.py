"""Unrouted cases: central intake sees them as such in the queue and sends them to a district."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from outreach.models import Case, Event
from tests.test_staff_support import csrf_token, login, make_user, new_case, text_of

UNROUTED = {"address": {"street": "Ukjentveien 99", "postal_code": "0999"}}


def test_queue_shows_the_district_and_filters_the_unrouted(client: Any, rt: Any) -> None:
    make_user(rt, "mottak", roles="central_intake", districts="030101")
    routed = new_case(rt)
    unrouted = new_case(
        rt, source={"reference": "NF-2"}, tenant={"name": "Ola Nordmann", **UNROUTED}
    )
    assert unrouted.district is None
    login(client, "mottak")
    page = text_of(client.get("/staff/"))
    assert routed.case_reference in page and unrouted.case_reference in page
    assert "Gamle Oslo" in page and "Uten bydel" in page
    assert 'name="bydel"' in page
    only = text_of(client.get("/staff/?bydel=uten-bydel"))
    assert unrouted.case_reference in only and routed.case_reference not in only
    gamle = text_of(client.get("/staff/?bydel=030101"))
    assert routed.case_reference in gamle and unrouted.case_reference not in gamle
    # A district the user does not see is ignored, not a way around the scope.
    assert routed.case_reference in text_of(client.get("/staff/?bydel=030102"))


def test_a_caseworker_of_one_district_gets_no_district_filter(client: Any, rt: Any) -> None:
    make_user(rt)
    new_case(rt)
    login(client)
    page = text_of(client.get("/staff/"))
    assert 'name="bydel"' not in page and "Gamle Oslo" in page


def test_central_intake_routes_an_unrouted_case_from_the_case_page(client: Any, rt: Any) -> None:
    make_user(rt, "mottak", roles="central_intake", districts="")
    case = new_case(rt, tenant=UNROUTED)
    login(client, "mottak")
    page = f"/staff/saker/{case.case_id}"
    assert client.get(page).status_code == 200
    response = client.post(
        f"{page}/videresend",
        data={
            "csrf_token": csrf_token(client, page),
            "forward-district": "030102",
            "forward-reason": "Bor på Grünerløkka etter folkeregisteret",
        },
    )
    assert response.status_code == 302
    # No longer central intake's case: back to the queue.
    assert response.headers["Location"].endswith("/staff/")
    with rt.session() as session:
        assert session.get(Case, case.case_id).district_code == "030102"
        routed = session.scalars(
            select(Event).where(Event.case_id == case.case_id, Event.kind == "routed")
        ).all()
        assert routed[-1].actor == "mottak" and routed[-1].data["to_district"] == "030102"
    assert client.get(page).status_code == 404


def test_central_intake_routes_an_unrouted_case_through_the_api(client: Any, rt: Any) -> None:
    from outreach.demo import ensure_user
    from outreach.staff.tokens import issue_token

    case = new_case(rt, tenant=UNROUTED)
    routed = new_case(rt, source={"reference": "NF-2"}, tenant={"name": "Ola Nordmann"})
    with rt.session() as session:
        user = ensure_user(session, "mottak", "Mottak", roles="central_intake", districts="")
        token = issue_token(session, "intake", user)
        session.commit()
    auth = {"Authorization": f"Bearer {token}"}
    body = {"district": "030102", "reason": "Bor på Grünerløkka"}
    # A routed case is another district's: not found.
    assert (
        client.post(f"/api/v1/cases/{routed.case_id}/district", json=body, headers=auth).status_code
        == 404
    )
    response = client.post(f"/api/v1/cases/{case.case_id}/district", json=body, headers=auth)
    assert response.status_code == 200, response.json
    assert response.json == {"case_id": case.case_id, "district": "030102"}
