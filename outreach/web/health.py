"""``/healthz`` for load balancers and ``/metrics`` for Prometheus.

Health reports the database and Redis separately: intake keeps working when
Redis is down (principle 1), so a Redis outage is ``degraded``, not ``down``.
Metrics are counts from the database, so every web process reports the same.
"""

from __future__ import annotations

import hmac
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request
from prometheus_client import CollectorRegistry, Gauge, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from sqlalchemy import func, select, text

from outreach.models import Case, Flag, Step
from outreach.permissions import Audience, open_to

bp = Blueprint("health", __name__)


@bp.get("/healthz")
@open_to(Audience.ANYONE)
def healthz() -> Any:
    rt = current_app.extensions["outreach_runtime"]
    checks: dict[str, str] = {}
    try:
        with rt.session() as session:
            session.execute(text("SELECT 1"))
        checks["database"] = "ok"
    except Exception:
        checks["database"] = "down"
    try:
        checks["redis"] = "ok" if rt.redis().ping() else "down"
    except Exception:
        checks["redis"] = "down"
    status = (
        "ok"
        if all(v == "ok" for v in checks.values())
        else ("down" if checks["database"] != "ok" else "degraded")
    )
    response = jsonify({"status": status, "checks": checks})
    response.status_code = 503 if status == "down" else 200
    return response


LOOPBACK = frozenset({"127.0.0.1", "::1"})


def _may_read_metrics(token: str, production: bool) -> bool:
    """A bearer token when one is configured; else only a scraper on this machine.

    The metrics count open child-welfare flags city-wide and the booking
    page's guessing alarm: not for the internet (issue 13, item 11). In
    production the token is required: behind a reverse proxy on the same
    machine every request comes from 127.0.0.1.
    """
    if token:
        given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
        return hmac.compare_digest(given.encode(), token.encode())
    return not production and request.remote_addr in LOOPBACK


@bp.get("/metrics")
@open_to(Audience.OPERATOR)
def metrics() -> Response:
    rt = current_app.extensions["outreach_runtime"]
    if not _may_read_metrics(rt.settings.metrics_token, rt.settings.env == "production"):
        return Response("Not Found\n", status=404, mimetype="text/plain")
    registry = CollectorRegistry()
    cases = Gauge("outreach_cases", "Cases by status", ["status"], registry=registry)
    steps = Gauge(
        "outreach_steps", "Steps by channel and status", ["channel", "status"], registry=registry
    )
    overdue = Gauge(
        "outreach_steps_overdue",
        "Planned steps past due by channel",
        ["channel"],
        registry=registry,
    )
    flags = Gauge("outreach_flags_open", "Undecided flags by kind", ["kind"], registry=registry)
    now = rt.now()
    with rt.session() as session:
        for status, count in session.execute(
            select(Case.status, func.count()).group_by(Case.status)
        ):
            cases.labels(status).set(count)
        for channel, status, count in session.execute(
            select(Step.channel, Step.status, func.count()).group_by(Step.channel, Step.status)
        ):
            steps.labels(channel, status).set(count)
        for channel, count in session.execute(
            select(Step.channel, func.count())
            .where(Step.status == "planned", Step.due_at < now)
            .group_by(Step.channel)
        ):
            overdue.labels(channel).set(count)
        for kind, count in session.execute(
            select(Flag.kind, func.count()).where(Flag.status != "decided").group_by(Flag.kind)
        ):
            flags.labels(kind).set(count)
    from outreach.inbound.booking.limits import add_metrics as booking_metrics

    booking_metrics(rt, registry)  # the booking page's guessing alarm (issue 4)
    return Response(generate_latest(registry), mimetype=CONTENT_TYPE_LATEST)
