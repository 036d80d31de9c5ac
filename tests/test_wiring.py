"""The composition root: every event reaches a channel, and an unwired runtime refuses.

The case and ladder stages no longer call the channels; they publish events
(``outreach.hooks``). A subscriber forgotten in ``outreach.wiring`` would leave
a visit booked or a letter in the print pile after the tenant answered, so it
must fail loudly, not pass silently.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from outreach import hooks
from outreach.config import Settings
from outreach.runtime import build_runtime as build_unwired
from outreach.wiring import build_runtime


def test_every_event_has_a_subscriber_after_wiring(tmp_path: Any) -> None:
    rt = build_runtime(Settings(env="test", var_dir=tmp_path, testing=True))
    assert rt.hooks.wired
    for event in hooks.EVENTS:
        assert rt.hooks.subscribers(event), f"nobody subscribes to {event.__name__}"


def test_publishing_on_an_unwired_runtime_raises(tmp_path: Any) -> None:
    rt = build_unwired(Settings(env="test", var_dir=tmp_path, testing=True))
    event = hooks.CaseForwarded(None, rt, None, "030101", None, datetime.now(UTC))  # type: ignore[arg-type]
    with pytest.raises(hooks.HooksNotWired):
        rt.hooks.publish(event)


def test_wiring_twice_subscribes_once(tmp_path: Any) -> None:
    from outreach.wiring import wire

    rt = build_runtime(Settings(env="test", var_dir=tmp_path, testing=True))
    before = {e: len(rt.hooks.subscribers(e)) for e in hooks.EVENTS}
    wire(rt.hooks)
    assert {e: len(rt.hooks.subscribers(e)) for e in hooks.EVENTS} == before


def test_handlers_run_in_subscription_order_and_an_error_propagates() -> None:
    h = hooks.Hooks()
    seen: list[str] = []

    def first(event: object) -> None:
        seen.append("first")

    def failing(event: object) -> None:
        seen.append("second")
        raise ValueError("roll the action back")

    h.subscribe(hooks.CaseForwarded, first)
    h.subscribe(hooks.CaseForwarded, failing)
    h.wired = True
    with pytest.raises(ValueError):
        h.publish(hooks.CaseForwarded(None, None, None, None, None, datetime.now(UTC)))  # type: ignore[arg-type]
    assert seen == ["first", "second"]
