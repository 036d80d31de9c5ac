"""The composition root: a runtime whose events reach the channels that act on them.

Every entry point (the web app, the CLI and worker, ``simulate``, the tests)
builds its runtime here, never with ``runtime.build_runtime`` alone: the case
and ladder stages publish events (``outreach.hooks``) that only the channel
packages subscribed here can act on, and an unwired runtime refuses to publish.
This is the one module that knows which channel listens to what; nothing in
the service imports it but the entry points.
"""

from __future__ import annotations

from typing import Any

from outreach.config import Settings
from outreach.hooks import Hooks
from outreach.intake import trust
from outreach.reach.letter import subscribers as letter_subscribers
from outreach.reach.visit import subscribers as visit_subscribers
from outreach.runtime import Runtime
from outreach.runtime import build_runtime as build_unwired


def wire(hooks: Hooks) -> Hooks:
    """Subscribe every channel's handlers; idempotent."""
    visit_subscribers.subscribe(hooks)
    letter_subscribers.subscribe(hooks)
    trust.subscribe(hooks)
    hooks.wired = True
    return hooks


def build_runtime(settings: Settings | None = None, **overrides: Any) -> Runtime:
    rt = build_unwired(settings, **overrides)
    wire(rt.hooks)
    return rt
