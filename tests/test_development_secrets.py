"""The committed development secrets never guard real data (issue 13, item 4).

With ``OUTREACH_ENV`` left out (the README's gunicorn line did not set it) an
install in front of PostgreSQL started as development and signed sessions
with the key written in ``config.py``; the committed data key decrypted the
stored national ids. Development secrets are allowed only when development
is explicit or the embedded SQLite default is in use.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from cryptography.fernet import Fernet

from outreach.config import DEV_DATA_KEY, DEV_SECRET_KEY, REPO_ROOT, ConfigError, load_settings

SERVER = {"DATABASE_URL": "postgresql+psycopg://db/outreach", "REDIS_URL": "redis://r:6379/0"}
REAL = {"OUTREACH_SECRET_KEY": "s" * 48, "OUTREACH_DATA_KEY": Fernet.generate_key().decode()}


def test_a_server_database_without_outreach_env_refuses_the_committed_keys() -> None:
    with pytest.raises(ConfigError) as refused:
        load_settings(SERVER)
    message = str(refused.value)
    assert "OUTREACH_SECRET_KEY" in message and "OUTREACH_DATA_KEY" in message
    assert "OUTREACH_ENV" in message
    # Only one of them committed: that one is named.
    with pytest.raises(ConfigError, match="OUTREACH_DATA_KEY must be set"):
        load_settings({**SERVER, "OUTREACH_SECRET_KEY": "s" * 48})


def test_a_server_database_without_outreach_env_runs_as_production() -> None:
    settings = load_settings({**SERVER, **REAL})
    assert settings.env == "production"


@pytest.mark.parametrize("explicit", ["development", "test"])
def test_explicit_development_may_use_them_with_any_database(explicit: str) -> None:
    settings = load_settings({**SERVER, "OUTREACH_ENV": explicit})
    assert settings.env == explicit and settings.secret_key == DEV_SECRET_KEY


def test_the_embedded_sqlite_default_may_use_them() -> None:
    settings = load_settings({})
    assert settings.env == "development" and settings.data_key == DEV_DATA_KEY


def test_an_unknown_environment_is_refused() -> None:
    with pytest.raises(ConfigError, match="OUTREACH_ENV must be one of"):
        load_settings({"OUTREACH_ENV": "prod"})


def test_the_command_line_refuses_to_start_and_names_the_variables() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OUTREACH_")}
    done = subprocess.run(
        [sys.executable, "-m", "outreach.cli", "tick", "--now", "2026-12-01T10:00:00+01:00"],
        capture_output=True, text=True, cwd=REPO_ROOT, env={**env, **SERVER}, timeout=120,
        check=False,
    )  # fmt: skip
    assert done.returncode != 0
    assert "OUTREACH_SECRET_KEY" in done.stderr and "OUTREACH_DATA_KEY" in done.stderr
