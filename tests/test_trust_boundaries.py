"""Intake is no back door: who may change what about a family (issue 13, items 1-2).

Reproduced before: an opted-in landlord's warning that matched a person
overwrote the address, phone and children's ages recorded from the bailiff's
petition (ages 19 and 21, so the child-welfare rule stopped firing), moved
the case to another district, and an ``eviction_completed`` from any landlord
cancelled a family's home visit; a caseworker of another district pulled a
case to their own with a notice naming their district, and read its id and
reference in the answer.
"""

from __future__ import annotations

import itertools
from datetime import date
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from outreach.cases.tasks import record_outcome
from outreach.intake.landlord_schema import load_warning
from outreach.landlords.warnings import ensure_landlord, submit_warning
from outreach.models import Case, Event, Step, Task, Trigger
from outreach.staff.tokens import issue_token
from tests.factories import national_id
from tests.test_staff_support import make_user, new_case

ORG_OTHER = "921184530"  # a landlord not named in the petition
ORG_OWN = "923609016"  # the petition's landlord
_serial = itertools.count(1000)


def _petition(rt: Any, **overrides: Any) -> int:
    """A bailiff's petition naming its landlord, for a tenant of their own."""
    n = next(_serial)
    born = date(1950 + n // 336, 1 + (n // 28) % 12, 1 + n % 28)
    tenant = {
        "national_id": national_id(born.day, born.month, born.year),
        "birth_date": born.isoformat(),
    }
    return new_case(
        rt,
        source={"type": "bailiff", "name": "Oslo namsfogdkontor", "reference": f"NF-{n}"},
        counterpart={"role": "landlord", "name": "Gårdeier AS", "org_number": ORG_OWN},
        tenant=tenant | overrides.pop("tenant", {}),
        **overrides,
    ).case_id


def _warn(
    rt: Any,
    case_id: int,
    org: str,
    kind: str = "unpaid_rent_warning",
    children: tuple[int, ...] = (19, 21),
    **tenant: Any,
) -> Any:
    with rt.session() as session:
        case = session.get(Case, case_id)
        person = case.person
        nid = rt.protector.decrypt(person.national_id_enc)
        landlord = ensure_landlord(session, org, f"Utleier {org}")
        doc = {
            "kind": kind,
            "reference": f"W-{next(_serial)}",
            "tenant": {
                "name": person.name,
                "national_id": nid,
                "address": {"street": "Storgata 1", "postal_code": "0155", "city": "Oslo"},
                "phone": "+4799999999",
            }
            | tenant,
            "household": {"children": list(children), "adults": 2},
            "arrears_amount": "9000",
            "declarations": {"tenant_not_reserved": True, "tenant_informed": True},
        }
        if kind == "eviction_completed":
            doc["eviction_date"] = "2026-12-02"
        return submit_warning(session, rt, landlord, load_warning(doc), via="api")


def _snapshot(rt: Any, case_id: int) -> dict[str, Any]:
    with rt.session() as session:
        case = session.get(Case, case_id)
        p = case.person
        return {
            "address": (p.street, p.postal_code),
            "phone": p.phone,
            "name": p.name,
            "children": list(case.children_ages),
            "district": case.district_code,
            "round": case.ladder_round,
            "eviction_date": case.eviction_date,
            "open_steps": sorted(
                session.scalars(
                    select(Step.key).where(Step.case_id == case_id, Step.status == "planned")
                )
            ),
        }


def test_another_landlord_changes_nothing_and_its_notice_waits_for_staff(rt: Any) -> None:
    case_id = _petition(rt)
    before = _snapshot(rt, case_id)
    _warn(rt, case_id, ORG_OTHER)
    assert _snapshot(rt, case_id) == before
    with rt.session() as session:
        [held] = session.scalars(
            select(Trigger).where(Trigger.case_id == case_id, Trigger.source_type == "landlord")
        )
        assert held.review == "pending"
        [task] = session.scalars(
            select(Task).where(Task.case_id == case_id, Task.kind == "notice_review")
        )
        assert task.status == "open" and task.district_code == before["district"]
        person = session.get(Case, case_id).person
        assert set(person.reported) >= {"address", "phone"}
        assert person.reported["phone"]["source"] == "landlord"
        kinds = list(session.scalars(select(Event.kind).where(Event.case_id == case_id)))
        assert "notice_held" in kinds and "person_updated" not in kinds


def test_the_petitions_own_landlord_fills_gaps_but_never_replaces_the_bailiffs_data(
    rt: Any,
) -> None:
    case_id = _petition(rt, tenant={"phone": None})
    _warn(rt, case_id, ORG_OWN)
    after = _snapshot(rt, case_id)
    assert after["address"] == ("Tøyengata 12", "0190")  # the bailiff's
    assert after["children"] == [4, 9]  # the ages 19 and 21 did not switch off the rule
    assert after["phone"] == "+4799999999"  # nobody had a number: the landlord's fills it
    with rt.session() as session:
        person = session.get(Case, case_id).person
        assert person.contact_sources["phone"] == "landlord"
        assert person.contact_sources["address"] == "bailiff"
        assert "address" in person.reported and "children" in person.reported


def test_confirming_a_held_notice_makes_it_count(rt: Any) -> None:
    case_id = _petition(rt)
    _warn(rt, case_id, ORG_OTHER)
    with rt.session() as session:
        task = session.scalar(select(Task).where(Task.kind == "notice_review"))
        record_outcome(session, rt, task, outcome="confirmed", actor="kari")
        session.commit()
        held = session.scalar(select(Trigger).where(Trigger.source_type == "landlord"))
        assert held.review == "confirmed"
        letter = session.scalar(select(Step).where(Step.key == f"letter:t{held.id}"))
        assert letter is not None and letter.status == "planned"


def test_a_caseworker_of_another_district_cannot_pull_a_case(
    rt: Any, app: Any, client: Any
) -> None:
    """Before: the case moved to the caller's district and its id and reference came back."""
    case_id = _petition(rt)
    before = _snapshot(rt, case_id)
    assert before["district"] == "030101"
    make_user(rt, "ola", districts="030105")
    with rt.session() as session:
        from outreach.models import User

        ola = session.scalar(select(User).where(User.username == "ola"))
        token = issue_token(session, "ola", ola)
        session.commit()
        nid = rt.protector.decrypt(session.get(Case, case_id).person.national_id_enc)
    body = {
        "kind": "eviction_petition",
        "source": {"type": "staff", "name": "NAV Nordre Aker", "reference": "X-1"},
        "tenant": {
            "name": "Amina Hassan",
            "national_id": nid,
            "address": {"street": "Ullevålsveien 60", "postal_code": "0454", "city": "Oslo"},
        },
        "district": "030105",
        "client": {"status": "active", "district": "030105"},
    }
    response = client.post(
        "/api/v1/triggers", json=body, headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 201, response.json
    assert response.json == {
        "trigger_id": response.json["trigger_id"],
        "duplicate": False,
        "status": "passed_on",
    }
    assert _snapshot(rt, case_id) == before


names = st.text(alphabet="abcdefghij ", min_size=3, max_size=20).filter(str.strip)
streets = st.sampled_from(["Storgata 1", "Karl Johans gate 5", "Tøyengata 12", "Markveien 3"])
phones = st.sampled_from(["+4791111111", "+4792222222", "+4741234567"])
children = st.lists(st.integers(0, 25), max_size=3)


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    warnings=st.lists(
        st.tuples(st.sampled_from([ORG_OWN, ORG_OTHER]), streets, phones, children),
        min_size=1,
        max_size=3,
    )
)
def test_no_landlord_notice_replaces_what_the_bailiff_recorded(rt: Any, warnings: Any) -> None:
    """The invariant behind item 1, for any landlords' notices in any order."""
    case_id = _petition(rt)
    before = _snapshot(rt, case_id)
    for org, street, phone, kids in warnings:
        _warn(
            rt,
            case_id,
            org,
            address={"street": street, "postal_code": "0155", "city": "Oslo"},
            phone=phone,
            children=tuple(kids),
        )
    after = _snapshot(rt, case_id)
    for field in ("address", "phone", "children", "district", "eviction_date", "name"):
        assert after[field] == before[field], field


def test_a_landlords_first_warning_makes_a_whole_person(rt: Any) -> None:
    """Nothing is known yet: the landlord's data are all there is, and the person is findable."""
    with rt.session() as session:
        landlord = ensure_landlord(session, ORG_OTHER, "Utleier")
        doc = {
            "kind": "unpaid_rent_warning",
            "reference": "W-first",
            "tenant": {
                "name": "Nora Berg",
                "birth_date": "1979-05-14",
                "address": {"street": "Tøyengata 12", "postal_code": "0190", "city": "Oslo"},
                "phone": "+4791234567",
            },
            "arrears_amount": "9000",
            "declarations": {"tenant_not_reserved": True, "tenant_informed": True},
        }
        submit_warning(session, rt, landlord, load_warning(doc), via="api")
        person = session.scalar(select(Case)).person
        assert (person.name, person.name_key, person.street, person.phone) == (
            "Nora Berg", "berg nora", "Tøyengata 12", "+4791234567",
        )  # fmt: skip
        assert person.contact_sources["address"] == "landlord" and person.reported == {}
