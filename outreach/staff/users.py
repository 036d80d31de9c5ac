"""Staff accounts as operators manage them: create or update, deactivate.

- User names are stored casefolded and stripped: the login (password and
  single sign-on) casefolds what it is given, so a name stored as typed
  (``Z990001``) could never sign in.
- Roles are checked against :data:`ROLES`, because a misspelt role
  (``district-lead``) would silently grant nothing – for a lead, undecided
  flags would be raised to nobody (``outreach.cases.flags``).
- Deactivating keeps the row: timelines, tasks and the access log point at it
  (who did what stays answerable), while ``active=False`` stops the password
  login, single sign-on and every open session at its next request.
"""

from __future__ import annotations

import logging

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from outreach.models import User
from outreach.permissions import ROLES as ROLES  # the table's roles; kept here for callers

log = logging.getLogger("outreach.staff_users")


class UserError(ValueError):
    """A user cannot be saved as asked; the message says why, in English for operators."""


def normalise_username(username: str) -> str:
    """What the login compares against: stripped and casefolded."""
    return username.strip().casefold()


def parse_roles(roles: str) -> str:
    """Comma-separated roles, checked and in a stable order; at least one."""
    wanted = [r.strip() for r in roles.split(",") if r.strip()]
    unknown = sorted(set(wanted) - set(ROLES))
    if unknown:
        raise UserError(f"unknown role(s) {', '.join(unknown)}; known: {', '.join(ROLES)}")
    if not wanted:
        raise UserError("give at least one role")
    return ",".join(r for r in ROLES if r in wanted)


def find_user(session: Session, username: str) -> User | None:
    """The user by name; also one stored as typed before names were casefolded."""
    name = normalise_username(username)
    user: User | None = session.scalar(select(User).where(User.username == name))
    if user is None:
        user = session.scalar(
            select(User).where(func.lower(User.username) == name).order_by(User.id).limit(1)
        )
    return user


def save_user(
    session: Session,
    username: str,
    display_name: str,
    *,
    roles: str,
    districts: str,
    phone: str | None = None,
) -> User:
    """Create the user, or update name, roles, districts (and phone, if given)."""
    name = normalise_username(username)
    if not name:
        raise UserError("the user name is empty")
    role_list = parse_roles(roles)
    district_list = ",".join(sorted({d.strip() for d in districts.split(",") if d.strip()}))
    user = find_user(session, name)
    if user is None:
        user = User(username=name, phone=phone or "")
        session.add(user)
    elif phone is not None:
        user.phone = phone
    user.username = name  # a name stored as typed by an older version can now sign in
    user.display_name = display_name
    user.roles = role_list
    user.districts = district_list
    session.flush()
    log.info("staff user saved user_id=%s", user.id)
    return user


def deactivate_user(session: Session, username: str) -> User:
    """Stop the user from signing in; their open sessions end at the next request."""
    user = find_user(session, username)
    if user is None:
        raise UserError(f"no user {normalise_username(username)}")
    user.active = False
    session.flush()
    log.info("staff user deactivated user_id=%s", user.id)
    return user
