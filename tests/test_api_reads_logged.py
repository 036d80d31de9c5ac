"""API reads are openings of a case like a page's; tokens show when they were last used
and can be revoked from the command line (issue 13, item 8)."""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any

from sqlalchemy import select

from outreach.config import REPO_ROOT
from outreach.models import ApiToken
from outreach.models.staff import CaseAccess
from outreach.staff.tokens import issue_token
from tests.test_staff_support import new_case


def test_reading_a_case_or_its_timeline_through_the_api_is_logged(
    rt: Any, client: Any, staff_token: str
) -> None:
    case_id = new_case(rt).case_id
    auth = {"Authorization": f"Bearer {staff_token}"}
    assert client.get(f"/api/v1/cases/{case_id}", headers=auth).status_code == 200
    assert client.get(f"/api/v1/cases/{case_id}/timeline", headers=auth).status_code == 200
    with rt.session() as session:
        rows = session.scalars(select(CaseAccess).where(CaseAccess.case_id == case_id)).all()
        assert [(r.action, r.purpose) for r in rows] == [("view", "api"), ("view", "api")]
        token = session.scalars(select(ApiToken).where(ApiToken.user_id.is_not(None))).one()
        assert token.last_used_at == rt.now()


def test_revoke_token_from_the_command_line(rt: Any, client: Any) -> None:
    with rt.session() as session:
        token = issue_token(session, "namsfogden feed", None)
    auth = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/cases/1", headers=auth).status_code in (403, 404)
    env = {
        **os.environ,
        "OUTREACH_ENV": "test",  # a DATABASE_URL without it is production (issue 13, item 4)
        "DATABASE_URL": rt.settings.database_url,
        "REDIS_URL": rt.settings.redis_url,
        "OUTREACH_VAR_DIR": str(rt.settings.var_dir),
    }
    done = subprocess.run(
        [sys.executable, "-m", "outreach.cli", "revoke-token", "--name", "namsfogden feed"],
        capture_output=True, text=True, cwd=REPO_ROOT, env=env, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "1 token(s)" in done.stdout
    refused = client.post("/api/v1/triggers", json={}, headers=auth)
    assert refused.status_code == 401
    again = subprocess.run(
        [sys.executable, "-m", "outreach.cli", "revoke-token", "--name", "namsfogden feed"],
        capture_output=True, text=True, cwd=REPO_ROOT, env=env, timeout=120, check=False,
    )  # fmt: skip
    assert again.returncode != 0 and "no live token" in again.stderr
