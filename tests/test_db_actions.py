"""What db.py runs when a transaction ends: after the outermost one, never a savepoint.

SQLAlchemy dispatches before/after_commit when a savepoint (``begin_nested``)
is released and after_rollback when one is rolled back; a staff invitation
queued before a savepoint must not go out before the real commit, nor be
forgotten because a savepoint inside the transaction rolled back.
"""

from __future__ import annotations

from sqlalchemy import text

from outreach.db import before_commit, on_commit, session_factory


def test_actions_wait_for_the_outermost_commit(database_url: str) -> None:
    session = session_factory(database_url)()
    fired: list[str] = []
    try:
        session.execute(text("SELECT 1"))
        on_commit(session, lambda: fired.append("after"))
        before_commit(session, lambda: fired.append("before"))
        with session.begin_nested():
            session.execute(text("SELECT 1"))
        assert fired == []  # a released savepoint is no commit
        try:
            with session.begin_nested():
                raise ValueError("the pair was taken")
        except ValueError:
            pass
        assert fired == []  # a rolled-back savepoint drops nothing queued
        session.commit()
        assert fired == ["before", "after"]
    finally:
        session.close()


def test_a_rollback_drops_what_was_queued(database_url: str) -> None:
    session = session_factory(database_url)()
    fired: list[str] = []
    try:
        session.execute(text("SELECT 1"))
        on_commit(session, lambda: fired.append("after"))
        session.rollback()
        session.execute(text("SELECT 1"))
        session.commit()
        assert fired == []
    finally:
        session.close()
