"""Doubtful person matches: staff say "same person" or "different people" (issues 2 and 5).

Intake never merges a doubtful match (``intake.matching``): it opens a case
of its own and leaves a ``MatchReview``. These pages put the two side by side
with only what the decision needs – names, birth dates, addresses, why the
match was made and how sure it is – and call ``intake.match_review.resolve_match_review``.
Opening a pair shows two cases' personal data, so it is logged for both.

Who: central intake and admins see every review (a pair across districts is
nobody else's to settle); a caseworker or lead sees those whose two cases
are both in their districts (``cases.may_review_match``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from outreach.cases import errors
from outreach.intake import match_review as review_decisions
from outreach.models import Case, MatchReview, Person, Trigger, User
from outreach.permissions import Action
from outreach.staff import access_log
from outreach.web.context import db_session, rt
from outreach.web.staff import bp, labels
from outreach.web.staff.auth import allowed, current_user, principal
from outreach.web.staff.timeline_view import district_name
from outreach.web.staff.timeline_words import match_reasons


@dataclass(frozen=True)
class ReviewPair:
    review: MatchReview
    case: Case
    candidate: Case
    trigger: Trigger | None


def _me() -> User:
    user = current_user()
    assert user is not None
    return user


def _pair(review: MatchReview) -> ReviewPair | None:
    session = db_session()
    case = session.get(Case, review.case_id)
    candidate = session.get(Case, review.candidate_case_id)
    if case is None or candidate is None:
        return None
    if not review_decisions.may_review_match(_me(), case, candidate):
        return None
    return ReviewPair(review, case, candidate, session.get(Trigger, review.trigger_id))


def open_pairs() -> list[ReviewPair]:
    session = db_session()
    reviews = session.scalars(
        select(MatchReview).where(MatchReview.status == "open").order_by(MatchReview.id)
    )
    return [p for p in (_pair(r) for r in reviews) if p is not None]


def _visible_pair(review_id: int) -> ReviewPair:
    review = db_session().get(MatchReview, review_id)
    pair = _pair(review) if review is not None else None
    if pair is None:
        abort(404)  # another district's pair: its existence is not revealed
    return pair


@bp.get("/dobbeltsjekk")
@allowed(Action.REVIEW_MATCH)
def match_reviews() -> Any:
    """The list shows no names: only references, reason and confidence."""
    return render_template(
        "staff/match_reviews.html",
        pairs=open_pairs(),
        labels=labels,
        match_reasons=match_reasons,
        district_name=district_name,
    )


@bp.get("/dobbeltsjekk/sak/<int:case_id>")
@allowed(Action.REVIEW_MATCH)
def match_review_for_case(case_id: int) -> Any:
    """The case page's "check the match" link: the case's open review, if any."""
    case = db_session().get(Case, case_id)
    if case is None or not principal().can_see(case):
        abort(404)
    review_id = db_session().scalar(
        select(MatchReview.id)
        .where(MatchReview.case_id == case_id, MatchReview.status == "open")
        .order_by(MatchReview.id)
        .limit(1)
    )
    if review_id is None:
        flash(_("Saken har ingen åpen kontroll av mulig samme person."), "info")
        return redirect(url_for("staff.case", case_id=case_id, via="link"))
    return redirect(url_for("staff.match_review", review_id=review_id))


def _render(pair: ReviewPair, status: int = 200, error: str | None = None) -> Any:
    session = db_session()
    persons = {
        "case": session.get(Person, pair.case.person_id),
        "candidate": session.get(Person, pair.candidate.person_id),
    }
    return (
        render_template(
            "staff/match_review.html",
            pair=pair,
            persons=persons,
            error=error,
            labels=labels,
            match_reasons=match_reasons,
            district_name=district_name,
        ),
        status,
    )


@bp.get("/dobbeltsjekk/<int:review_id>")
@allowed(Action.REVIEW_MATCH)
def match_review(review_id: int) -> Any:
    pair = _visible_pair(review_id)
    session = db_session()
    now = rt().now()
    for case in (pair.case, pair.candidate):
        access_log.log_view(session, _me(), case, "match_review", now)
    session.commit()
    return _render(pair)


@bp.post("/dobbeltsjekk/<int:review_id>")
@allowed(Action.REVIEW_MATCH)
def decide_match_review(review_id: int) -> Any:
    pair = _visible_pair(review_id)
    decision = request.form.get("decision", "")
    if decision not in review_decisions.MATCH_DECISIONS:
        return _render(pair, 400, _("Velg «samme person» eller «ulike personer»."))
    session = db_session()
    try:
        goes_on = review_decisions.resolve_match_review(
            session, rt(), pair.review, decision=decision, actor=_me().username
        )
    except errors.CaseActionError:
        session.rollback()
        return _render(pair, 409, _("Kontrollen er allerede avgjort."))
    session.commit()
    status = pair.review.status
    if status == "merged":
        flash(_("Samme person: sakene er slått sammen."), "success")
    elif status == "repeat":
        flash(_("Samme person: den nye saken er merket som gjenganger."), "success")
    else:
        flash(_("Ulike personer: sakene holdes adskilt."), "success")
    if principal().can_see(goes_on):
        return redirect(url_for("staff.case", case_id=goes_on.id, via="action"))
    return redirect(url_for("staff.match_reviews"))
