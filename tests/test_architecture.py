"""The shape import-linter cannot see: module sizes and the one writer of each piece of state.

``.importlinter`` checks the layers and that no import cycle exists (imports
inside functions count); these checks keep what the redesign (issue 11) made
true from quietly coming undone: small modules, one place that listens to
every database session, one writer of a step's final status and of its
``step_cancelled`` event, and a job that never asks which channel a step is on.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "outreach"
MAX_LINES = 500


def _modules() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if "migrations" not in p.parts)


def _rel(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def test_no_module_is_over_500_lines() -> None:
    big = {_rel(p): n for p in _modules() if (n := len(p.read_text().splitlines())) > MAX_LINES}
    assert big == {}


def test_only_db_listens_to_every_session() -> None:
    listeners = [_rel(p) for p in _modules() if "listens_for(Session" in p.read_text()]
    assert listeners == ["outreach/db.py"]


def test_step_cancelled_is_written_only_by_ladder_steps() -> None:
    """The web's timeline and labels only read the event kind; nothing else records it."""
    writers = [
        _rel(p)
        for p in _modules()
        if re.search(r"record\([^)]*\"step_cancelled\"", p.read_text(), re.S)
    ]
    assert writers == ["outreach/ladder/steps.py"]


@pytest.mark.parametrize("package", ["jobs", "cases", "ladder", "inbound", "intake"])
def test_no_stage_outside_reach_branches_on_a_channel(package: str) -> None:
    """A step's channel is looked up in ``reach.registry``, never compared by name."""
    channel_names = r"\"(letter|sms|email|phone_task|home_visit)\""
    pattern = re.compile(rf"\brule\.channel\s*(==|!=|in|not in)\s*[({{]?[^\n]*{channel_names}")
    hits = [
        f"{_rel(p)}:{n}"
        for p in sorted((PACKAGE / package).rglob("*.py"))
        for n, line in enumerate(p.read_text().splitlines(), 1)
        if pattern.search(line)
    ]
    assert hits == []


def test_status_of_a_step_is_set_only_in_ladder_steps() -> None:
    pattern = re.compile(r"\bstep\.status\s*=\s*\"")
    writers = sorted({_rel(p) for p in _modules() if pattern.search(p.read_text())})
    assert writers == ["outreach/ladder/steps.py"]
