"""Engine, sessions and the column types every model shares.

The database is the system of record (DESIGN.md principle 1): anything the
service promises to do exists as a row before any job does. Engines are kept
per process because RQ's forking worker runs each job in a child process,
which must not reuse the parent's pooled connections.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime, Engine, MetaData, create_engine, event
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import TypeDecorator

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class UTCDateTime(TypeDecorator[datetime]):
    """Aware datetimes in, aware UTC datetimes out, on SQLite and PostgreSQL.

    SQLite has no time zone type; storing naive UTC and re-attaching UTC on the
    way out keeps comparisons (``due_at <= now``) right on both.
    """

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTCDateTime column")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC)


_lock = threading.Lock()
_engines: dict[tuple[int, str], Engine] = {}


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets the web process read while a worker writes; busy_timeout makes
    # concurrent writers wait instead of failing with "database is locked".
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=15000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def get_engine(url: str) -> Engine:
    key = (os.getpid(), url)
    with _lock:
        engine = _engines.get(key)
        if engine is None:
            if url.startswith("sqlite"):
                path = url.split("///", 1)[-1]
                if path and path != ":memory:":
                    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
                engine = create_engine(url, connect_args={"timeout": 15})
                event.listen(engine, "connect", _sqlite_pragmas)
                # pysqlite opens transactions lazily and lets SELECT run
                # outside them; BEGIN IMMEDIATE on write paths is taken
                # explicitly through ``lock_for_update``.
            else:
                engine = create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=5)
            _engines[key] = engine
        return engine


def dispose_all() -> None:
    with _lock:
        for (pid, _url), engine in list(_engines.items()):
            if pid == os.getpid():
                engine.dispose()
        _engines.clear()


_factories: dict[tuple[int, str], sessionmaker[Session]] = {}


def session_factory(url: str) -> sessionmaker[Session]:
    key = (os.getpid(), url)
    factory = _factories.get(key)
    if factory is None:
        factory = sessionmaker(bind=get_engine(url), expire_on_commit=False)
        _factories[key] = factory
    return factory


@contextmanager
def session_scope(url: str) -> Iterator[Session]:
    """One unit of work: commit on success, roll back on any exception."""
    session = session_factory(url)()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


# The one place the service listens to every Session: actions to run when a
# transaction ends, and caches that live as long as one transaction. Feature
# code asks for these; it never registers listeners of its own.
ON_COMMIT = "outreach_on_commit"
BEFORE_COMMIT = "outreach_before_commit"
CACHES = "outreach_transaction_caches"


def on_commit(session: Session, action: Callable[[], object]) -> None:
    """Run ``action`` once the session's transaction has committed; never after a rollback.

    For what must not happen for a change that may still be rolled back: a
    staff invitation sent for a visit that was never booked.
    """
    session.info.setdefault(ON_COMMIT, []).append(action)


def before_commit(session: Session, action: Callable[[], object]) -> None:
    """Run ``action`` inside the transaction, just before it commits (after all else it wrote).

    For a row that must come last on the timeline: a visit's "it is off" SMS
    step after the response that cancelled the visit.
    """
    session.info.setdefault(BEFORE_COMMIT, []).append(action)


def transaction_cache(session: Session, key: str) -> dict[Any, Any]:
    """A dict that lives until the transaction (or a savepoint in it) ends.

    Forgetting more than needed after a savepoint's rollback costs a fresh
    value; remembering a rolled-back one would hand out something that is gone.
    """
    keys = session.info.setdefault(CACHES, set())
    keys.add(key)
    cache: dict[Any, Any] = session.info.setdefault(key, {})
    return cache


def _forget_caches(session: Session) -> None:
    for key in session.info.pop(CACHES, ()):
        session.info.pop(key, None)


# SQLAlchemy dispatches these for a savepoint too (``begin_nested``): releasing
# one fires before/after_commit, rolling one back fires after_rollback. The
# actions belong to the whole transaction, so they wait for the outermost.


@event.listens_for(Session, "before_commit")
def _run_before_commit(session: Session) -> None:
    if session.in_nested_transaction():
        return
    while session.info.get(BEFORE_COMMIT):
        if session.new or session.dirty or session.deleted:
            session.flush()  # the commit would flush next anyway: the actions see it all
        for action in session.info.pop(BEFORE_COMMIT):
            action()


@event.listens_for(Session, "after_commit")
def _run_on_commit(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint was released; the transaction goes on
    _forget_caches(session)
    for action in session.info.pop(ON_COMMIT, []):
        action()


@event.listens_for(Session, "after_soft_rollback")
def _forget_on_soft_rollback(session: Session, _previous: Any) -> None:
    _forget_caches(session)


@event.listens_for(Session, "after_rollback")
def _drop_on_rollback(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint was rolled back; what the transaction queued stands
    session.info.pop(ON_COMMIT, None)
    session.info.pop(BEFORE_COMMIT, None)


def utcnow() -> datetime:
    return datetime.now(UTC)
