"""Text through gettext (lead status, visit errors, thresholds, call sheet, match code),
links to the visit and call pages, required fields marked."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from outreach import timeline
from outreach.cases.flags import THRESHOLD_TEXT, raise_flag
from outreach.models import Case, Task
from outreach.models.visits import HomeVisit
from outreach.web.staff import labels
from outreach.workdays import parse_offset
from tests.test_staff_support import csrf_token, login, make_user, new_case, text_of
from tests.test_visits_support import open_case, run, team_member, visit_step_due


def _english(client: Any) -> None:
    token = csrf_token(client, "/staff/")
    client.post("/staff/sprak", data={"csrf_token": token, "lang": "en", "next": "/staff/"})


def _phone_task(rt: Any, case_id: int) -> int:
    with rt.session() as session:
        task = Task(
            case_id=case_id,
            kind="phone_call",
            title="Ring leietaker – tolk: somali",
            district_code="030101",
            due_at=rt.now(),
            status="open",
            note="Samtaleguide",
        )
        session.add(task)
        session.flush()
        return int(task.id)


def test_threshold_labels_match_the_core_text() -> None:
    assert set(labels.THRESHOLDS) == set(THRESHOLD_TEXT)
    for kind, text in THRESHOLD_TEXT.items():
        assert labels.THRESHOLDS[kind]._args[0] == text, kind  # type: ignore[attr-defined]


def test_lead_step_status_in_words(client: Any, rt: Any, clock: Any) -> None:
    make_user(rt, "lead", roles="district_lead")
    new_case(rt)
    # Listed on the day of its deadline (three working days: Friday 4 December).
    clock.set(clock() + timedelta(days=3))
    login(client, "lead")
    page = text_of(client.get("/staff/leder"))
    letters = page[page.index("Brev som må sendes i dag") :]
    letters = letters[: letters.index("</table>")]
    assert "<td>planlagt</td>" in letters and "planned" not in letters
    _english(client)
    page = text_of(client.get("/staff/leder"))
    assert "<td>planned</td>" in page


def test_threshold_call_sheet_and_match_code_in_english(client: Any, rt: Any) -> None:
    make_user(rt)
    login(client)
    result = new_case(rt)
    with rt.session() as session:
        case = session.get(Case, result.case_id)
        raise_flag(session, rt, case, "child_welfare_assessment", rt.now(), parse_offset("2wd"))
        timeline.record(session, case.id, "case_opened", rt.now(), match="name_birth_date")
        reference = case.reference
    task_id = _phone_task(rt, result.case_id)
    norwegian = text_of(client.get(f"/staff/saker/{result.case_id}"))
    assert "koblet til person (samme navn og fødselsdato, annen adresse)" in norwegian
    assert "name_birth_date" not in norwegian
    sheet = text_of(client.get(f"/staff/oppgaver/{task_id}/samtale"))
    assert f"<h1>Ring leietaker – sak {reference}</h1>" in sheet
    _english(client)
    english = text_of(client.get(f"/staff/saker/{result.case_id}"))
    assert "Report only when there is reason to believe" in english
    assert "Meld bare når" not in english
    assert "same name and birth date, different address" in english
    sheet = text_of(client.get(f"/staff/oppgaver/{task_id}/samtale"))
    assert f"<h1>Call the tenant – case {reference}</h1>" in sheet


def test_visit_errors_in_norwegian_linked_to_their_field(client: Any, rt: Any, clock: Any) -> None:
    team_member(rt, "ole")
    team_member(rt, "sara")
    case_id = open_case(rt)
    run(rt, visit_step_due(rt, clock, case_id).id)
    with rt.session() as session:
        visit = session.scalar(select(HomeVisit))
        assert visit is not None
        visit_id = visit.id
    make_user(rt)
    login(client)
    page = f"/staff/besok/{visit_id}"
    bad = client.post(
        f"{page}/flytt",
        data={"csrf_token": csrf_token(client, page), "date": "2026-12-15", "time": "17:00"},
    )
    assert bad.status_code == 400
    html = text_of(bad)
    assert "Besøket må ligge innenfor arbeidstiden." in html
    assert "working hours" not in html
    assert 'id="error-summary"' in html and 'href="#move-date"' in html
    assert 'aria-describedby="move-when-error"' in html and 'id="move-when-error"' in html
    assert 'class="error"' not in html
    no_reason = client.post(
        f"{page}/avlys", data={"csrf_token": csrf_token(client, page), "reason": ""}
    )
    assert no_reason.status_code == 400
    html = text_of(no_reason)
    assert "Skriv hvorfor besøket avlyses." in html
    assert 'aria-describedby="cancel-reason-error"' in html
    _english(client)
    html = text_of(
        client.post(
            f"{page}/flytt",
            data={"csrf_token": csrf_token(client, page), "date": "2026-12-15", "time": "17:00"},
        )
    )
    assert "The visit must be within working hours." in html


def test_visit_and_call_pages_are_linked(client: Any, rt: Any, clock: Any) -> None:
    team_member(rt, "ole")
    team_member(rt, "sara")
    case_id = open_case(rt)
    run(rt, visit_step_due(rt, clock, case_id).id)
    task_id = _phone_task(rt, case_id)
    make_user(rt)
    login(client)
    with rt.session() as session:
        visit = session.scalar(select(HomeVisit))
        assert visit is not None
        visit_id = visit.id
    menu = text_of(client.get("/staff/"))
    assert 'href="/staff/besok"' in menu
    visit_list = text_of(client.get("/staff/besok"))
    assert f'href="/staff/besok/{visit_id}"' in visit_list
    assert f'href="/staff/saker/{case_id}?via=visit"' in visit_list
    case_page = text_of(client.get(f"/staff/saker/{case_id}"))
    assert f'href="/staff/oppgaver/{task_id}/samtale"' in case_page
    assert f'href="/staff/besok/{visit_id}"' in case_page
    my_work = text_of(client.get("/staff/mitt-arbeid"))
    assert f'href="/staff/oppgaver/{task_id}/samtale"' in my_work
    assert 'href="/staff/besok"' in my_work[my_work.index('id="visits-heading"') :]


@pytest.mark.parametrize("url", ["/staff/ny"])
def test_required_fields_are_marked(client: Any, rt: Any, url: str) -> None:
    make_user(rt)
    login(client)
    page = text_of(client.get(url))
    for name in ("kind", "source_type", "tenant_name", "street", "postal_code"):
        tag = page[page.index(f'id="{name}"') - 200 : page.index(f'id="{name}"') + 200]
        assert 'aria-required="true"' in tag and "required" in tag, name
        label = page[page.index(f'for="{name}"') :]
        assert label[: label.index("</label>")].endswith(
            '<span class="required">(må fylles ut)</span>'
        )
    phone = re.search(r'<input[^>]*id="phone"[^>]*>', page)
    assert phone and "aria-required" not in phone[0] and "aria-invalid" not in phone[0]
    # No attribute written as the text "None" (aria-invalid="None" would mean invalid).
    assert '="None"' not in page
    case = new_case(rt)
    assert '="None"' not in text_of(client.get(f"/staff/saker/{case.case_id}"))
