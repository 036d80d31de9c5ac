"""An undecided flag reaches the district lead even after the tenant answered
(issue 2 audit: a response cancelled the flag_overdue step)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from outreach.cases.flags import raise_flag
from outreach.cases.response import register_response
from outreach.models import Case, Step
from outreach.workdays import parse_offset
from tests.test_visits_support import open_case


def _flag_step(rt: Any, case_id: int) -> Step:
    with rt.session() as session:
        return session.scalars(
            select(Step).where(Step.case_id == case_id, Step.rule == "flag_overdue")
        ).one()


def test_a_response_does_not_cancel_flag_escalation(rt: Any) -> None:
    case_id = open_case(rt)
    with rt.session() as session:
        case = session.get(Case, case_id)
        assert case is not None
        raise_flag(session, rt, case, "child_welfare_assessment", rt.now(), parse_offset("2wd"))
        session.commit()
        register_response(session, rt, case, channel="phone", actor="kari")
        session.commit()
    assert _flag_step(rt, case_id).status == "planned"
    with rt.session() as session:
        letter = session.scalars(
            select(Step).where(Step.case_id == case_id, Step.rule == "letter")
        ).one()
        assert letter.status == "cancelled"  # the ladder itself did stop


def _flagged_case(rt: Any) -> tuple[int, int]:
    case_id = open_case(rt)
    with rt.session() as session:
        case = session.get(Case, case_id)
        assert case is not None
        flag = raise_flag(
            session, rt, case, "child_welfare_assessment", rt.now(), parse_offset("2wd")
        )
        session.commit()
        return case_id, flag.id


def test_closing_the_case_cancels_flag_escalation(rt: Any) -> None:
    from outreach.cases.response import close_case

    case_id, _flag_id = _flagged_case(rt)
    with rt.session() as session:
        case = session.get(Case, case_id)
        assert case is not None
        close_case(session, rt, case, outcome="paid", actor="kari")
        session.commit()
    assert _flag_step(rt, case_id).status == "cancelled"


def test_deciding_the_flag_after_a_response_cancels_its_escalation(rt: Any) -> None:
    from outreach.cases.flags import decide_flag
    from outreach.models import Flag

    case_id, flag_id = _flagged_case(rt)
    with rt.session() as session:
        case = session.get(Case, case_id)
        assert case is not None
        register_response(session, rt, case, channel="phone", actor="kari")
        session.commit()
        flag = session.get(Flag, flag_id)
        assert flag is not None
        decide_flag(
            session, rt, flag, decision="no_report", reason="Familien er nådd og får hjelp.",
            user=None,
        )  # fmt: skip
        session.commit()
    assert _flag_step(rt, case_id).status == "cancelled"
