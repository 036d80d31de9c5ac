"""The operator contracts: the console script, the migration, the OpenAPI document."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine

from outreach.config import REPO_ROOT
from outreach.db import Base

EXAMPLE = REPO_ROOT / "docs" / "examples" / "petition-family.json"


def outreach(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "outreach.cli", *args],
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        env={**os.environ, **(env or {})},
        timeout=120,
        check=False,
    )


def test_simulate_prints_the_timeline_as_json(tmp_path: Path) -> None:
    result = outreach(
        "simulate",
        "--trigger",
        str(EXAMPLE),
        "--json",
        "--days",
        "21",
        env={"OUTREACH_VAR_DIR": str(tmp_path)},
    )
    assert result.returncode == 0, result.stderr
    events = json.loads(result.stdout)
    assert events[0]["event"] == "case_opened"
    for event in events:
        assert {"at", "event", "channel"} <= set(event)
        assert event["at"].endswith("+01:00")  # Europe/Oslo in December
    flags = [e for e in events if e["event"] == "flag_raised"]
    assert flags and flags[0]["flag"] == "child_welfare_assessment"


def test_simulate_with_a_response(tmp_path: Path) -> None:
    result = outreach(
        "simulate",
        "--trigger",
        str(EXAMPLE),
        "--json",
        "--respond-at",
        "2026-12-03T12:00:00+01:00",
        env={"OUTREACH_VAR_DIR": str(tmp_path)},
    )
    events = [e["event"] for e in json.loads(result.stdout)]
    assert "response_registered" in events
    assert "sms_sent" not in events


def test_simulate_reports_bad_input_by_field(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"kind": "eviction_petition", "tenant": {"name": "X"}}))
    result = outreach("simulate", "--trigger", str(bad), env={"OUTREACH_VAR_DIR": str(tmp_path)})
    assert result.returncode == 2
    errors = json.loads(result.stderr)["errors"]
    assert "source" in errors and "address" in errors["tenant"]


def test_tick_and_db_upgrade_on_a_fresh_database(tmp_path: Path, redis_url: str) -> None:
    env = {
        "OUTREACH_VAR_DIR": str(tmp_path),
        "REDIS_URL": redis_url,
        "OUTREACH_QUEUE": "cli-test",
    }
    assert outreach("db", "upgrade", env=env).returncode == 0
    result = outreach("tick", "--now", "2026-12-01T10:00:00+01:00", env=env)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1]) == {"enqueued": 0, "recovered": 0}
    bad = outreach("tick", "--now", "2026-12-01T10:00:00", env=env)
    assert bad.returncode != 0 and "offset" in bad.stderr


def test_migrations_match_the_models(database_url: str) -> None:
    """The migrated schema (both backends) is exactly what the models declare."""
    engine = create_engine(database_url)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    engine.dispose()
    assert diff == []


def test_openapi_document_describes_the_contract(client: Any) -> None:
    spec = client.get("/api/v1/openapi.json").json
    assert spec["openapi"].startswith("3.")
    assert {"/api/v1/triggers", "/api/v1/cases/{case_id}/contacts"} <= set(spec["paths"])
    trigger = spec["components"]["schemas"]["Trigger"]
    assert {"kind", "source", "tenant"} <= set(trigger["required"])
    responses = spec["paths"]["/api/v1/triggers"]["post"]["responses"]
    assert {"200", "201", "401", "409", "422"} <= set(responses)
    assert "idempotency_conflict" in responses["409"]["description"]


def test_health_reports_both_services(client: Any) -> None:
    body = client.get("/healthz").json
    assert body == {"status": "ok", "checks": {"database": "ok", "redis": "ok"}}


def test_an_unreadable_time_is_a_usage_error_not_a_traceback() -> None:
    from click.testing import CliRunner

    from outreach.cli import cli

    result = CliRunner().invoke(cli, ["tick", "--now", "next tuesday"])
    assert result.exit_code == 2, result.output
    assert "not an ISO 8601 time" in result.output
    assert "Traceback" not in result.output
