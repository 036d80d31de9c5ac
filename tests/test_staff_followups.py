"""The follow-up plan: visible and extendable after closing, reminders on the due date."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from sqlalchemy import select

from outreach.cases.followups import AFTER_HELP_KINDS, SOLUTION_KINDS, record_due
from outreach.jobs.tick import tick
from outreach.models import Event
from outreach.models.staff import FollowUpItem
from outreach.web.i18n import OSLO
from outreach.web.staff import labels
from tests.test_staff_support import csrf_token, login, make_user, new_case, text_of


@pytest.fixture
def kari(client: Any, rt: Any) -> int:
    user_id = make_user(rt)
    assert login(client).status_code == 302
    return user_id


def _post(client: Any, url: str, data: dict[str, Any], page: str) -> Any:
    return client.post(url, data={"csrf_token": csrf_token(client, page), **data})


def _plan(client: Any, case: str, kind: str, due_on: str, owner: int) -> Any:
    return _post(
        client,
        f"{case}/oppfolging",
        {"followup-kind": kind, "followup-due_on": due_on, "followup-owner": str(owner)},
        case,
    )


def _due_events(rt: Any) -> list[Event]:
    with rt.session() as session:
        return list(session.scalars(select(Event).where(Event.kind == "followup_due")))


def test_kinds_cover_every_label() -> None:
    assert set(SOLUTION_KINDS) | set(AFTER_HELP_KINDS) == set(labels.FOLLOWUP_KINDS)
    assert not set(SOLUTION_KINDS) & set(AFTER_HELP_KINDS)


def test_closed_case_shows_plan_and_takes_after_help_measures(
    client: Any, rt: Any, kari: int
) -> None:
    result = new_case(rt)
    case = f"/staff/saker/{result.case_id}"
    assert _plan(client, case, "repayment_plan", "2026-12-08", kari).status_code == 302
    closed = _post(client, f"{case}/avslutt", {"close-outcome": "payment_plan"}, case)
    assert closed.status_code == 302
    page = text_of(client.get(case))
    assert "Oppfølgingsplan" in page
    assert "Nedbetalingsplan / avtale med utleier" in page  # planned before the close
    assert "Saken er avsluttet. Du kan fortsatt planlegge oppfølging etter hjelp" in page
    form = page[page.index('id="followup-kind"') :]
    form = form[: form.index("</select>")]
    assert 'value="regular_talks"' in form and 'value="refinancing"' not in form
    # A solution alternative is refused after the close ...
    refused = _plan(client, case, "refinancing", "2026-12-10", kari)
    assert refused.status_code == 400
    # ... follow-up after help is what comes after it.
    assert _plan(client, case, "rent_payment_check", "2026-12-15", kari).status_code == 302
    with rt.session() as session:
        kinds = sorted(session.scalars(select(FollowUpItem.kind)))
    assert kinds == ["rent_payment_check", "repayment_plan"]
    assert "Kontroll av at husleien blir betalt" in text_of(client.get(case))


def test_due_item_is_noted_once_and_shows_in_my_work_and_lead_overview(
    client: Any, rt: Any, kari: int, clock: Any
) -> None:
    make_user(rt, "lead", roles="district_lead")
    result = new_case(rt)
    case = f"/staff/saker/{result.case_id}"
    assert _plan(client, case, "regular_talks", "2026-12-03", kari).status_code == 302
    tick(rt)
    assert _due_events(rt) == []  # not before the date
    my_work = text_of(client.get("/staff/mitt-arbeid"))
    assert "Frist i dag" not in my_work

    clock.set(datetime(2026, 12, 3, 7, 30, tzinfo=OSLO))
    login(client)  # two days idle: the session has expired
    assert tick(rt).followups_due == 1
    assert tick(rt).followups_due == 0  # once
    assert record_due(rt, clock()) == 0
    events = _due_events(rt)
    assert len(events) == 1
    assert events[0].data["measure"] == "regular_talks"
    assert events[0].data["owner"] == "kari"
    assert "Oppfølgingstiltak har frist i dag" in text_of(client.get(case))

    my_work = text_of(client.get("/staff/mitt-arbeid"))
    due = my_work[my_work.index('id="due-heading"') :]
    assert "Regelmessige samtaler" in due[: due.index("</section>")]

    client.post("/staff/logg-ut", data={"csrf_token": csrf_token(client, "/staff/mitt-arbeid")})
    login(client, "lead")
    lead = text_of(client.get("/staff/leder"))
    table = lead[lead.index("Oppfølgingstiltak med frist</h2>") :]
    assert "Regelmessige samtaler" in table and "frist i dag" in table
    assert "Kari Testesen" in table

    clock.set(datetime(2026, 12, 4, 9, 0, tzinfo=OSLO))
    login(client, "lead")
    lead = text_of(client.get("/staff/leder"))
    assert "over frist" in lead[lead.index("Oppfølgingstiltak med frist</h2>") :]


def test_done_item_is_never_noted_and_leaves_the_overview(
    client: Any, rt: Any, kari: int, clock: Any
) -> None:
    result = new_case(rt)
    case = f"/staff/saker/{result.case_id}"
    assert _plan(client, case, "financial_advice", "2026-12-02", kari).status_code == 302
    with rt.session() as session:
        item_id = session.scalar(select(FollowUpItem.id))
    assert _post(client, f"/staff/oppfolging/{item_id}/utfort", {}, case).status_code == 302
    clock.set(datetime(2026, 12, 2, 12, 0, tzinfo=OSLO))
    assert record_due(rt, clock()) == 0
    login(client)
    my_work = text_of(client.get("/staff/mitt-arbeid"))
    assert "Frist i dag" not in my_work


def test_closed_case_item_falls_due_too(client: Any, rt: Any, kari: int, clock: Any) -> None:
    result = new_case(rt)
    case = f"/staff/saker/{result.case_id}"
    assert _post(client, f"{case}/avslutt", {"close-outcome": "paid"}, case).status_code == 302
    assert _plan(client, case, "housing_followup", "2026-12-07", kari).status_code == 302
    clock.set(datetime(2026, 12, 7, 0, 5, tzinfo=OSLO))
    assert record_due(rt, clock()) == 1
    login(client)
    my_work = text_of(client.get("/staff/mitt-arbeid"))
    assert "Booppfølging" in my_work[my_work.index('id="due-heading"') :]
