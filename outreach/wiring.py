"""The composition root: a runtime whose events reach the channels that act on them.

Every entry point (the web app, the CLI and worker, ``simulate``, the tests)
builds its runtime here, never with ``runtime.build_runtime`` alone: the case
and ladder stages publish events (``outreach.hooks``) that only the channel
packages subscribed here can act on, and an unwired runtime refuses to publish.
This is the one module that knows every channel; nothing below imports it.
"""

from __future__ import annotations

from typing import Any

from outreach import compose, letter_email, printing_moves, visits
from outreach.config import Settings
from outreach.hooks import Hooks
from outreach.runtime import Runtime
from outreach.runtime import build_runtime as build_unwired


def wire(hooks: Hooks) -> Hooks:
    """Subscribe every channel's handlers; idempotent."""
    visits.subscribe(hooks)
    printing_moves.subscribe(hooks)
    hooks.wired = True
    return hooks


def register_channel_parts() -> None:
    """Composers and attachments that live above ``compose`` (idempotent)."""
    compose.register_composer(
        "email", "letter", letter_email.message, skip_check=letter_email.skip_reason
    )
    compose.register_composer(
        "email",
        "appointment",
        letter_email.appointment_message,
        skip_check=letter_email.appointment_skip_reason,
    )
    compose.register_attachments("home_visit", visits.invitation_for_task)


def build_runtime(settings: Settings | None = None, **overrides: Any) -> Runtime:
    rt = build_unwired(settings, **overrides)
    register_channel_parts()
    wire(rt.hooks)
    return rt
