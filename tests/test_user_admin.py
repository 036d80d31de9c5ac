"""Staff accounts: stored casefolded, updated in full, roles checked, deactivation (issue 5)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from outreach.config import REPO_ROOT
from outreach.models import User
from outreach.staff.users import ROLES, UserError, deactivate_user, parse_roles, save_user
from tests.test_staff_support import login, make_user


def test_user_names_are_stored_casefolded_so_they_can_log_in(client: Any, rt: Any) -> None:
    make_user(rt, " Z990001 ")
    with rt.session() as session:
        assert session.query(User).one().username == "z990001"
    assert login(client, username="Z990001").status_code == 302
    other = client.application.test_client()
    assert login(other, username="z990001").status_code == 302


def test_a_name_stored_as_typed_earlier_is_fixed_by_saving_it_again(client: Any, rt: Any) -> None:
    with rt.session() as session:
        session.add(User(username="Z990002", display_name="Old", roles="caseworker"))
    with rt.session() as session:
        save_user(session, "Z990002", "Zed", roles="caseworker", districts="030101")
    with rt.session() as session:
        assert [u.username for u in session.query(User)] == ["z990002"]
        deactivate_user(session, "z990002")
    with rt.session() as session:
        assert session.query(User).one().active is False


def test_saving_again_updates_name_roles_and_districts(rt: Any) -> None:
    with rt.session() as session:
        first = save_user(
            session, "Kari", "Kari N", roles="caseworker", districts="030101", phone="+4721000111"
        )
        first_id = first.id
    with rt.session() as session:
        again = save_user(
            session,
            "KARI",
            "Kari Nordmann",
            roles="district_lead, caseworker",
            districts="030102,030101",
        )
        assert again.id == first_id
    with rt.session() as session:
        user = session.get(User, first_id)
        assert user is not None
        assert user.display_name == "Kari Nordmann"
        assert user.role_set == {"caseworker", "district_lead"}
        assert user.district_set == {"030101", "030102"}
        assert user.phone == "+4721000111", "an omitted phone is kept"
        assert session.query(User).count() == 1


@pytest.mark.parametrize("roles", ["district-lead", "caseworker,superuser", "", " , "])
def test_unknown_or_missing_roles_are_refused(roles: str) -> None:
    with pytest.raises(UserError):
        parse_roles(roles)


def test_every_known_role_is_accepted() -> None:
    assert set(parse_roles(",".join(reversed(ROLES))).split(",")) == set(ROLES)


def test_deactivation_ends_logins_and_open_sessions(client: Any, rt: Any) -> None:
    make_user(rt)
    assert login(client).status_code == 302
    assert client.get("/staff/").status_code == 200
    with rt.session() as session:
        deactivate_user(session, "KARI")
    assert client.get("/staff/").status_code == 302, "the open session ends"
    assert login(client.application.test_client()).status_code == 401
    with rt.session() as session, pytest.raises(UserError):
        deactivate_user(session, "nobody")


def _cli(env: dict[str, str], *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "outreach.cli", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        env={**os.environ, **env},
        timeout=120,
        check=False,
    )


def test_create_user_and_deactivate_user_commands(tmp_path: Path, redis_url: str) -> None:
    env = {"OUTREACH_VAR_DIR": str(tmp_path), "REDIS_URL": redis_url, "DATABASE_URL": ""}
    assert _cli(env, "db", "upgrade").returncode == 0

    def rows() -> list[tuple[Any, ...]]:
        engine = create_engine(f"sqlite:///{tmp_path / 'outreach.sqlite3'}")
        try:
            with engine.connect() as conn:
                query = "SELECT username, display_name, roles, districts, active FROM users"
                return [tuple(r) for r in conn.execute(text(query))]
        finally:
            engine.dispose()

    create = ["create-user", "--username", "Z990001", "--password-stdin"]
    first = _cli(env, *create, "--name", "Zara", "--districts", "030101", stdin="pw-1234567\n")
    assert first.returncode == 0, first.stderr
    assert "user z990001 saved" in first.stdout
    assert rows() == [("z990001", "Zara", "caseworker", "030101", 1)]

    second = _cli(
        env,
        *create,
        "--name",
        "Zara Z",
        "--roles",
        "district_lead",
        "--districts",
        "030102",
        stdin="pw-1234567\n",
    )
    assert second.returncode == 0, second.stderr
    assert rows() == [("z990001", "Zara Z", "district_lead", "030102", 1)]

    bad = _cli(env, *create, "--name", "Zara", "--roles", "lead", stdin="pw-1234567\n")
    assert bad.returncode != 0 and "--roles" in bad.stderr and "unknown role" in bad.stderr
    assert rows()[0][2] == "district_lead"

    off = _cli(env, "deactivate-user", "--username", "Z990001")
    assert off.returncode == 0, off.stderr
    assert rows()[0][4] == 0
    unknown = _cli(env, "deactivate-user", "--username", "nobody")
    assert unknown.returncode != 0 and "no user nobody" in unknown.stderr
