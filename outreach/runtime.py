"""What every entry point needs, built once per process from the settings.

The web app, the worker, the CLI and ``simulate`` each hold one ``Runtime``:
settings, the policy, the working-day calendar, the data protector, the
channels and – principle 4 – the clock. Jobs are module-level functions that
take ids (STYLE.md habit 6) and find the runtime with :func:`current`.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from channels.base import Channel
from outreach.config import Settings, load_settings
from outreach.crypto import DataProtector
from outreach.db import session_factory, session_scope
from outreach.districts import address_table_for, use_address_table
from outreach.hooks import Hooks
from outreach.policy import Policy, load_policy
from outreach.workdays import WorkCalendar


def system_clock() -> datetime:
    return datetime.now(UTC)


@dataclass
class Runtime:
    settings: Settings
    policy: Policy
    calendar: WorkCalendar
    protector: DataProtector
    clock: Callable[[], datetime] = system_clock
    hooks: Hooks = field(default_factory=Hooks)
    _channels: dict[str, Channel] | None = field(default=None, repr=False)
    _redis: Any = field(default=None, repr=False)

    def now(self) -> datetime:
        return self.clock()

    @contextmanager
    def session(self) -> Iterator[Session]:
        with session_scope(self.settings.database) as session:
            yield session

    def new_session(self) -> Session:
        return session_factory(self.settings.database)()

    @property
    def channels(self) -> dict[str, Channel]:
        if self._channels is None:
            from channels.registry import build_channels

            self._channels = build_channels(
                self.settings.provider_settings, self.settings.outbox_dir
            )
        return self._channels

    def channel(self, name: str) -> Channel:
        return self.channels[name]

    def redis(self) -> Any:
        if self._redis is None:
            from redis import Redis

            if not self.settings.redis_url:
                raise RuntimeError("REDIS_URL is not set (make run / make test start one)")
            self._redis = Redis.from_url(self.settings.redis_url)
        return self._redis


class ShiftedClock:
    """Real time, shifted so that the process starts at ``start``."""

    def __init__(self, start: datetime) -> None:
        self.offset = start - datetime.now(UTC)

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self.offset


#: New files 0600, new directories 0700 (issue 13, item 12).
PRIVATE_UMASK = 0o077


def keep_files_private(var_dir: Path) -> None:
    """What this process writes – the SQLite database, letters, uploads, the
    outbox, the pending intake files – holds names, addresses and national ids:
    readable by the service's own user only. The umask covers every file and
    directory made from here on, by any module; ``var_dir`` itself (made
    before, by an older version or a checkout) is closed too when it is ours.
    """
    os.umask(PRIVATE_UMASK)
    with contextlib.suppress(OSError):
        if var_dir.is_dir() and var_dir.stat().st_uid == os.getuid():
            var_dir.chmod(0o700)


def build_runtime(settings: Settings | None = None, **overrides: Any) -> Runtime:
    settings = settings or load_settings()
    keep_files_private(settings.var_dir)
    use_address_table(address_table_for(settings.address_table, settings.var_dir))
    runtime = Runtime(
        settings=settings,
        policy=load_policy(settings.policy_file),
        calendar=WorkCalendar(),
        protector=DataProtector(settings.data_key),
        clock=ShiftedClock(settings.clock_start) if settings.clock_start else system_clock,
    )
    for key, value in overrides.items():
        setattr(runtime, key, value)
    return runtime


_current: Runtime | None = None


def current() -> Runtime:
    """The runtime an entry point installed (jobs find theirs here).

    Never built on demand: a runtime built here would be unwired, and its
    events would reach no channel (``outreach.wiring``).
    """
    if _current is None:
        raise RuntimeError("no runtime installed: entry points call outreach.wiring.build_runtime")
    return _current


def install(runtime: Runtime | None) -> None:
    """Make ``runtime`` the process's runtime (app factory, worker, tests)."""
    global _current
    _current = runtime
