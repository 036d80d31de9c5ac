"""Real services for every test: Redis, SQLite and PostgreSQL, started if missing.

No fakes (DESIGN.md): the suite talks to a real Redis over a socket and to a
real database; DB-backed tests run once on SQLite and once on PostgreSQL.
``make test`` needs nothing running beforehand: the project's own Redis is
started under var/, and PostgreSQL is found or started (outreach.devservices).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import create_engine, text

from outreach import runtime as runtime_module
from outreach.config import REPO_ROOT, Settings
from outreach.db import Base, dispose_all
from outreach.devservices import ensure_postgres, ensure_redis
from outreach.migrate import upgrade
from outreach.wiring import build_runtime

OSLO = ZoneInfo("Europe/Oslo")


class Clock:
    """A clock the test moves by hand (principle 4: time is injected)."""

    def __init__(self, at: datetime) -> None:
        self.at = at

    def __call__(self) -> datetime:
        return self.at

    def set(self, at: datetime) -> None:
        self.at = at


@pytest.fixture(scope="session")
def redis_url() -> str:
    return os.environ.get("TEST_REDIS_URL") or ensure_redis(REPO_ROOT / "var", "redis-test")


@pytest.fixture(scope="session")
def postgresql_database() -> Iterator[str]:
    server = ensure_postgres()
    name = f"outreach_test_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    base, _, query = server.partition("?")
    url = base.rsplit("/", 1)[0] + f"/{name}" + (f"?{query}" if query else "")
    upgrade(url)
    yield url
    dispose_all()
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session")
def sqlite_database(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('sqlite') / 'outreach.sqlite3'}"
    upgrade(url)
    return url


def _truncate(url: str) -> None:
    engine = create_engine(url)
    tables = [t.name for t in reversed(Base.metadata.sorted_tables)]
    with engine.begin() as conn:
        if url.startswith("postgresql"):
            conn.execute(text("TRUNCATE " + ", ".join(tables) + " RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                conn.execute(text(f"DELETE FROM {table}"))
            conn.execute(text("DELETE FROM sqlite_sequence")) if _has_sequence(conn) else None
    engine.dispose()


def _has_sequence(conn: Any) -> bool:
    return bool(
        conn.execute(text("SELECT name FROM sqlite_master WHERE name='sqlite_sequence'")).first()
    )


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest) -> str:
    url: str = request.getfixturevalue(f"{request.param}_database")
    _truncate(url)
    return url


@pytest.fixture
def clock() -> Clock:
    return Clock(datetime(2026, 12, 1, 10, 0, tzinfo=OSLO))


@pytest.fixture
def settings(database_url: str, redis_url: str, tmp_path: Path) -> Settings:
    return Settings(
        env="test",
        var_dir=tmp_path,
        database_url=database_url,
        redis_url=redis_url,
        queue_name=f"test-{uuid.uuid4().hex[:8]}",
        worker_class="simple",
        testing=True,
        # Tests log in and call the API far more often than people do; the rules
        # themselves are tested with low rates (tests/test_rate_limits.py).
        login_rate_limit="1000 per minute",
        landlord_api_rate_limit="10000 per minute",
    )


@pytest.fixture
def rt(settings: Settings, clock: Clock) -> Iterator[runtime_module.Runtime]:
    from outreach.demo import seed_districts

    rt = build_runtime(settings, clock=clock)
    # No flushdb: every test has its own queue name, and a flush would wipe
    # the queues of another test run sharing this Redis.
    runtime_module.install(rt)
    with rt.session() as session:
        seed_districts(session)
    yield rt
    runtime_module.install(None)
    rt.redis().close()


@pytest.fixture
def app(rt: runtime_module.Runtime) -> Any:
    from outreach import create_app

    app = create_app(
        {
            "env": "test",
            "database_url": rt.settings.database_url,
            "redis_url": rt.settings.redis_url,
            "var_dir": rt.settings.var_dir,
            "testing": True,
        }
    )
    app.extensions["outreach_runtime"] = rt
    runtime_module.install(rt)
    return app


@pytest.fixture
def client(app: Any) -> Any:
    return app.test_client()


def app_for(rt: runtime_module.Runtime, **config: Any) -> Any:
    """An app on the test's runtime with settings of its own (a proxy in front, a token)."""
    from outreach import create_app

    app = create_app(
        {
            "env": "test",
            "database_url": rt.settings.database_url,
            "redis_url": rt.settings.redis_url,
            "var_dir": rt.settings.var_dir,
            "testing": True,
            **config,
        }
    )
    app.extensions["outreach_runtime"] = rt
    rt.settings = replace(rt.settings, **config)  # what views read at request time, too
    runtime_module.install(rt)
    return app


@pytest.fixture
def staff_token(rt: runtime_module.Runtime) -> str:
    from outreach.demo import ensure_user
    from outreach.staff.tokens import issue_token

    with rt.session() as session:
        user = ensure_user(
            session,
            "kari",
            "Kari Saksbehandler",
            roles="caseworker",
            districts="030101",
            phone="+4721000111",
        )
        return issue_token(session, "test", user)


@pytest.fixture
def system_token(rt: runtime_module.Runtime) -> str:
    from outreach.staff.tokens import issue_token

    with rt.session() as session:
        return issue_token(session, "bailiff feed", None)
