"""``POST /api/v1/cases/{id}/landlord-copy``: a copy of the tenant letter to the landlord.

The API twin of the case page's "Send kopi til utleier" (``outreach.reach.letter.landlord_copy``): a
staff token, the case visible to the token's user (another district's case is a 404),
no body. The copy is planned now and goes out with the district's next print batch;
a refusal is a 422 saying why.
"""

from __future__ import annotations

from typing import Any

from flask import g, jsonify
from sqlalchemy.orm import Session

from outreach.permissions import Action
from outreach.reach.letter import landlord_copy
from outreach.staff.tokens import Principal
from outreach.web.api import bp
from outreach.web.api.auth import require_token
from outreach.web.api.common import act, case_for, error
from outreach.web.context import rt


@bp.post("/cases/<int:case_id>/landlord-copy")
@require_token(Action.LANDLORD_COPY)
def post_landlord_copy(case_id: int) -> Any:
    case = case_for(case_id)
    if case is None:
        return error(404, "not_found", "No such case.")
    principal: Principal = g.principal

    def action(session: Session) -> Any:
        runtime = rt()
        step = landlord_copy.request_landlord_copy(
            session, runtime, case, principal.label, runtime.now()
        )
        body = {
            "case_id": case.id,
            "step_id": step.id,
            "rule": step.rule,
            "status": step.status,
            "due_at": step.due_at.isoformat(),
        }
        return jsonify(body), 201

    return act(action)
