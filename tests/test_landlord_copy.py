"""A copy of the tenant letter to the landlord, only when the caseworker chooses (000):
planned on request (domain, staff page, API), printed to the landlord's postal address,
revealing nothing about the tenant."""

from __future__ import annotations

import io
from datetime import datetime
from typing import Any

import pytest
from pypdf import PdfReader
from rq import Queue, SimpleWorker
from sqlalchemy import select

from outreach.cases.errors import CaseActionError
from outreach.jobs.tick import tick
from outreach.models import Case, Event, PrintBatch, PrintItem, Step
from outreach.reach.letter import landlord_copy
from outreach.reach.letter.landlord_copy import request_landlord_copy
from tests.conftest import OSLO
from tests.test_staff_support import csrf_token, login, make_user, new_case, text_of

#: An eviction petition whose notice names the landlord with a postal address.
WITH_LANDLORD: dict[str, Any] = {
    "counterpart": {
        "role": "landlord",
        "name": "Utleier Hansen AS",
        "org_number": None,
        "address": {"street": "Postboks 77 Sentrum", "postal_code": "0101", "city": "Oslo"},
    },
}

#: Another tenant (a trigger for the same person would join the first case).
OTHER: dict[str, Any] = {
    "source": {"reference": "NF-2"},
    "tenant": {
        "name": "Per Olsen",
        "birth_date": "1970-05-01",
        "address": {"street": "Hagegata 5", "postal_code": "0653", "city": "Oslo"},
        "phone": "+4741234999",
    },
}


def _work(rt: Any) -> None:
    SimpleWorker(
        [Queue(rt.settings.queue_name, connection=rt.redis())], connection=rt.redis()
    ).work(burst=True)


def _batched(rt: Any, **overrides: Any) -> int:
    """A case whose tenant letter is in the district's open print batch."""
    case_id = new_case(rt, **overrides).case_id
    tick(rt)
    _work(rt)
    return int(case_id)


def _request(rt: Any, case_id: int, actor: str = "kari") -> int:
    with rt.session() as session:
        case = session.get(Case, case_id)
        step = request_landlord_copy(session, rt, case, actor, rt.now())
        session.commit()
        return int(step.id)


def _refusal(rt: Any, case_id: int) -> str:
    with rt.session() as session:
        case = session.get(Case, case_id)
        with pytest.raises(CaseActionError) as refused:
            request_landlord_copy(session, rt, case, "kari", rt.now())
        session.rollback()
        return str(refused.value)


def test_the_planner_never_plans_it_and_a_request_plans_one_step_with_events(rt: Any) -> None:
    case_id = _batched(rt, **WITH_LANDLORD)
    with rt.session() as session:
        rules = session.scalars(select(Step.rule).where(Step.case_id == case_id)).all()
        assert "copy_landlord" not in rules  # only the caseworker decides (000)
    step_id = _request(rt, case_id)
    with rt.session() as session:
        step = session.get(Step, step_id)
        assert (step.rule, step.key, step.channel, step.status) == (
            "copy_landlord",
            "copy_landlord:request:1",
            "letter",
            "planned",
        )
        assert step.due_at == rt.now()
        assert step.trigger_id == session.get(Case, case_id).triggers[-1].id
        # Three working days from Tuesday 1 December, like the other copies.
        assert step.deadline_at.astimezone(OSLO).date() == datetime(2026, 12, 4).date()
        kinds = {
            e.kind: e for e in session.scalars(select(Event).where(Event.step_id == step_id)).all()
        }
        assert kinds["step_planned"].data["rule"] == "copy_landlord"
        requested = kinds["landlord_copy_requested"]
        assert (requested.actor, requested.data["trigger_id"]) == ("kari", step.trigger_id)
    assert _refusal(rt, case_id) == landlord_copy.ON_ITS_WAY


def test_the_copy_is_printed_to_the_landlords_address_and_says_nothing_about_the_tenant(
    rt: Any,
) -> None:
    from outreach.reach.letter import batches

    case_id = _batched(rt, **WITH_LANDLORD)
    step_id = _request(rt, case_id)
    tick(rt)
    _work(rt)
    with rt.session() as session:
        item = session.scalar(select(PrintItem).where(PrintItem.step_id == step_id))
        assert item is not None and item.audience == "copy_landlord"
        assert session.get(Step, step_id).status == "waiting"
        batch_id = session.scalar(select(PrintBatch.id).where(PrintBatch.id == item.batch_id))
        batches.render_batch(session, rt, batch_id)
        session.commit()
    with rt.session() as session:
        item = session.scalar(select(PrintItem).where(PrintItem.step_id == step_id))
        assert item.status == "rendered"
        with open(item.pdf_path, "rb") as fh:
            text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(fh.read())).pages)
    assert "Utleier Hansen AS" in text and "Postboks 77 Sentrum" in text and "0101" in text
    assert "Tøyengata 12" not in text  # the tenant's address is on the tenant's letter only
    assert "38 500" not in text and "klient" not in text.lower()


def test_refused_without_a_landlord_with_a_postal_address(rt: Any) -> None:
    # A petition from the bailiff that names no landlord: nobody to post a copy to.
    assert _refusal(rt, _batched(rt)) == landlord_copy.NO_LANDLORD
    nameless = {"counterpart": {**WITH_LANDLORD["counterpart"], "address": None}}
    assert _refusal(rt, _batched(rt, **nameless, **OTHER)) == landlord_copy.NO_LANDLORD


def test_refused_before_the_tenant_letter_and_for_a_protected_address(rt: Any) -> None:
    # The copy says NAV has written to the tenant: not when no letter is sent or coming.
    case_id = int(new_case(rt, **WITH_LANDLORD).case_id)
    with rt.session() as session:
        letter = session.scalar(select(Step).where(Step.case_id == case_id, Step.rule == "letter"))
        letter.status = "cancelled"
        session.commit()
    assert _refusal(rt, case_id) == landlord_copy.NO_TENANT_LETTER
    with rt.session() as session:
        session.scalar(select(Step).where(Step.id == letter.id)).status = "planned"
        session.get(Case, case_id).person.protected_address = True
        session.commit()
    assert _refusal(rt, case_id) == landlord_copy.PROTECTED


@pytest.fixture
def kari(client: Any, rt: Any) -> int:
    user_id = make_user(rt)
    assert login(client).status_code == 302
    return user_id


def test_send_a_copy_to_the_landlord_from_the_case_page(client: Any, rt: Any, kari: int) -> None:
    case_id = _batched(rt, **WITH_LANDLORD)
    url = f"/staff/saker/{case_id}"
    page = text_of(client.get(url))
    assert "Send kopi til utleier" in page
    assert "Kopien går til: Utleier Hansen AS, Postboks 77 Sentrum, 0101 Oslo" in page
    token = csrf_token(client, url)
    sent = client.post(f"{url}/kopi-utleier", data={"csrf_token": token})
    assert sent.status_code == 302
    assert "Kopien til utleieren legges i utskriftsbunken nå" in text_of(
        client.get(sent.headers["Location"])
    )
    again = client.post(f"{url}/kopi-utleier", data={"csrf_token": token})
    assert again.status_code == 400
    assert "En kopi til utleieren ligger allerede i utskriftsbunken" in text_of(again)
    # Without a CSRF token nothing is planned.
    assert client.post(f"{url}/kopi-utleier").status_code == 400
    with rt.session() as session:
        steps = session.scalars(
            select(Step).where(Step.case_id == case_id, Step.rule == "copy_landlord")
        ).all()
        assert len(steps) == 1
    # A case whose notice names no landlord says so instead of offering the button.
    other = _batched(rt, **OTHER)
    assert other != case_id
    page = text_of(client.get(f"/staff/saker/{other}"))
    assert "Meldingen oppgir ingen utleier med postadresse." in page


def _api(client: Any, token: str | None, case_id: int) -> Any:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return client.post(f"/api/v1/cases/{case_id}/landlord-copy", headers=headers)


def test_api_plans_the_copy_with_the_district_check(client: Any, rt: Any, staff_token: str) -> None:
    from outreach.models import User
    from outreach.staff.tokens import issue_token

    make_user(rt, "nils", districts="030102")
    with rt.session() as session:
        nils = issue_token(
            session, "nils", session.scalar(select(User).where(User.username == "nils"))
        )
    case_id = _batched(rt, **WITH_LANDLORD)
    assert _api(client, None, case_id).status_code == 401
    assert _api(client, nils, case_id).status_code == 404  # another district's case
    response = _api(client, staff_token, case_id)
    assert response.status_code == 201, response.json
    assert response.json["rule"] == "copy_landlord" and response.json["status"] == "planned"
    again = _api(client, staff_token, case_id)
    assert again.status_code == 422
    assert again.json["errors"]["_schema"] == [landlord_copy.ON_ITS_WAY]
    no_landlord = _api(client, staff_token, _batched(rt, **OTHER))
    assert no_landlord.status_code == 422
    assert no_landlord.json["errors"]["_schema"] == [landlord_copy.NO_LANDLORD]
    spec = client.get("/api/v1/openapi.json").json
    assert "201" in spec["paths"]["/api/v1/cases/{case_id}/landlord-copy"]["post"]["responses"]


def test_the_copy_says_whose_notice_it_was() -> None:
    import html

    from outreach.letters import render_letter_html
    from outreach.letters.samples import sample_letter

    # A rent warning the landlord sent: "your notice".
    own = html.unescape(
        render_letter_html(sample_letter("unpaid_rent_warning", "nb", "copy_landlord"))
    )
    assert "Kopi til utleier: oppfølging av deres varsel" in own
    assert "har mottatt deres varsel av" in own
    # A petition from the bailiff naming the landlord: the bailiff's notice, not "yours".
    petition = html.unescape(
        render_letter_html(sample_letter("eviction_petition", "nb", "copy_landlord"))
    )
    assert "deres varsel" not in petition
    assert "har mottatt et varsel av 18. november 2026 fra Oslo namsfogdkontor" in petition
