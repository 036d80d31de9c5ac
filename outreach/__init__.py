"""The outreach service: keeps reaching tenants at risk of eviction until someone answers.

``create_app`` is the Flask app factory (``flask --app outreach run``); see
README.md for the tour and DESIGN.md for the path a trigger takes.
"""

from __future__ import annotations

from typing import Any

from flask import Flask


def create_app(config: dict[str, Any] | None = None) -> Flask:
    from outreach.web.app import build_app

    return build_app(config)
