"""Screenshots of the staff web app's main pages into ``docs/screens/`` (``make docs-screens``).

``python -m outreach.web.screens [--out docs/screens]``: builds a
throw-away SQLite database under a temporary directory, seeds the demo users
and a few cases with three weeks of history (letters sent, SMS, calls not
answered, flags raised) on a pinned clock, serves the app on 127.0.0.1 in a
thread and drives real Chromium through Playwright. Needs Redis (the login
rate limit): ``REDIS_URL``, else the project's own Redis is started.

``LiveServer``, ``seed_history`` and ``launch_chromium`` are reused by the
browser tests (tests/browser/).
"""

from __future__ import annotations

import argparse
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from flask import Flask
from sqlalchemy import func, select, update
from werkzeug.serving import make_server

from outreach.config import REPO_ROOT

OSLO = ZoneInfo("Europe/Oslo")
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
# Tuesday 1 December 2026, 10:00 in Oslo: the screenshots' "now".
SCREEN_NOW = datetime(2026, 12, 1, 10, 0, tzinfo=OSLO)

# What nobody answered, in the pinned history (like ``outreach simulate``).
UNANSWERED = {"phone_call": "no_answer", "home_visit": "not_home"}


class LiveServer:
    """The app on 127.0.0.1 with an ephemeral port, served from a thread."""

    def __init__(self, app: Flask) -> None:
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> LiveServer:
        self.thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


@contextmanager
def launch_chromium(headless: bool = True) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        # --lang: the date pickers and file inputs follow the browser's UI language.
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=[*CHROMIUM_ARGS, "--lang=nb-NO"], headless=headless
        )
        try:
            yield browser
        finally:
            browser.close()


def run_due(rt: Any, until: datetime) -> None:
    """Run every planned step and unanswered task due by ``until``, moving the clock."""
    from outreach.cases.tasks import record_outcome
    from outreach.jobs.execute.run import execute_step
    from outreach.models import Step, Task
    from outreach.simulate import next_posting, post_batches

    original = rt.clock
    last = rt.now()
    try:
        while True:
            with rt.session() as session:
                step_due = session.scalar(
                    select(func.min(Step.due_at)).where(Step.status == "planned")
                )
                task_due = session.scalar(
                    select(func.min(func.coalesce(Task.scheduled_for, Task.due_at))).where(
                        Task.status == "open", Task.kind.in_(tuple(UNANSWERED))
                    )
                )
            # Letters are sent when their print batch is posted, at 16:00 on
            # working days, as in `outreach simulate`.
            posting = next_posting(rt, last)
            moments = [m for m in (step_due, task_due, posting) if m is not None and m <= until]
            if not moments:
                break
            moment = max(min(moments), last)
            last = moment
            rt.clock = lambda at=moment: at
            post_batches(rt, moment)
            with rt.session() as session:
                due = list(
                    session.scalars(
                        select(Step.id)
                        .where(Step.status == "planned", Step.due_at <= moment)
                        .order_by(Step.due_at)
                    )
                )
                for step_id in due:
                    session.execute(update(Step).where(Step.id == step_id).values(status="queued"))
            for step_id in due:
                execute_step(rt, step_id)
            with rt.session() as session:
                for task in session.scalars(
                    select(Task).where(
                        Task.status == "open",
                        Task.kind.in_(tuple(UNANSWERED)),
                        func.coalesce(Task.scheduled_for, Task.due_at) <= moment,
                    )
                ).all():
                    record_outcome(session, rt, task, outcome=UNANSWERED[task.kind], actor="kari")
    finally:
        rt.clock = original


def seed_history(rt: Any, now: datetime) -> dict[str, int]:
    """Demo users and cases with history up to ``now``; returns case ids by name."""
    from outreach.demo import seed_demo
    from outreach.intake.accept import accept_trigger
    from outreach.intake.schema import load_trigger
    from outreach.models import Case, Person

    original = rt.clock
    start = now - timedelta(days=22)
    rt.clock = lambda: start
    try:
        with rt.session() as session:
            seed_demo(session, rt)
            for person in session.scalars(select(Person)):
                person.name = person.name.replace(" Demo", "")
        run_due(rt, now)
        rt.clock = lambda: now - timedelta(days=2)
        documents = [
            {
                "kind": "eviction_petition",
                "source": {
                    "type": "bailiff",
                    "name": "Oslo namsfogdkontor",
                    "reference": "DEMO-NF-1003",
                },
                "tenant": {
                    "name": "Jonas Berg",
                    "birth_date": "1979-02-03",
                    "address": {"street": "Hagegata 23", "postal_code": "0653", "city": "Oslo"},
                    "phone": "+4790012345",
                },
                "household": {"children": [15], "adults": 1},
                "eviction_date": (now + timedelta(days=12)).date().isoformat(),
                "arrears_amount": "61200",
                "district": "030101",
            },
            {
                "kind": "unpaid_rent_warning",
                "source": {
                    "type": "landlord",
                    "name": "Tøyen Eiendom AS",
                    "reference": "DEMO-UL-77",
                },
                "tenant": {
                    "name": "Marta Kowalska",
                    "birth_date": "1992-06-21",
                    "address": {"street": "Kolstadgata 5", "postal_code": "0652", "city": "Oslo"},
                    "phone": "+4798877665",
                    "language": "pl",
                },
                "arrears_amount": "17400",
                "district": "030101",
            },
        ]
        with rt.session() as session:
            for document in documents:
                data = load_trigger(document, now=rt.now())
                accept_trigger(session, rt, data, actor="kari")
        run_due(rt, now - timedelta(days=1))
    finally:
        rt.clock = original
    with rt.session() as session:
        return {
            person.name: case.id
            for case, person in session.execute(
                select(Case, Person).join(Person, Person.id == Case.person_id)
            )
        }


def capture(
    browser: Any, base_url: str, out: Path, cases: dict[str, int], password: str
) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    context = browser.new_context(locale="nb-NO", viewport={"width": 1280, "height": 900})
    page = context.new_page()

    def shot(name: str, full_page: bool = True) -> None:
        path = out / f"{name}.png"
        page.screenshot(path=str(path), full_page=full_page)
        written.append(path)

    page.goto(f"{base_url}/staff/logg-inn")
    shot("01-login", full_page=False)
    page.fill("#username", "lead")
    page.fill("#password", password)
    page.click("button[type=submit]:has-text('Logg inn')")
    page.wait_for_url(f"{base_url}/staff/")
    shot("02-queue")
    page.goto(f"{base_url}/staff/ny?type=eviction_petition")
    shot("03-intake")
    page.fill("#tenant_name", "Ola Nordmann")
    page.fill("#street", "Tøyengata 40")
    page.fill("#postal_code", "019")
    page.fill("#phone", "12")
    page.click("button[type=submit]:has-text('Registrer meldingen')")
    shot("04-intake-errors")
    amina = cases.get("Amina Hassan") or next(iter(cases.values()))
    page.goto(f"{base_url}/staff/saker/{amina}?via=queue")
    shot("05-case")
    page.goto(f"{base_url}/staff/mitt-arbeid")
    shot("06-my-work")
    page.goto(f"{base_url}/staff/leder")
    shot("07-lead")
    page.goto(f"{base_url}/staff/leder/tilgangslogg")
    shot("08-access-log")
    page.goto(f"{base_url}/staff/")
    page.click("button:has-text('English')")
    page.wait_for_load_state()
    shot("09-queue-en")
    context.close()
    return written


def seed_print_batches(rt: Any, now: datetime) -> None:
    """The print page's state: the old batch printed, one letter withdrawn since, new letters.

    Run after the other pages are captured, so their history stays as it was.
    """
    from outreach.cases.response import register_response
    from outreach.intake.accept import accept_trigger
    from outreach.intake.schema import load_trigger
    from outreach.models import Case, Person, PrintBatch
    from outreach.reach.letter.batches import render_batch

    original = rt.clock
    try:
        rt.clock = lambda: now - timedelta(hours=1)
        with rt.session() as session:
            for batch in session.scalars(select(PrintBatch).where(PrintBatch.status == "open")):
                render_batch(session, rt, batch.id, pdf=True)
        rt.clock = lambda: now - timedelta(minutes=30)
        with rt.session() as session:
            case = session.scalar(
                select(Case)
                .join(Person, Person.id == Case.person_id)
                .where(Person.name == "Marta Kowalska")
            )
            if case is not None:
                register_response(session, rt, case, channel="phone", actor="kari")
        # Thursday 14:00: the three working days end today at 14:00.
        received = now - timedelta(days=5) + timedelta(hours=4)
        rt.clock = lambda: received
        with rt.session() as session:
            document = {
                "kind": "unpaid_rent_warning",
                "received_at": received.isoformat(),
                "source": {
                    "type": "municipal_landlord",
                    "name": "Boligbygg Oslo KF",
                    "reference": "DEMO-BB-415",
                },
                "tenant": {
                    "name": "Samir Haddad",
                    "birth_date": "1984-09-30",
                    "address": {"street": "Tøyengata 30", "postal_code": "0190", "city": "Oslo"},
                    "phone": "+4791122334",
                    "language": "ar",
                },
                "arrears_amount": "23900",
                "district": "030101",
            }
            accept_trigger(session, rt, load_trigger(document, now=received), actor="kari")
        run_due(rt, now - timedelta(minutes=10))
    finally:
        rt.clock = original


def capture_print(browser: Any, base_url: str, out: Path, password: str) -> list[Path]:
    """The print page (``seed_print_batches`` first)."""
    out.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(locale="nb-NO", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(f"{base_url}/staff/logg-inn")
    page.fill("#username", "lead")
    page.fill("#password", password)
    page.click("button[type=submit]:has-text('Logg inn')")
    page.wait_for_url(f"{base_url}/staff/")
    page.goto(f"{base_url}/staff/utskrift")
    path = out / "10-print.png"
    page.screenshot(path=str(path), full_page=True)
    context.close()
    return [path]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=REPO_ROOT / "docs" / "screens")
    args = parser.parse_args(argv)

    from outreach import create_app
    from outreach import runtime as runtime_module
    from outreach.config import load_settings
    from outreach.demo import DEMO_PASSWORD
    from outreach.devservices import ensure_redis
    from outreach.migrate import upgrade

    with tempfile.TemporaryDirectory(prefix="outreach-screens-") as tmp:
        settings = load_settings()
        redis_url = settings.redis_url or ensure_redis(REPO_ROOT / "var", "redis-screens")
        database_url = f"sqlite:///{tmp}/screens.sqlite3"
        upgrade(database_url)
        app = create_app(
            {"database_url": database_url, "redis_url": redis_url, "var_dir": Path(tmp)}
        )
        rt = app.extensions["outreach_runtime"]
        rt.settings = replace(rt.settings, provider_settings={})
        rt.clock = lambda: SCREEN_NOW
        runtime_module.install(rt)
        rt.redis().delete(*rt.redis().keys(f"{rt.settings.redis_namespace}:staff-login:*") or ["-"])
        cases = seed_history(rt, SCREEN_NOW)
        with LiveServer(app) as server, launch_chromium() as browser:
            written = capture(browser, server.url, args.out, cases, DEMO_PASSWORD)
            seed_print_batches(rt, SCREEN_NOW)
            written += capture_print(browser, server.url, args.out, DEMO_PASSWORD)
            for path in written:
                shown = path.relative_to(REPO_ROOT) if path.is_relative_to(REPO_ROOT) else path
                print(f"wrote {shown}")


if __name__ == "__main__":
    main()
