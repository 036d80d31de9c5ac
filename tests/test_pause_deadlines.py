"""Issue 12, item 11: a pause stops contact attempts, never a legal deadline.

A petition arriving on a paused case gets its letter within three working days
and its overdue check, and the caseworker sees the new notice at once.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select

from outreach.cases.pause import NOTICE_WHILE_PAUSED, pause_ladder, resume_ladder
from outreach.jobs.tick import tick
from outreach.models import Case, Step, Task, User
from tests.test_jobs import open_case, post_letters, work


def _kari(session: Any) -> User:
    user = session.scalar(select(User).where(User.username == "kari"))
    if user is None:
        user = User(username="kari", display_name="Kari", roles="caseworker", districts="030101")
        session.add(user)
        session.flush()
    return user


def _pause(rt: Any, case_id: int) -> None:
    with rt.session() as s:
        case = s.get(Case, case_id)
        assert case is not None
        pause_ladder(s, rt, case, reason="Verge følger opp en stund.", actor=_kari(s))
        s.commit()


def _steps(rt: Any, case_id: int) -> dict[str, Step]:
    with rt.session() as s:
        return {st.key: st for st in s.scalars(select(Step).where(Step.case_id == case_id))}


def test_a_pause_before_posting_does_not_stop_the_letter(rt: Any, clock: Any) -> None:
    case_id = open_case(rt)
    _pause(rt, case_id)
    tick(rt)
    work(rt)
    clock.set(clock() + timedelta(hours=6))
    post_letters(rt)
    with rt.session() as s:
        case = s.get(Case, case_id)
        assert case is not None and case.status == "paused"
        assert case.letter_sent_at == clock()  # the one-week clock runs
        # ... but no contact attempt is planned while paused.
        rules = set(s.scalars(select(Step.rule).where(Step.case_id == case_id)))
        assert not rules & {"sms", "phone_task", "home_visit"}


def test_a_petition_on_a_paused_case_gets_its_letter_and_check_and_a_task(
    rt: Any, clock: Any
) -> None:
    case_id = open_case(rt)
    tick(rt)
    work(rt)
    clock.set(clock() + timedelta(hours=6))
    post_letters(rt)
    _pause(rt, case_id)
    clock.set(clock() + timedelta(days=2))
    second = open_case(
        rt,
        source={"reference": "NF-2"},
        received_at=clock().isoformat(),
        eviction_date=(clock() + timedelta(days=60)).date().isoformat(),
    )
    assert second == case_id
    by_key = _steps(rt, case_id)
    new_keys = {k for k in by_key if k.endswith(":t2")}
    # Old code: nothing at all until someone resumed.
    assert {"letter:t2", "copy_bailiff:t2", "letter_overdue_check:t2"} <= new_keys
    assert by_key["letter:t2"].status == "planned"
    assert by_key["letter:t2"].deadline_at is not None
    with rt.session() as s:
        task = s.scalar(select(Task).where(Task.case_id == case_id, Task.status == "open"))
        assert task is not None and task.kind == NOTICE_WHILE_PAUSED
        assert task.due_at == clock()  # at once, not at the resume
    tick(rt)
    work(rt)
    post_letters(rt)
    assert _steps(rt, case_id)["letter:t2"].status == "done"
    # The resume brings contact back; the letters were never held.
    with rt.session() as s:
        case = s.get(Case, case_id)
        assert case is not None
        resume_ladder(s, rt, case, actor=_kari(s))
        s.commit()
    assert _steps(rt, case_id)["sms:r1"].status == "planned"


def test_the_pause_example_simulates_as_documented(settings: Any) -> None:
    """docs/examples/pause-new-notice.json: the petition's letter goes out during the pause."""
    import json
    from datetime import datetime

    from outreach.config import REPO_ROOT
    from outreach.simulate import simulate

    first, *rest = json.loads((REPO_ROOT / "docs/examples/pause-new-notice.json").read_text())
    events = simulate(
        settings, first, days=17, extra_triggers=rest,
        pause_at=datetime.fromisoformat("2026-12-04T12:00+01:00"),
        resume_at=datetime.fromisoformat("2026-12-15T09:00+01:00"),
    )  # fmt: skip
    kinds = [(e["event"], e["at"][:10]) for e in events]
    assert ("task_created", "2026-12-08") in kinds
    assert kinds.count(("letter_sent", "2026-12-08")) == 1  # while paused
    first_sms = next(at for kind, at in kinds if kind == "sms_sent")
    assert first_sms >= "2026-12-15"  # contact waited for the resume
