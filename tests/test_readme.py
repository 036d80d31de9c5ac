"""The README's configuration table names every variable the code reads (STYLE.md habit 11)."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).parents[1]
READERS = [
    "outreach/config.py",
    "outreach/devrun.py",
    "outreach/devservices.py",
    "tests/conftest.py",
]
NAME = re.compile(r"""["']((?:OUTREACH|TWILIO|SENDGRID|SMS|DATABASE|REDIS|TEST)_[A-Z0-9_]*)["']""")


def test_every_environment_variable_is_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    names = {n for path in READERS for n in NAME.findall((ROOT / path).read_text("utf-8"))}
    assert "OUTREACH_ENV" in names and "TWILIO_AUTH_TOKEN" in names  # the pattern still finds them
    missing = sorted(n for n in names if f"`{n}`" not in readme)
    assert missing == []


def test_the_readme_gives_the_two_commands() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "make run" in readme and "make test" in readme


def test_the_security_table_is_the_permissions_table() -> None:
    """README's "who may do what" says what ``outreach.permissions`` enforces (issue 13, item 7)."""
    from outreach.permissions import ROLES, Action, roles_for

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| `([a-z_]+)` \| [^|]+ \| ([a-z_, ]+) \|$", readme, re.MULTILINE)
    said = {action: roles.strip() for action, roles in rows if action in set(Action)}
    assert set(said) == {a.value for a in Action}
    for action in Action:
        roles = roles_for(action)
        assert said[action.value] == ("all" if roles == list(ROLES) else ", ".join(roles)), action
