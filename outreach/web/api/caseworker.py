"""``POST /api/v1/cases/{id}/caseworker``: name a case's caseworker through the API (issue 5).

Same rules as the staff page: a staff token, the case visible to the token's
user (another district's case is a 404), and only a district lead or an
administrator may give a case to someone else; without ``username`` the
token's own user takes it.
"""

from __future__ import annotations

from typing import Any

from flask import g, jsonify
from sqlalchemy import select
from sqlalchemy.orm import Session

from outreach.cases import caseworker as cases_caseworker
from outreach.models import User
from outreach.permissions import Action
from outreach.staff.tokens import Principal
from outreach.web.api import bp
from outreach.web.api.auth import require_token
from outreach.web.api.common import act, case_for, error, load
from outreach.web.api.schemas import CaseworkerSchema
from outreach.web.context import db_session, rt


@bp.post("/cases/<int:case_id>/caseworker")
@require_token(Action.TAKE_CASE)
def post_caseworker(case_id: int) -> Any:
    case = case_for(case_id)
    if case is None:
        return error(404, "not_found", "No such case.")
    data, failure = load(CaseworkerSchema())
    if failure is not None:
        return failure
    assert data is not None
    principal: Principal = g.principal
    actor = principal.user
    assert actor is not None
    if data["username"] is None:
        chosen: User | None = actor
    else:
        chosen = db_session().scalar(
            select(User).where(User.username == data["username"].strip().casefold())
        )
        if chosen is None:
            return error(422, "validation_failed", "Some fields are not valid.",
                          {"username": ["No such user."]})  # fmt: skip
    assert chosen is not None
    if not cases_caseworker.may_assign_caseworker(actor, case, chosen):
        return error(403, "forbidden", "Only a district lead may assign someone else.")

    def action(session: Session) -> Any:
        flags = cases_caseworker.assign_caseworker(
            session, rt(), case, caseworker=chosen, actor=principal.label
        )
        return jsonify({"case_id": case.id, "caseworker": chosen.username, "flags": flags})

    return act(action)
