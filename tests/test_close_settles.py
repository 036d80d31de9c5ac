"""Issue 12, item 13, as a property: after a case closes, nothing of the open case is left open.

Whatever measures, tasks and answers a case gathered, closing it (or merging it
into another) leaves no open task, no open solution measure, and nothing due on
My work or the lead's page for it later; follow-up after help stays planned.
"""

from __future__ import annotations

import itertools
from datetime import timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from outreach.cases import measures
from outreach.cases.followups import AFTER_HELP_KINDS, SOLUTION_KINDS, due_items
from outreach.cases.response import close_case
from outreach.inbound.booking import answers as booking_answers
from outreach.models import Case, Task, User
from outreach.models.booking import BookingCode
from outreach.models.staff import FollowUpItem
from outreach.reach.letter import codes as letter_codes
from outreach.staff import queries
from tests.factories import national_id
from tests.test_staff_support import make_user, new_case

_PEOPLE = itertools.count(100)

_MEASURES = st.lists(
    st.tuples(st.sampled_from(SOLUTION_KINDS + AFTER_HELP_KINDS), st.integers(-5, 40)),
    max_size=4,
)


@settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    planned=_MEASURES,
    answer=st.sampled_from(["none", "call_me", "sorted"]),
    outcome=st.sampled_from(["paid", "payment_plan", "moved", "other"]),
)
def test_a_closed_case_leaves_nothing_of_the_open_case_open(
    rt: Any, planned: list[tuple[str, int]], answer: str, outcome: str
) -> None:
    user_id = make_user(rt)
    n = next(_PEOPLE)
    case_id = new_case(
        rt,
        source={"reference": f"NF-P{n}"},
        tenant={
            "name": f"Person {n}",
            "birth_date": "1970-01-01",
            "national_id": national_id(1, 1, 1970, 100 + n % 300),
        },
    ).case_id
    today = rt.now().date()
    with rt.session() as session:
        case, user = session.get(Case, case_id), session.get(User, user_id)
        for kind, days in planned:
            measures.add_followup(
                session,
                rt,
                case,
                kind=kind,
                due_on=today + timedelta(days=days),
                owner=user,
                note="",
                actor=user,
            )
        if answer != "none":
            letter_codes.issue_code(session, rt, case)
            code = session.scalars(select(BookingCode).where(BookingCode.case_id == case_id)).one()
            if answer == "call_me":
                booking_answers.request_call(session, rt, code, phone="+4791234567")
            else:
                booking_answers.report_sorted(session, rt, code)
        close_case(session, rt, case, outcome=outcome)
    with rt.session() as session:
        open_tasks = session.scalars(
            select(Task).where(Task.case_id == case_id, Task.status == "open")
        ).all()
        assert open_tasks == []
        items = session.scalars(select(FollowUpItem).where(FollowUpItem.case_id == case_id)).all()
        assert all(i.status != "open" for i in items if i.kind in SOLUTION_KINDS)
        assert all(i.status == "open" for i in items if i.kind in AFTER_HELP_KINDS)
        user = session.get(User, user_id)
        later = due_items(session, queries.visible_cases(user), today + timedelta(days=60))
        assert {d.item.kind for d in later if d.item.case_id == case_id} <= set(AFTER_HELP_KINDS)
