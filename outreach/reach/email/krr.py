"""The contact and reservation register (KRR): may a letter go digitally?

Public bodies ask Digdir's Kontakt- og reservasjonsregisteret at *every*
sending and must not keep a local copy (DOMAIN.md, "Digital mail"). A person
who has reserved gets important letters on paper; so does a person we cannot
look up. Hence three answers: ``False`` (not reserved: digital is allowed),
``True`` (reserved) and ``None`` (unknown: no register, no national id, the
register did not answer) – and only ``False`` lets an email go.

The adapter is pluggable (STYLE.md habit 1): :class:`NoRegister` is the
default and answers ``None``, so nothing goes digitally until a real register
is configured; :class:`StaticRegister` serves the tests. A real adapter (the
KRR REST API through Maskinporten) implements :class:`ContactRegister` and is
installed at start-up with :func:`install`. Nothing here caches an answer, and
callers must not store it: the answer is written to the timeline only as the
reason a step was skipped.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol, runtime_checkable


@runtime_checkable
class ContactRegister(Protocol):
    def is_reserved(self, national_id: str) -> bool | None:
        """True if reserved against digital mail, False if not, None if unknown."""
        ...


class NoRegister:
    """No register configured: every answer is "unknown", so letters stay on paper."""

    def is_reserved(self, national_id: str) -> bool | None:
        return None


class StaticRegister:
    """A fixed register for tests and demos: reserved ids, known ids, the rest unknown.

    ``calls`` counts look-ups so a test can check the register is asked at
    every sending rather than once.
    """

    def __init__(self, *, reserved: Iterable[str] = (), not_reserved: Iterable[str] = ()) -> None:
        self.reserved = frozenset(reserved)
        self.not_reserved = frozenset(not_reserved)
        self.calls = 0

    def is_reserved(self, national_id: str) -> bool | None:
        self.calls += 1
        if national_id in self.reserved:
            return True
        if national_id in self.not_reserved:
            return False
        return None


_installed: ContactRegister | None = None


def install(register: ContactRegister | None) -> None:
    """Make ``register`` the process's KRR adapter (``None``: back to :class:`NoRegister`)."""
    global _installed
    _installed = register


def current() -> ContactRegister:
    return _installed if _installed is not None else NoRegister()


def digital_allowed(national_id: str | None) -> tuple[bool, str]:
    """Ask the register now; ``(allowed, reason)`` with a reason fit for the timeline."""
    if not national_id:
        return False, "KRR: unknown (no national id)"
    try:
        reserved = current().is_reserved(national_id)
    except Exception:  # any register failure means "unknown": the letter stays on paper
        reserved = None
    if reserved is None:
        return False, "KRR: unknown"
    if reserved:
        return False, "KRR: reserved against digital mail"
    return True, ""
