"""Staff invitations for home visits (issue 4): one an error left unsent goes out on
the next tick; staff with an email address get theirs by email, the others through
the team's outbox; ``outreach create-user --email`` sets the address."""

from __future__ import annotations

import base64
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

from icalendar import Calendar
from sqlalchemy import select

from outreach.config import REPO_ROOT
from outreach.db import ON_COMMIT
from outreach.jobs.tick import tick
from outreach.models import Attempt, Event, User
from outreach.models.visits import HomeVisit
from outreach.reach.visit import actions
from tests.test_visits_support import open_case, oslo, outbox, run, team_member, visit_step_due


def _pending(rt: Any) -> list[Attempt]:
    with rt.session() as session:
        return list(
            session.scalars(
                select(Attempt).where(Attempt.channel == "home_visit", Attempt.status == "sending")
            )
        )


def _booked_visit(rt: Any, clock: Any) -> tuple[int, int]:
    case_id = open_case(rt)
    assert run(rt, visit_step_due(rt, clock, case_id).id).result == "done"
    with rt.session() as session:
        visit = session.scalars(select(HomeVisit).where(HomeVisit.case_id == case_id)).one()
        return case_id, visit.id


def _move_without_delivery(rt: Any, visit_id: int) -> None:
    """Move the visit, but lose the after-commit delivery (the channel was down)."""
    with rt.session() as session:
        visit = session.get(HomeVisit, visit_id)
        actions.move_visit(session, rt, visit, oslo(2026, 12, 15, 13, 0))
        session.flush()
        session.info.pop(ON_COMMIT)  # what db.on_commit would run after the commit


def _with_email(rt: Any, user_id: int, email: str) -> None:
    with rt.session() as session:
        session.get(User, user_id).email = email


def _ics(message: dict[str, Any]) -> Calendar:
    [attachment] = message["attachments"]
    return Calendar.from_ical(base64.b64decode(attachment["content_base64"]))


def test_an_invitation_left_sending_goes_out_on_the_next_tick(rt: Any, clock: Any) -> None:
    team_member(rt, "ole")
    team_member(rt, "sara")
    case_id, visit_id = _booked_visit(rt, clock)
    _move_without_delivery(rt, visit_id)
    assert len(outbox(rt, "home_visit")) == 1  # only the first invitation
    [pending] = _pending(rt)

    tick(rt)  # written a moment ago: the committing process may still be sending it
    assert [a.id for a in _pending(rt)] == [pending.id]
    clock.set(clock() + timedelta(minutes=2))
    assert tick(rt).invitations == 1
    assert _pending(rt) == []
    update = outbox(rt, "home_visit")[-1]
    assert int(next(iter(_ics(update).walk("VEVENT")))["SEQUENCE"]) == 1
    with rt.session() as session:
        sent = session.scalars(
            select(Event).where(Event.case_id == case_id, Event.kind == "visit_invitation_sent")
        ).all()
    assert [e.data["attempt_id"] for e in sent] == [pending.id]
    assert tick(rt).invitations == 0  # sent once
    assert len(outbox(rt, "home_visit")) == 2


def test_staff_with_an_address_get_the_invitation_by_email(rt: Any, clock: Any) -> None:
    ole = team_member(rt, "ole")
    team_member(rt, "sara")
    _with_email(rt, ole, "ole@bydel.oslo.kommune.no")
    case_id, visit_id = _booked_visit(rt, clock)
    # The step's message reaches the team's outbox; Ole's copy goes by email.
    assert len(outbox(rt, "home_visit")) == 1
    [email] = outbox(rt, "email")
    assert email["to"] == "ole@bydel.oslo.kommune.no"
    event = next(iter(_ics(email).walk("VEVENT")))
    attendees = sorted(str(a) for a in event.get("ATTENDEE"))
    assert "mailto:ole@bydel.oslo.kommune.no" in attendees
    assert any(a.startswith("urn:x-outreach:user:sara") for a in attendees)
    assert _pending(rt) == []
    # A move: Ole by email, Sara (no address) through the outbox.
    with rt.session() as session:
        actions.move_visit(session, rt, session.get(HomeVisit, visit_id), oslo(2026, 12, 15, 13, 0))
    assert [m["to"] for m in outbox(rt, "email")] == ["ole@bydel.oslo.kommune.no"] * 2
    assert len(outbox(rt, "home_visit")) == 2
    with rt.session() as session:
        events = session.scalars(
            select(Event).where(Event.case_id == case_id, Event.kind == "visit_invitation_sent")
        ).all()
    assert [e.data.get("emailed") for e in events] == [[ole], [ole]]


def test_when_every_invitee_has_an_address_nothing_more_goes_to_the_outbox(
    rt: Any, clock: Any
) -> None:
    ole, sara = team_member(rt, "ole"), team_member(rt, "sara")
    _with_email(rt, ole, "ole@bydel.oslo.kommune.no")
    _with_email(rt, sara, "sara@bydel.oslo.kommune.no")
    _, visit_id = _booked_visit(rt, clock)
    with rt.session() as session:
        actions.cancel_visit(session, rt, session.get(HomeVisit, visit_id), reason="Flyttet ut")
    assert len(outbox(rt, "home_visit")) == 1  # the step's own message only
    cancels = [m for m in outbox(rt, "email") if str(_ics(m)["METHOD"]) == "CANCEL"]
    assert sorted(m["to"] for m in cancels) == [
        "ole@bydel.oslo.kommune.no",
        "sara@bydel.oslo.kommune.no",
    ]


def test_create_user_takes_an_email_address(tmp_path: Path, redis_url: str) -> None:
    from sqlalchemy import create_engine, text

    from tests.test_cli_and_schema import outreach

    env = {"OUTREACH_VAR_DIR": str(tmp_path), "REDIS_URL": redis_url, "DATABASE_URL": ""}
    assert outreach("db", "upgrade", env=env).returncode == 0  # the migration adds the column
    args = ["create-user", "--username", "ole", "--name", "Ole", "--roles", "outreach_team",
            "--districts", "030101", "--password-stdin"]  # fmt: skip

    def create(email: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "outreach.cli", *args, "--email", email],
            input="correct horse battery\n", capture_output=True, text=True, cwd=REPO_ROOT,
            env={**os.environ, **env}, timeout=120, check=False,
        )  # fmt: skip

    def stored() -> str | None:
        engine = create_engine(f"sqlite:///{tmp_path / 'outreach.sqlite3'}")
        try:
            with engine.connect() as conn:
                return conn.execute(text("SELECT email FROM users WHERE username = 'ole'")).scalar()
        finally:
            engine.dispose()

    result = create("ole@bydel.oslo.kommune.no")
    assert result.returncode == 0, result.stderr
    assert stored() == "ole@bydel.oslo.kommune.no"
    bad = create("not-an-address")
    assert bad.returncode != 0 and "--email" in bad.stderr
    assert stored() == "ole@bydel.oslo.kommune.no"
    assert create("").returncode == 0
    assert stored() is None


def _sendgrid(rt: Any, stub: Any) -> None:
    """The email channel is SendGrid's SDK against the local stub."""
    from dataclasses import replace

    from tests.stubs.sendgrid_stub import TEST_API_KEY

    rt.settings = replace(
        rt.settings,
        provider_settings={
            **rt.settings.provider_settings,
            "SENDGRID_API_KEY": TEST_API_KEY,
            "SENDGRID_FROM_EMAIL": "ikke-svar@nav.oslo.kommune.no",
            "SENDGRID_FROM_NAME": "NAV",
            "SENDGRID_HOST": stub.base_url,
        },
    )


def test_through_sendgrid_each_copy_is_sent_once_even_when_the_run_is_redone(
    rt: Any, clock: Any
) -> None:
    """SendGrid cannot look a send up: the copies already sent are recorded and skipped."""
    from sqlalchemy import update

    from tests.stubs.sendgrid_stub import SendGridStub

    with SendGridStub() as stub:
        _sendgrid(rt, stub)
        for name in ("ole", "sara"):
            _with_email(rt, team_member(rt, name), f"{name}@bydel.oslo.kommune.no")
        _booked_visit(rt, clock)

        def sent_to() -> list[str]:
            return sorted(
                p["to"][0]["email"]
                for r in stub.requests
                if r.method == "POST"
                for p in r.json["personalizations"]
            )

        assert sent_to() == ["ole@bydel.oslo.kommune.no", "sara@bydel.oslo.kommune.no"]
        with rt.session() as session:  # the run died before its last commit
            session.execute(
                update(Attempt).where(Attempt.detail.like("visit:%:email")).values(status="sending")
            )
        clock.set(clock() + timedelta(minutes=5))
        assert tick(rt).invitations == 1
        assert len(sent_to()) == 2  # nobody got a second copy
        assert _pending(rt) == []


def test_an_address_the_provider_refuses_fails_once_and_is_not_retried(rt: Any, clock: Any) -> None:
    from tests.stubs.sendgrid_stub import SendGridStub

    with SendGridStub() as stub:
        _sendgrid(rt, stub)
        ole = team_member(rt, "ole")
        team_member(rt, "sara")
        _with_email(rt, ole, "ole@bydel")  # no domain: SendGrid's channel refuses it
        case_id, _ = _booked_visit(rt, clock)
        assert len(outbox(rt, "home_visit")) == 1  # the team still has it
        with rt.session() as session:
            [failed] = session.scalars(
                select(Attempt).where(Attempt.detail.like("visit:%:email"))
            ).all()
            assert (failed.status, failed.error_code) == ("failed", "invalid_address")
            [event] = session.scalars(
                select(Event).where(
                    Event.case_id == case_id, Event.kind == "visit_invitation_failed"
                )
            ).all()
            assert event.data["reason"] == "invalid_address"
        clock.set(clock() + timedelta(minutes=5))
        assert tick(rt).invitations == 0 and _pending(rt) == []
