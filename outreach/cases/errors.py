"""The error every case action raises when its input does not fit the case.

``field`` names the input, so a form or an API answer points at it (never a 500).
"""

from __future__ import annotations


class CaseActionError(ValueError):
    """The action does not fit the case's state; ``field`` names the input."""

    def __init__(self, message: str, field: str = "_schema") -> None:
        super().__init__(message)
        self.field = field
