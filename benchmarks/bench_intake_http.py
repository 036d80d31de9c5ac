"""POST /api/v1/triggers over HTTP, as a ratio against a bare INSERT + COMMIT endpoint.

Issue 14 ("Speed"): intake must keep up with landlords' arrears lists. Both
servers run here, the same way: gunicorn with 2 sync workers, against one
fresh PostgreSQL database on this machine. The real app runs with production
settings (``OUTREACH_ENV=production``, its own secrets, Redis); the baseline
is ``benchmarks/_bare_app.py``, a Flask endpoint that parses the same JSON
body and does one INSERT + COMMIT. ``wrk`` drives each with 20 connections
for a fixed time, every request another tenant with its own
source reference (``benchmarks/intake.lua``); a warm-up run comes first.

Goal: the intake API at >= 0.25x the bare endpoint's requests per second.
Prints only; never fails on a slow machine (a refused request is an error,
though: the bodies are valid, so anything but 201 is a bug). Without ``wrk``
on PATH it says so and measures nothing: a Python client on 2 shared cores
would measure itself.

``BENCH_HTTP_SECONDS`` changes how long each is driven (default 15 s). wrk
runs for a time, not a count: its main thread sleeps the whole ``-d``
whatever the script does, so a count would only be a lower bound.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import create_engine, text

from benchmarks._bare_app import CREATE
from outreach.config import REPO_ROOT
from outreach.db import dispose_all, session_scope
from outreach.demo import seed_districts
from outreach.devservices import ServiceError, ensure_postgres, ensure_redis
from outreach.migrate import upgrade
from outreach.staff.tokens import issue_token

CONNECTIONS = 20
WORKERS = 2
SECONDS = int(os.environ.get("BENCH_HTTP_SECONDS", "15"))
WARM_UP = 3
GOAL = 0.25
SCRIPT = Path(__file__).resolve().parent / "intake.lua"


@contextmanager
def fresh_database() -> Iterator[str]:
    """A new database on the test suite's PostgreSQL server (tests/conftest.py's way)."""
    server = ensure_postgres()
    name = f"outreach_bench_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    base, _, query = server.partition("?")
    url = base.rsplit("/", 1)[0] + f"/{name}" + (f"?{query}" if query else "")
    try:
        yield url
    finally:
        dispose_all()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def gunicorn(app: str, env: dict[str, str], log: Path) -> Iterator[str]:
    """``app`` served by gunicorn (2 sync workers) on a free port; yields its base URL."""
    port = _free_port()
    argv = [
        sys.executable, "-m", "gunicorn", "--workers", str(WORKERS), "--bind",
        f"127.0.0.1:{port}", "--chdir", str(REPO_ROOT), "--error-logfile", str(log),
        "--no-control-socket", app,
    ]  # fmt: skip
    with log.open("ab") as out:
        process = subprocess.Popen(argv, env={**os.environ, **env}, stdout=out, stderr=out)
    try:
        _wait_for(f"http://127.0.0.1:{port}/healthz", process, log)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=30)


def _wait_for(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    for _ in range(300):
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited; see {log}:\n{log.read_text()[-2000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError as exc:
            if getattr(exc, "code", None) is not None:
                return  # it answers (404 for the bare app's unknown path)
            time.sleep(0.1)
    raise RuntimeError(f"gunicorn did not answer at {url}; see {log}")


def drive(
    wrk: str, base_url: str, path: str, token: str, seconds: int, run: str
) -> dict[str, float]:
    """``path`` driven for ``seconds`` with 20 connections; requests/s and latencies.

    One wrk thread drives 20 connections far faster than these servers answer
    (C and LuaJIT), so it is not the bottleneck; two would only take a core.
    """
    argv = [
        wrk, "-t1", f"-c{CONNECTIONS}", f"-d{seconds}s", "--timeout", "30s", "-s", str(SCRIPT),
        base_url + path, "--", path, token, run,
    ]  # fmt: skip
    finished = subprocess.run(argv, check=True, capture_output=True, text=True)
    line = next(x for x in reversed(finished.stdout.splitlines()) if x.startswith("{"))
    result = json.loads(line)
    if result["refused"] or result["socket_errors"]:
        raise RuntimeError(f"{path}: {result['refused']} answers were not 201, {result}")
    seconds = result["duration_us"] / 1e6
    return {
        "rps": result["requests"] / seconds,
        "p50_ms": result["p50_us"] / 1000,
        "p99_ms": result["p99_us"] / 1000,
        "requests": result["requests"],
    }


def _prepare(url: str) -> str:
    """The schema, the districts, a system token (a bailiff feed) and the bare table."""
    upgrade(url)
    with session_scope(url) as session:
        seed_districts(session)
        token = issue_token(session, "bench feed", None)
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text(CREATE))
    engine.dispose()
    return token


def main() -> None:
    wrk = shutil.which("wrk")
    if wrk is None:
        print(
            "intake over HTTP: NOT MEASURED – wrk is not installed "
            "(apt-get install -y wrk); a Python load generator would be the bottleneck here"
        )
        return
    try:
        ensure_postgres()
    except ServiceError as exc:
        print(f"intake over HTTP: NOT MEASURED – no PostgreSQL ({exc})")
        return
    with fresh_database() as url, tempfile.TemporaryDirectory(prefix="outreach-bench-") as tmp:
        token = _prepare(url)
        run = uuid.uuid4().hex[:8]
        app_env = {
            "OUTREACH_ENV": "production",
            "OUTREACH_SECRET_KEY": secrets.token_urlsafe(48),
            "OUTREACH_DATA_KEY": base64.urlsafe_b64encode(secrets.token_bytes(32)).decode(),
            "DATABASE_URL": url,
            "REDIS_URL": ensure_redis(REPO_ROOT / "var", "redis-bench"),
            "OUTREACH_QUEUE": f"bench-{run}",
            "OUTREACH_VAR_DIR": tmp,
        }
        logs = Path(tmp)
        with (
            gunicorn("outreach:create_app()", app_env, logs / "intake.log") as intake_url,
            gunicorn("benchmarks._bare_app:app", {"DATABASE_URL": url}, logs / "bare.log") as bare,
        ):
            drive(wrk, bare, "/bare", "-", WARM_UP, f"{run}w")
            drive(wrk, intake_url, "/api/v1/triggers", token, WARM_UP, f"{run}w")
            base = drive(wrk, bare, "/bare", "-", SECONDS, run)
            ours = drive(wrk, intake_url, "/api/v1/triggers", token, SECONDS, run)
    ratio = ours["rps"] / base["rps"]
    verdict = "goal met" if ratio >= GOAL else "below the goal"
    print(
        f"intake over HTTP ({WORKERS} gunicorn workers, {CONNECTIONS} connections, PostgreSQL):\n"
        f"  POST /api/v1/triggers  {ours['rps']:8.1f} requests/s   p50 {ours['p50_ms']:7.1f} ms   "
        f"p99 {ours['p99_ms']:7.1f} ms   ({int(ours['requests'])} requests)\n"
        f"  bare INSERT + COMMIT   {base['rps']:8.1f} requests/s   p50 {base['p50_ms']:7.1f} ms   "
        f"p99 {base['p99_ms']:7.1f} ms   ({int(base['requests'])} requests)\n"
        f"  ratio (intake/bare): {ratio:5.3f}x   goal >= {GOAL}x: {verdict}"
    )


if __name__ == "__main__":
    main()
