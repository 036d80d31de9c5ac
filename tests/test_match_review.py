"""Doubtful matches wait for staff; a merge joins the earlier case, never silently."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from outreach.intake.accept import accept_trigger
from outreach.intake.schema import load_trigger
from outreach.models import Case, Step, Trigger
from tests.factories import trigger


def _open(rt: Any, **overrides: Any) -> Any:
    session = rt.new_session()
    try:
        return accept_trigger(session, rt, load_trigger(trigger(**overrides), now=rt.now()))
    finally:
        session.close()


def _auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_same_person_merges_into_the_earlier_case(rt: Any, client: Any, staff_token: str) -> None:
    first = _open(rt)
    # Same name and birth date, a new address in the same district: doubtful.
    second = _open(
        rt,
        source={"reference": "NF-2"},
        tenant={"address": {"street": "Grønlandsleiret 5", "postal_code": "0190"}},
        district="030101",
    )
    assert second.review_id is not None and second.case_id != first.case_id
    reviews = client.get("/api/v1/match-reviews", headers=_auth(staff_token)).json
    assert [r["id"] for r in reviews] == [second.review_id]
    assert reviews[0]["confidence"] < 0.9
    response = client.post(
        f"/api/v1/match-reviews/{second.review_id}",
        json={"decision": "same_person"},
        headers=_auth(staff_token),
    )
    assert response.status_code == 200, response.json
    assert response.json["case_id"] == first.case_id
    with rt.session() as s:
        merged = s.get(Case, second.case_id)
        assert merged is not None and (merged.status, merged.outcome) == ("closed", "merged")
        assert {t.case_id for t in s.scalars(select(Trigger))} == {first.case_id}
        open_steps = s.scalars(
            select(Step).where(Step.case_id == second.case_id, Step.status == "planned")
        ).all()
        assert open_steps == []
        # The earlier case now plans a letter for the moved petition too.
        assert s.scalars(
            select(Step).where(
                Step.case_id == first.case_id, Step.key == f"letter:t{second.trigger_id}"
            )
        ).one()
    assert client.get("/api/v1/match-reviews", headers=_auth(staff_token)).json == []


def test_different_person_keeps_the_cases_apart(rt: Any, client: Any, staff_token: str) -> None:
    _open(rt)
    second = _open(
        rt,
        source={"reference": "NF-2"},
        tenant={"address": {"street": "Grønlandsleiret 5", "postal_code": "0190"}},
        district="030101",
    )
    response = client.post(
        f"/api/v1/match-reviews/{second.review_id}",
        json={"decision": "different_person"},
        headers=_auth(staff_token),
    )
    assert response.json["status"] == "distinct"
    with rt.session() as s:
        case = s.get(Case, second.case_id)
        assert case is not None and case.status == "open" and not case.needs_match_review
    again = client.post(
        f"/api/v1/match-reviews/{second.review_id}",
        json={"decision": "same_person"},
        headers=_auth(staff_token),
    )
    assert again.status_code == 422
