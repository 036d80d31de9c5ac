"""The queue's crisis mark follows an eviction date that lies ahead (issue 12, item 10).

``days <= 28`` took in every past date too, so a case whose eviction date had
passed stayed at the top of the queue as a crisis for ever.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from outreach.models import Case, User
from outreach.staff.queries import CRISIS_DAYS, OSLO, queue
from tests.test_staff_support import make_user, new_case


def _reasons(rt: Any, user_id: int, case_id: int) -> list[str]:
    with rt.session() as session:
        user = session.get(User, user_id)
        rows = [r for r in queue(session, user, rt.now()) if r.case.id == case_id]
        return [code for code, _ in rows[0].reasons] if rows else []


def _set_date(rt: Any, case_id: int, days: int, crisis: bool) -> None:
    with rt.session() as session:
        case = session.get(Case, case_id)
        case.eviction_date = rt.now().astimezone(OSLO).date() + timedelta(days=days)
        case.crisis_since = rt.now() if crisis else None


def test_a_past_eviction_date_is_no_crisis_in_the_queue(rt: Any) -> None:
    lead = make_user(rt, "lise", roles="admin")
    case_id = new_case(rt).case_id
    _set_date(rt, case_id, -60, crisis=False)
    assert "crisis" not in _reasons(rt, lead, case_id)
    _set_date(rt, case_id, 10, crisis=False)
    assert "crisis" in _reasons(rt, lead, case_id)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(days=st.integers(-400, 400), crisis=st.booleans())
def test_crisis_in_the_queue_needs_a_date_ahead(rt: Any, days: int, crisis: bool) -> None:
    lead = make_user(rt, "lise", roles="admin")
    case_id = new_case(rt).case_id
    _set_date(rt, case_id, days, crisis)
    marked = "crisis" in _reasons(rt, lead, case_id)
    assert marked == (days >= 0 and (crisis or days <= CRISIS_DAYS))
