"""The notice sequences in docs/examples show what the README says they show.

``outreach simulate --trigger docs/examples/<file>.json`` is how a reader
sees a fix (issue 12): these tests keep each example's point true.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from outreach.config import REPO_ROOT, Settings
from outreach.simulate import simulate

EXAMPLES = REPO_ROOT / "docs" / "examples"


@pytest.fixture
def sim_settings(tmp_path: Path) -> Settings:
    return Settings(env="test", var_dir=tmp_path, testing=True)


def _run(settings: Settings, name: str, days: int = 21) -> list[dict[str, Any]]:
    document = json.loads((EXAMPLES / name).read_text(encoding="utf-8"))
    first, extra = (document[0], document[1:]) if isinstance(document, list) else (document, [])
    return simulate(settings, first, days=days, extra_triggers=extra)


def _names(events: list[dict[str, Any]]) -> list[str]:
    return [e["event"] for e in events]


def test_a_postponement_ends_the_crisis(sim_settings: Settings) -> None:
    events = _run(sim_settings, "postponed-eviction.json", days=14)
    names = _names(events)
    assert names.index("crisis") < names.index("crisis_ended")
    [changed] = [e for e in events if e["event"] == "household_updated"]
    assert changed["eviction_date"] == "2027-03-02"


def test_a_scheduled_eviction_far_ahead_gets_the_letter_and_the_ordinary_ladder(
    sim_settings: Settings,
) -> None:
    names = _names(_run(sim_settings, "scheduled-far-ahead.json"))
    assert "crisis" not in names
    assert names.index("letter_sent") < names.index("contact_started")


def test_a_landlord_not_party_to_the_case_changes_nothing(sim_settings: Settings) -> None:
    events = _run(sim_settings, "landlord-not-party.json", days=14)
    [held] = [e for e in events if e["event"] == "notice_held"]
    assert set(held["reported_fields"]) >= {"address", "phone", "children"}
    assert "person_updated" not in _names(events)
    assert not [
        e for e in events if e["event"] == "step_cancelled" and e.get("rule") == "home_visit"
    ]


def test_the_family_petition_still_runs_its_ladder(sim_settings: Settings) -> None:
    names = _names(_run(sim_settings, "petition-family.json"))
    assert {"letter_sent", "sms_sent", "flag_raised"} <= set(names)
