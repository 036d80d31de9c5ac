"""Failed-login counting in Redis, shared by the staff and the landlord login.

Counted per user name and per client address, so the limit holds across
processes and restarts; the counter keys are hashes, never names or
addresses. When Redis cannot be reached the login is refused rather than let
through unlimited. An unknown user name is checked against a real argon2
hash so timing does not tell which names exist.
"""

from __future__ import annotations

import functools
import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from outreach.passwords import hash_password, verify_password

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
    fails_per_address: int = 30

    def keys(self, username: str, address: str) -> list[str]:
        return [self._key("user", username), self._key("addr", address)]

    def _key(self, kind: str, value: str) -> str:
        digest = hashlib.sha256(f"{kind}:{value}".encode()).hexdigest()[:32]
        return f"{self.namespace}:{self.surface}:{kind}:{digest}"

    def blocked(self, redis: Any, keys: list[str]) -> bool:
        user_fails, address_fails = (int(v or 0) for v in redis.mget(keys))
        return user_fails >= self.fails_per_user or address_fails >= self.fails_per_address

    def count_failure(self, redis: Any, keys: list[str]) -> None:
        window = int(FAIL_WINDOW.total_seconds())
        pipe = redis.pipeline()
        for key in keys:
            pipe.set(key, 0, ex=window, nx=True)
            pipe.incr(key)
        pipe.execute()

    def succeeded(self, redis: Any, keys: list[str]) -> None:
        redis.delete(keys[0])
