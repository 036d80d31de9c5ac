"""``/api/v1/match-reviews``: doubtful person matches that wait for a person to decide.

Central intake sees every review (a cross-district pair is nobody else's);
others see the pairs whose cases they may both see (``may_review_match``).
"""

from __future__ import annotations

from typing import Any

from flask import g, jsonify
from sqlalchemy import select
from sqlalchemy.orm import Session

from outreach.intake import match_review
from outreach.models import Case, MatchReview
from outreach.permissions import Action
from outreach.web.api import bp
from outreach.web.api.auth import require_token
from outreach.web.api.cases import case_json
from outreach.web.api.common import act, error, load
from outreach.web.api.schemas import MatchDecisionSchema
from outreach.web.context import db_session, rt


@bp.get("/match-reviews")
@require_token(Action.REVIEW_MATCH)
def list_match_reviews() -> Any:
    session = db_session()
    reviews = session.scalars(
        select(MatchReview).where(MatchReview.status == "open").order_by(MatchReview.id)
    )
    user = g.principal.user
    result = []
    for review in reviews:
        # Central intake sees every review: a cross-district pair is nobody else's.
        case, candidate = (
            session.get(Case, review.case_id),
            session.get(Case, review.candidate_case_id),
        )
        if case is None or candidate is None:
            continue
        if not match_review.may_review_match(user, case, candidate):
            continue
        result.append(
            {
                "id": review.id,
                "case": case_json(case),
                "candidate": case_json(candidate),
                "confidence": review.confidence,
                "reasons": review.reasons,
            }
        )
    return jsonify(result)


@bp.post("/match-reviews/<int:review_id>")
@require_token(Action.REVIEW_MATCH)
def decide_match_review(review_id: int) -> Any:
    session = db_session()
    review = session.get(MatchReview, review_id)
    case = session.get(Case, review.case_id) if review is not None else None
    candidate = session.get(Case, review.candidate_case_id) if review is not None else None
    # The same rule as the list: central intake settles cross-district pairs.
    if (
        review is None
        or case is None
        or candidate is None
        or not match_review.may_review_match(g.principal.user, case, candidate)
    ):
        return error(404, "not_found", "No such review.")
    data, failure = load(MatchDecisionSchema())
    if failure is not None:
        return failure
    assert data is not None

    def action(session: Session) -> Any:
        case = match_review.resolve_match_review(
            session, rt(), review, decision=data["decision"], actor=g.principal.label
        )
        return jsonify({"review_id": review.id, "status": review.status, "case_id": case.id})

    return act(action)
