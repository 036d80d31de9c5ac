"""A letter waiting in the print batch goes out once across a pause and a resume.

Found by the ladder state machine (tests/test_ladder_machine.py) when a pause
still withdrew letters: the resumed letter step was batched again as attempt
try 1, which the withdrawn attempt already had, and the job crashed until the
step failed (``deliver.next_try_no`` fixed that). Since issue 12, item 11, a
pause keeps the letter duty: the waiting letter stays in its batch.
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


def test_a_waiting_letter_stays_in_its_batch_through_a_pause_and_goes_out_once(rt: Any) -> None:
    case_id = open_case(rt)
    run_due(rt)
    assert steps(rt, case_id)["letter"].status == "waiting"  # in the print batch
    _staff_action(
        rt,
        case_id,
        lambda s, rt, case, user: pause_ladder(s, rt, case, reason="Innlagt", actor=user),
    )
    _staff_action(rt, case_id, lambda s, rt, case, user: resume_ladder(s, rt, case, actor=user))
    assert run_due(rt).count("batched") == 0  # nothing withdrawn, nothing batched again
    assert steps(rt, case_id)["letter"].status == "waiting"
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
    assert tries == [1] and len(posted) == 1
