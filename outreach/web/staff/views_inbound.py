""" "Ukjente SMS-svar": replies no case could be tied to, for central intake and leads.

The rules (who sees which message, what attaching does) are in
``outreach.inbound.review``; these handlers check the form, call one action
and commit. Another district's message, like another district's case, is a
404.
"""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from outreach.inbound import review
from outreach.models import Case, User
from outreach.models.inbound import InboundMessage
from outreach.permissions import Action
from outreach.web.context import db_session, rt
from outreach.web.staff import bp, labels
from outreach.web.staff.auth import allowed, current_user, principal
from outreach.web.staff.timeline_view import district_name


def _me() -> User:
    user = current_user()
    assert user is not None
    return user


def _visible_message(message_id: int) -> InboundMessage:
    session = db_session()
    message = session.get(InboundMessage, message_id)
    if message is None or not review.may_see(session, _me(), message):
        abort(404)
    return message


@bp.get("/sms-svar")
@allowed(Action.REVIEW_INBOUND)
def inbound_messages() -> Any:
    return render_template(
        "staff/inbound_messages.html",
        rows=review.open_messages(db_session(), _me()),
        district_name=district_name,
    )


def _candidates(message: InboundMessage) -> list[Case]:
    """Open cases sharing the number that this user may see: the likely choices."""
    if not message.candidate_case_ids:
        return []
    cases = db_session().scalars(
        select(Case).where(Case.id.in_(message.candidate_case_ids)).order_by(Case.id)
    )
    return [c for c in cases if principal().can_see(c)]


def _render(
    message: InboundMessage, status: int = 200, *, errors: dict[str, str] | None = None
) -> Any:
    form = request.form if request.method == "POST" else {}
    return (
        render_template(
            "staff/inbound_message.html",
            message=message,
            masked=review.mask_number(message.from_number),
            candidates=_candidates(message),
            errors=errors or {},
            reference=form.get("reference", ""),
            reason=form.get("reason", ""),
            labels=labels,
            district_name=district_name,
        ),
        status,
    )


@bp.get("/sms-svar/<int:message_id>")
@allowed(Action.REVIEW_INBOUND)
def inbound_message(message_id: int) -> Any:
    message = _visible_message(message_id)
    session = db_session()
    review.log_detail_view(session, _me(), message, rt().now())
    session.commit()
    return _render(message)


_MESSAGES = {
    "The message is already handled.": lambda: _("Svaret er allerede behandlet."),
    "The case is closed.": lambda: _("Saken er avsluttet."),
    "Give a reason.": lambda: _("Skriv hvorfor svaret avvises."),
}


def _message_for(exc: Exception) -> str:
    maker = _MESSAGES.get(str(exc))
    return maker() if maker else str(exc)


@bp.post("/sms-svar/<int:message_id>/knytt")
@allowed(Action.REVIEW_INBOUND)
def attach_inbound(message_id: int) -> Any:
    message = _visible_message(message_id)
    session = db_session()
    reference = (request.form.get("reference") or "").strip().upper()
    case = session.scalar(select(Case).where(Case.reference == reference)) if reference else None
    if case is None or not principal().can_see(case):
        # Another district's case is "not found", so its existence is not revealed.
        return _render(
            message,
            400,
            errors={"reference": _("Fant ingen sak med det saksnummeret som du har tilgang til.")},
        )
    try:
        review.attach_to_case(session, rt(), message, case, user=_me())
    except review.InboundReviewError as exc:
        session.rollback()
        return _render(message, 400, errors={"reference": _message_for(exc)})
    session.commit()
    flash(_("Svaret er lagt på saken som kontakt fra leietakeren. Stigen er stoppet."), "success")
    return redirect(url_for("staff.case", case_id=case.id, via="action"))


@bp.post("/sms-svar/<int:message_id>/avvis")
@allowed(Action.REVIEW_INBOUND)
def dismiss_inbound(message_id: int) -> Any:
    message = _visible_message(message_id)
    session = db_session()
    try:
        review.dismiss(session, rt(), message, reason=request.form.get("reason") or "", user=_me())
    except review.InboundReviewError as exc:
        session.rollback()
        return _render(message, 400, errors={"reason": _message_for(exc)})
    session.commit()
    flash(_("Svaret er avvist."), "success")
    return redirect(url_for("staff.inbound_messages"))
