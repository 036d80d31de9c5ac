"""The composition root: a runtime whose events reach the channels that act on them.

Every entry point (the web app, the CLI and worker, ``simulate``, the tests)
builds its runtime here, never with ``runtime.build_runtime`` alone: the case
and ladder stages publish events (``outreach.hooks``) that only the channel
packages subscribed here can act on, and an unwired runtime refuses to publish.
This is the one module that knows every channel; nothing below imports it.
"""

from __future__ import annotations

from typing import Any

from outreach.config import Settings
from outreach.hooks import Hooks
from outreach.reach import compose as reach_compose
from outreach.reach.email import letter_copy
from outreach.reach.letter import moves
from outreach.reach.visit import invitations, subscribers
from outreach.runtime import Runtime
from outreach.runtime import build_runtime as build_unwired


def wire(hooks: Hooks) -> Hooks:
    """Subscribe every channel's handlers; idempotent."""
    subscribers.subscribe(hooks)
    moves.subscribe(hooks)
    hooks.wired = True
    return hooks


def register_channel_parts() -> None:
    """Composers and attachments that live above ``compose`` (idempotent)."""
    reach_compose.register_composer(
        "email", "letter", letter_copy.message, skip_check=letter_copy.skip_reason
    )
    reach_compose.register_composer(
        "email",
        "appointment",
        letter_copy.appointment_message,
        skip_check=letter_copy.appointment_skip_reason,
    )
    reach_compose.register_attachments("home_visit", invitations.invitation_for_task)


def build_runtime(settings: Settings | None = None, **overrides: Any) -> Runtime:
    rt = build_unwired(settings, **overrides)
    register_channel_parts()
    wire(rt.hooks)
    return rt
