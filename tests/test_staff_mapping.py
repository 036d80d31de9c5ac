"""The mapping on the case page (issue 15): plaintiff, reason, petition outcome, system failure."""

from __future__ import annotations

from typing import Any

import pytest

from outreach.models import Case, Trigger
from tests.test_staff_support import csrf_token, login, make_user, new_case, text_of


@pytest.fixture
def kari(client: Any, rt: Any) -> int:
    user_id = make_user(rt)
    assert login(client).status_code == 302
    return user_id


def _post(client: Any, url: str, data: dict[str, Any], page: str) -> Any:
    return client.post(url, data={"csrf_token": csrf_token(client, page), **data})


def test_staff_record_the_notice_and_the_petition_outcome(client: Any, rt: Any, kari: int) -> None:
    result = new_case(rt)
    case = f"/staff/saker/{result.case_id}"
    page = text_of(client.get(case))
    assert "Kartlegging: saksøker, grunn, utfall og systemsvikt" in page
    assert f'id="mapping-{result.trigger_id}-plaintiff_type"' in page
    wrong_code = {"mapping-trigger_id": str(result.trigger_id), "mapping-plaintiff_type": "x"}
    bad = _post(client, f"{case}/kartlegging", wrong_code, case)
    assert bad.status_code == 400
    response = _post(
        client, f"{case}/kartlegging",
        {"mapping-trigger_id": str(result.trigger_id), "mapping-plaintiff_type":
         "housing_cooperative", "mapping-reason": "arrears", "mapping-petition_outcome":
         "withdrawn"},
        case,
    )  # fmt: skip
    assert response.status_code == 302
    page = text_of(client.get(response.headers["Location"]))
    assert "Kartleggingen er lagret." in page
    assert "Saksøker: Borettslag eller sameie" in page
    assert "Utfall av begjæringen registrert" in page  # the timeline
    with rt.session() as session:
        notice = session.get(Trigger, result.trigger_id)
        assert notice is not None
        assert (notice.plaintiff_type, notice.reason, notice.petition_outcome) == (
            "housing_cooperative", "arrears", "withdrawn",
        )  # fmt: skip
        assert notice.petition_outcome_source == "staff"
    # A notice of another case is not this case's to map.
    other = new_case(rt, source={"reference": "NF-9"}, tenant={"name": "Ola Annen",
                     "birth_date": "1970-01-01", "national_id": None})  # fmt: skip
    wrong = _post(client, f"{case}/kartlegging",
                  {"mapping-trigger_id": str(other.trigger_id)}, case)  # fmt: skip
    assert wrong.status_code == 400


def test_system_failure_marker_with_reason(client: Any, rt: Any, kari: int) -> None:
    result = new_case(rt)
    case = f"/staff/saker/{result.case_id}"
    empty = _post(client, f"{case}/systemsvikt", {"failure-reason": ""}, case)
    assert empty.status_code == 400
    assert "Skriv en kort begrunnelse (3–300 tegn)." in text_of(empty)
    done = _post(client, f"{case}/systemsvikt",
                 {"failure-reason": "Restansen var kjent i et år"}, case)  # fmt: skip
    assert done.status_code == 302
    page = text_of(client.get(done.headers["Location"]))
    assert "Saken er merket som systemsvikt." in page and "Merket som systemsvikt" in page
    cleared = _post(client, f"{case}/systemsvikt", {"failure-clear": "y"}, case)
    assert cleared.status_code == 302
    with rt.session() as session:
        row = session.get(Case, result.case_id)
        assert row is not None and not row.system_failure and row.system_failure_reason is None


def test_an_analyst_may_not_record(client: Any, rt: Any) -> None:
    result = new_case(rt)
    make_user(rt, "anna", roles="analyst", districts="")
    assert login(client, "anna").status_code == 302
    response = client.post(f"/staff/saker/{result.case_id}/systemsvikt",
                           data={"csrf_token": csrf_token(client, "/staff/")})  # fmt: skip
    assert response.status_code in (403, 404)


def test_the_intake_form_takes_plaintiff_and_reason(client: Any, rt: Any, kari: int) -> None:
    from sqlalchemy import select

    from tests.test_staff_intake_queue import form, submit

    response = submit(client, form(plaintiff_type="municipal_landlord", reason="end_of_lease"))
    assert response.status_code == 302
    bad = submit(client, form(source_reference="NF-77", plaintiff_type="nobody"))
    assert bad.status_code == 400
    with rt.session() as session:
        notice = session.scalar(select(Trigger))
        assert notice is not None
        assert (notice.plaintiff_type, notice.reason) == ("municipal_landlord", "end_of_lease")
