"""``make run``: embedded Redis, migrated SQLite, demo data, web + worker.

Everything a first-time user needs in one command; Ctrl-C stops it all.
Production runs the pieces separately (README "Operations").
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

from outreach.config import load_settings
from outreach.devservices import ensure_redis
from outreach.runtime import keep_files_private


def main() -> int:
    # ``make run`` is development: say so, or a DATABASE_URL in the shell would
    # make it production, which refuses the committed development secrets.
    os.environ.setdefault("OUTREACH_ENV", "development")
    settings = load_settings()
    # Before the embedded Redis starts: its dump holds queued jobs (ids, no more,
    # but the directory is var/ all the same) and it inherits this umask.
    keep_files_private(settings.var_dir)
    env = dict(os.environ)
    # A second copy (another checkout, a reviewer) can run beside the first on its own port
    # with its own OUTREACH_VAR_DIR.
    port = env.get("OUTREACH_PORT", "5000")
    env.setdefault("OUTREACH_PUBLIC_URL", f"http://127.0.0.1:{port}")
    env["REDIS_URL"] = ensure_redis(settings.var_dir)
    env.setdefault("OUTREACH_WORKER_CLASS", "simple")
    env.setdefault("OUTREACH_TICK_SECONDS", "5")
    outreach = [sys.executable, "-m", "outreach.cli"]
    subprocess.run([*outreach, "db", "upgrade"], env=env, check=True)  # noqa: S603
    demo_file = settings.var_dir / "demo-login.json"
    if not demo_file.exists():
        out = subprocess.run(  # noqa: S603
            [*outreach, "seed-demo"], env=env, check=True, stdout=subprocess.PIPE, text=True
        ).stdout
        demo_file.write_text(out.strip().splitlines()[-1], encoding="utf-8")
    login = json.loads(demo_file.read_text(encoding="utf-8"))
    children = [
        subprocess.Popen([*outreach, "worker"], env=env),  # noqa: S603
        subprocess.Popen(  # noqa: S603 - our own interpreter and flask, a port from the environment
            [
                sys.executable,
                "-m",
                "flask",
                "--app",
                "outreach",
                "run",
                "--host",
                "127.0.0.1",
                "--port",
                port,
            ],
            env=env,
        ),
    ]
    time.sleep(1.5)
    print(
        f"\nOutreach is running on http://127.0.0.1:{port}\n"
        f"  staff login: {login['username']} / {login['password']}\n"
        f"  API token:   {login['api_token']}\n"
        + (
            f"  landlord portal: http://127.0.0.1:{port}/utleier/ "
            f"{login['landlord_username']} / {login['password']}"
            f" (API token {login['landlord_api_token']})\n"
            if "landlord_username" in login
            else ""
        )
        + "  try: curl -s -H \"Authorization: Bearer $TOKEN\" -H 'Content-Type: application/json' "
        f"--data @docs/examples/petition-family.json http://127.0.0.1:{port}/api/v1/triggers\n"
        f"  outbox (what would have been sent): {settings.var_dir / 'outbox'}/\n"
        "Ctrl-C stops web, worker and tick.\n",
        flush=True,
    )

    def stop(*_: object) -> None:
        for child in children:
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)

    signal.signal(signal.SIGTERM, stop)
    try:
        while all(child.poll() is None for child in children):
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    finally:
        stop()
        for child in children:
            try:
                child.wait(timeout=10)
            except subprocess.TimeoutExpired:
                child.kill()
    return 0


if __name__ == "__main__":
    sys.exit(main())
