"""Doubtful matches on the staff pages: who sees them, what is shown and logged, the decision."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from outreach.cases import response as cases_response
from outreach.models import Case, Event, MatchReview
from outreach.models.staff import CaseAccess
from tests.test_staff_support import csrf_token, login, make_user, new_case, text_of

NEW_ADDRESS = {"address": {"street": "Grønlandsleiret 5", "postal_code": "0190"}}


def _pair(rt: Any, district: str = "030101") -> tuple[Any, Any]:
    first = new_case(rt)
    second = new_case(rt, source={"reference": "NF-2"}, tenant=NEW_ADDRESS, district=district)
    assert second.review_id is not None
    return first, second


def _close(rt: Any, case_id: int) -> None:
    with rt.session() as session:
        case = session.get(Case, case_id)
        cases_response.close_case(session, rt, case, outcome="paid")
        session.commit()


def _decide(client: Any, review_id: int, decision: str) -> Any:
    page = f"/staff/dobbeltsjekk/{review_id}"
    return client.post(page, data={"csrf_token": csrf_token(client, page), "decision": decision})


def test_case_page_links_to_the_review_and_the_pair_is_shown_and_logged(
    client: Any, rt: Any
) -> None:
    make_user(rt)
    first, second = _pair(rt)
    login(client)
    case_page = text_of(client.get(f"/staff/saker/{second.case_id}"))
    link = f"/staff/dobbeltsjekk/sak/{second.case_id}"
    assert link in case_page
    response = client.get(link)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/staff/dobbeltsjekk/{second.review_id}")

    listing = text_of(client.get("/staff/dobbeltsjekk"))
    assert second.case_reference in listing and first.case_reference in listing
    assert "Amina Hassan" not in listing  # the list shows no names
    with rt.session() as session:
        assert not session.scalars(
            select(CaseAccess).where(CaseAccess.purpose == "match_review")
        ).all()

    page = text_of(client.get(f"/staff/dobbeltsjekk/{second.review_id}"))
    assert "Amina Hassan" in page and "Grønlandsleiret 5" in page and "Tøyengata 12" in page
    assert "12.04.1988" in page or "12.4.1988" in page
    # The matcher's reasons in the UI's language (issue 12, item 14), like on the timeline.
    assert "navn og fødselsdato; adressen er en annen" in page
    assert "address differs" not in page and "address differs" not in listing
    with rt.session() as session:
        logged = sorted(
            session.scalars(select(CaseAccess.case_id).where(CaseAccess.purpose == "match_review"))
        )
    assert logged == sorted([first.case_id, second.case_id])


def test_same_person_on_the_page_merges(client: Any, rt: Any) -> None:
    make_user(rt)
    first, second = _pair(rt)
    login(client)
    response = _decide(client, second.review_id, "same_person")
    assert response.status_code == 302
    assert response.headers["Location"].split("?")[0].endswith(f"/staff/saker/{first.case_id}")
    with rt.session() as session:
        assert session.get(MatchReview, second.review_id).status == "merged"
        merged = session.get(Case, second.case_id)
        assert (merged.status, merged.outcome) == ("closed", "merged")
    assert _decide(client, second.review_id, "different_person").status_code == 409


def test_different_people_on_the_page_keeps_them_apart(client: Any, rt: Any) -> None:
    make_user(rt)
    _first, second = _pair(rt)
    login(client)
    assert _decide(client, second.review_id, "maybe").status_code == 400
    response = _decide(client, second.review_id, "different_person")
    assert response.status_code == 302
    with rt.session() as session:
        case = session.get(Case, second.case_id)
        assert case.status == "open" and not case.needs_match_review and not case.is_repeat
        assert session.get(MatchReview, second.review_id).status == "distinct"


def test_a_closed_earlier_case_gets_a_review_and_same_person_marks_a_repeat(
    client: Any, rt: Any
) -> None:
    """Name + birth date with a new address, the earlier case closed: not a silent new
    person – a review, and "same person" makes the new case a repeat case."""
    make_user(rt)
    first = new_case(rt)
    _close(rt, first.case_id)
    second = new_case(rt, source={"reference": "NF-2"}, tenant=NEW_ADDRESS, district="030101")
    assert second.review_id is not None and second.case_id != first.case_id
    with rt.session() as session:
        review = session.get(MatchReview, second.review_id)
        assert review.candidate_case_id == first.case_id
        assert not session.get(Case, second.case_id).is_repeat
        assert session.get(Case, second.case_id).first_timer  # a new person, so far
    login(client)
    page = text_of(client.get(f"/staff/dobbeltsjekk/{second.review_id}"))
    assert "gjenganger" in page
    assert _decide(client, second.review_id, "same_person").status_code == 302
    with rt.session() as session:
        case = session.get(Case, second.case_id)
        assert case.status == "open" and case.is_repeat and not case.needs_match_review
        assert not case.first_timer  # the earlier case was theirs (issue 15's mapping)
        assert session.get(MatchReview, second.review_id).status == "repeat"
        earlier = session.get(Case, first.case_id)
        assert (earlier.status, earlier.outcome) == ("closed", "paid")
        decided = session.scalars(
            select(Event).where(
                Event.case_id == second.case_id, Event.kind == "match_review_decided"
            )
        ).one()
        assert decided.data["decision"] == "same_person" and decided.data["repeat_case"]
    timeline = text_of(client.get(f"/staff/saker/{second.case_id}"))
    assert "samme person" in timeline and f"tidligere sak {first.case_reference}" in timeline
    assert "Gjenganger" in timeline


def test_central_intake_sees_and_settles_a_cross_district_pair(
    client: Any, rt: Any, staff_token: str
) -> None:
    """Kari (Gamle Oslo) cannot see the Grünerløkka case, so only central intake can decide."""
    make_user(rt)  # the token's kari, with a password
    _first, second = _pair(rt, district="030102")
    auth = {"Authorization": f"Bearer {staff_token}"}
    assert client.get("/api/v1/match-reviews", headers=auth).json == []
    from outreach.demo import ensure_user
    from outreach.staff.tokens import issue_token

    with rt.session() as session:
        central = ensure_user(
            session, "sentral", "Sentralt Mottak", roles="central_intake", districts=""
        )
        token = issue_token(session, "central", central)
        session.commit()
    listed = client.get("/api/v1/match-reviews", headers={"Authorization": f"Bearer {token}"})
    assert [r["id"] for r in listed.json] == [second.review_id]
    # Kari's token may not settle it through the API either (404, nothing written).
    refused = client.post(
        f"/api/v1/match-reviews/{second.review_id}",
        json={"decision": "different_person"},
        headers=auth,
    )
    assert refused.status_code == 404
    with rt.session() as session:
        assert session.get(MatchReview, second.review_id).status == "open"

    login(client)  # kari: not hers to see
    assert second.case_reference not in text_of(client.get("/staff/dobbeltsjekk"))
    assert client.get(f"/staff/dobbeltsjekk/{second.review_id}").status_code == 404
    client.post("/staff/logg-ut", data={"csrf_token": csrf_token(client, "/staff/")})

    make_user(rt, "mottak", roles="central_intake", districts="")
    login(client, "mottak")
    menu = text_of(client.get("/staff/"))
    assert "/staff/dobbeltsjekk" in menu and "/staff/leder/tilgangslogg" in menu
    assert second.case_reference in text_of(client.get("/staff/dobbeltsjekk"))
    response = _decide(client, second.review_id, "different_person")
    assert response.status_code == 302
    # The Grünerløkka case is not central intake's: back to the list, not the case.
    assert response.headers["Location"].endswith("/staff/dobbeltsjekk")
    with rt.session() as session:
        assert session.get(MatchReview, second.review_id).status == "distinct"


def test_central_intake_settles_a_cross_district_pair_through_the_api(client: Any, rt: Any) -> None:
    _first, second = _pair(rt, district="030102")
    from outreach.demo import ensure_user
    from outreach.staff.tokens import issue_token

    with rt.session() as session:
        central = ensure_user(
            session, "sentral", "Sentralt Mottak", roles="central_intake", districts=""
        )
        token = issue_token(session, "central", central)
        session.commit()
    response = client.post(
        f"/api/v1/match-reviews/{second.review_id}",
        json={"decision": "different_person"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 200, response.json
    with rt.session() as session:
        assert session.get(MatchReview, second.review_id).status == "distinct"
