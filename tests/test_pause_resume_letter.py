"""A letter a pause took out of the print batch goes out once when the case resumes.

Found by the ladder state machine (tests/test_ladder_machine.py): the resumed
letter step was batched again as attempt try 1, which the withdrawn attempt
already had; the job crashed on the attempts' (step, try) key at every retry
until the step failed with internal_error, and the letter never went out.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from outreach.cases.pause import pause_ladder, resume_ladder
from outreach.demo import ensure_user
from outreach.models import Attempt, Case, PrintItem
from outreach.reach.letter.batches import open_batches, post_batch, render_batch
from tests.test_webhooks_support import open_case, run_due, steps


def _staff_action(rt: Any, case_id: int, action: Any) -> None:
    with rt.session() as session:
        user = ensure_user(session, "kari", "Kari Testesen", roles="caseworker", districts="030101")
        case = session.get(Case, case_id)
        action(session, rt, case, user)


def test_a_letter_withdrawn_by_a_pause_is_batched_again_as_its_next_try(rt: Any) -> None:
    case_id = open_case(rt)
    run_due(rt)
    assert steps(rt, case_id)["letter"].status == "waiting"  # in the print batch
    _staff_action(
        rt,
        case_id,
        lambda s, rt, case, user: pause_ladder(s, rt, case, reason="Innlagt", actor=user),
    )
    _staff_action(rt, case_id, lambda s, rt, case, user: resume_ladder(s, rt, case, actor=user))
    assert run_due(rt).count("batched") == 2  # the tenant letter and the bailiff's copy
    with rt.session() as session:
        for batch in open_batches(session):
            render_batch(session, rt, batch.id, pdf=False)
            post_batch(session, rt, batch.id, actor="test")
    letter = steps(rt, case_id)["letter"]
    assert letter.status == "done"
    with rt.session() as session:
        tries = session.scalars(
            select(Attempt.try_no).where(Attempt.step_id == letter.id).order_by(Attempt.try_no)
        ).all()
        posted = session.scalars(
            select(PrintItem.id).where(PrintItem.step_id == letter.id, PrintItem.status == "posted")
        ).all()
    assert tries == [1, 2] and len(posted) == 1
