"""Issue 12, item 12: an unrouted case does not vanish from the one who registered it.

The intake form says central intake has it; the registering caseworker finds and
opens it (read only) until it is routed; the lead's page counts the unrouted cases;
a re-registration with a corrected address reaches the case as a change with an event.
"""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from outreach.cases.forwarding import assign_district
from outreach.models import Case, Event, User
from outreach.staff.queries import visible_cases
from outreach.staff.tokens import Principal
from tests.test_staff_intake_queue import form, submit
from tests.test_staff_support import csrf_token, login, make_user, text_of

TRONDHEIMSVEIEN = {"street": "Trondheimsveien 100", "postal_code": "0565"}


@pytest.fixture
def kari(client: Any, rt: Any) -> int:
    user_id = make_user(rt)  # caseworker, Gamle Oslo
    assert login(client).status_code == 302
    return user_id


def _only_case(rt: Any) -> Case:
    with rt.session() as s:
        case = s.scalar(select(Case))
        assert case is not None
        s.expunge(case)
        return case


def test_the_registering_caseworker_keeps_an_unrouted_case_in_sight(
    client: Any, rt: Any, kari: int
) -> None:
    response = submit(client, form(**TRONDHEIMSVEIEN))
    assert response.status_code == 302
    case = _only_case(rt)
    assert case.district_code is None
    # Old code: the queue, with "hører til ingen bydel og er sendt dit".
    assert response.headers["Location"].endswith(f"/staff/saker/{case.id}?via=intake")
    page = text_of(client.get(response.headers["Location"]))
    assert "Sentralt mottak har saken" in page and "ingen bydel og er sendt dit" not in page
    # Search finds it (old code: nothing) and the queue lists it.
    found = text_of(client.get("/staff/?q=Ola+Nordmann"))
    assert case.reference in found
    # Read, not act: the actions are central intake's.
    url = f"/staff/saker/{case.id}"
    paused = client.post(
        f"{url}/pause",
        data={"csrf_token": csrf_token(client, url), "pause-reason": "Verge følger opp saken."},
    )
    assert paused.status_code == 404
    # Routed to a district kari does not work in: no longer hers to see.
    with rt.session() as s:
        routed = s.get(Case, case.id)
        assert routed is not None
        assign_district(s, rt, routed, district="030102", reason="Grünerløkka", actor="mottak")
        s.commit()
    assert client.get(url).status_code == 404
    assert case.reference not in text_of(client.get("/staff/?q=Ola+Nordmann"))


def test_a_corrected_address_reaches_the_case_and_routes_it(
    client: Any, rt: Any, kari: int
) -> None:
    submit(client, form(**TRONDHEIMSVEIEN))
    case = _only_case(rt)
    # The same notice (same sender, same reference) with the address corrected.
    again = submit(client, form(street="Tøyengata 100", confirm_duplicate=""))
    if again.status_code == 409:  # the duplicate warning: confirm it
        from tests.test_staff_intake_form import hidden

        token = hidden(text_of(again), "confirm_duplicate")
        again = submit(client, form(street="Tøyengata 100", confirm_duplicate=token))
    assert again.status_code == 302
    with rt.session() as s:
        fixed = s.get(Case, case.id)
        assert fixed is not None
        # Old code: "already registered", the address still Trondheimsveien.
        assert fixed.person.street == "Tøyengata 100"
        assert fixed.district_code == "030101"
        kinds = [
            (e.kind, e.actor, (e.data or {}).get("fields"))
            for e in s.scalars(select(Event).where(Event.case_id == case.id))
        ]
    assert ("person_updated", "kari", ["address"]) in kinds
    assert any(k == "routed" for k, _, _ in kinds)
    page = text_of(client.get(again.headers["Location"]))
    assert "Endringene er lagt inn i saken" in page


def test_the_leads_page_counts_the_unrouted_cases(client: Any, rt: Any) -> None:
    make_user(rt, "mottak", roles="central_intake", districts="")
    make_user(rt, "lead", roles="district_lead", districts="030101")
    login(client, "mottak")
    submit(client, form(**TRONDHEIMSVEIEN))
    submit(client, form(source_reference="NF-78", tenant_name="Kari Hansen", **TRONDHEIMSVEIEN))
    login(client, "lead")
    page = text_of(client.get("/staff/leder"))
    assert "<strong>2</strong>saker uten bydel venter hos sentralt mottak" in page


_ids = itertools.count(1)


def _user(session: Any, roles: str, districts: str) -> User:
    user = User(
        username=f"u{next(_ids)}",
        display_name="Test",
        roles=roles,
        districts=districts,
    )
    session.add(user)
    session.flush()
    return user


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    district=st.sampled_from([None, "030101", "030102"]),
    registrant_districts=st.sampled_from(["", "030101", "030102", "030101,030102"]),
    registrant_roles=st.sampled_from(["caseworker", "central_intake", "district_lead"]),
    route_to=st.sampled_from([None, "030101", "030102"]),
)
def test_a_case_is_always_visible_to_someone_responsible_for_it(
    rt: Any,
    district: str | None,
    registrant_districts: str,
    registrant_roles: str,
    route_to: str | None,
) -> None:
    """Its district's staff, or – unrouted – central intake and whoever registered it;
    the SQL rule (lists, search) and the page's rule (``can_see``) agree."""
    from outreach.intake.accept import accept_trigger
    from outreach.intake.schema import load_trigger
    from tests.factories import national_id, trigger

    n = next(_ids)
    with rt.session() as s:
        registrant = _user(s, registrant_roles, registrant_districts)
        district_staff = _user(s, "caseworker", district or "030105")
        intake = _user(s, "central_intake", "")
        outsider = _user(s, "caseworker", "030110")
        s.commit()
        data = trigger(
            source={"reference": f"P-{n}"},
            tenant={
                "national_id": national_id(1 + n % 28, 1 + n // 28 % 12, 1980),
                "birth_date": f"1980-{1 + n // 28 % 12:02d}-{1 + n % 28:02d}",
                "name": f"Person {n}",
                "address": TRONDHEIMSVEIEN,
            },
        )
        if district:
            data["district"] = district
        result = accept_trigger(s, rt, load_trigger(data, now=rt.now()), actor=registrant.username)
        case = s.get(Case, result.case_id)
        assert case is not None and case.district_code == district

        def sees(user: User) -> bool:
            listed = s.scalar(select(Case.id).where(Case.id == case.id, visible_cases(user)))
            assert (listed is not None) == Principal(0, user.username, user).can_see(case)
            return listed is not None

        def check() -> None:
            if case.district_code is None:
                assert sees(intake) and sees(registrant)
            else:
                assert sees(district_staff)
                assert sees(registrant) == (case.district_code in registrant.district_set)
            assert not sees(outsider)

        check()
        if route_to is not None and case.district_code is None:
            # Staff route it later: the district sees it, the registrant only if theirs.
            assign_district(s, rt, case, district=route_to, reason="routed", actor=intake.username)
            s.flush()
            district_staff = _user(s, "caseworker", route_to)
            check()


def test_the_registrant_reads_but_is_offered_no_actions(client: Any, rt: Any, kari: int) -> None:
    """The case page offers the registrant of an unrouted case no form it may not use."""
    response = submit(client, form(**TRONDHEIMSVEIEN))
    page = text_of(client.get(response.headers["Location"]))
    actions = page.split("Handlinger", 1)[1]
    assert "Sentralt mottak behandler den" in actions
    assert "<form" not in actions.split("</main>", 1)[0]
