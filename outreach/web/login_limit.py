"""Failed-login counting in Redis, shared by the staff and the landlord login.

Counted per user name, so one account is not guessed at from many addresses;
the limit holds across processes and restarts, and the counter keys are
hashes, never names. Every login attempt per client address is the other
rule, Flask-Limiter's (``web.limits``, ``OUTREACH_LOGIN_RATE_LIMIT``): each
rule counts once, and both answer 429 with ``Retry-After``. When Redis cannot
be reached the login is refused rather than let through unlimited. An unknown
user name is checked against a real argon2 hash so timing does not tell which
names exist.
"""

from __future__ import annotations

import functools
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from outreach.passwords import hash_password, verify_password
from outreach.web.limits import hashed_key

FAIL_WINDOW = timedelta(minutes=15)


@functools.cache
def _dummy_hash() -> str:
    return hash_password(secrets.token_urlsafe(16))


def check_password(stored: str | None, password: str) -> bool:
    """``verify_password`` that costs the same for an unknown user (``stored`` None)."""
    ok = verify_password(stored or _dummy_hash(), password)
    return ok and stored is not None


@dataclass(frozen=True)
class LoginLimiter:
    """``surface`` keeps staff and landlord counters apart ("staff-login", "landlord-login")."""

    namespace: str
    surface: str
    fails_per_user: int = 5

    def keys(self, username: str) -> list[str]:
        return [hashed_key(self.namespace, self.surface, "user", username)]

    def blocked(self, redis: Any, keys: list[str]) -> bool:
        return int(redis.get(keys[0]) or 0) >= self.fails_per_user

    def seconds_left(self, redis: Any, keys: list[str]) -> int:
        """How long the refusal lasts: what is left of the window (for ``Retry-After``)."""
        ttl = int(redis.ttl(keys[0]))
        return ttl if ttl > 0 else int(FAIL_WINDOW.total_seconds())

    def count_failure(self, redis: Any, keys: list[str]) -> None:
        window = int(FAIL_WINDOW.total_seconds())
        pipe = redis.pipeline()
        for key in keys:
            pipe.set(key, 0, ex=window, nx=True)
            pipe.incr(key)
        pipe.execute()

    def succeeded(self, redis: Any, keys: list[str]) -> None:
        redis.delete(keys[0])
