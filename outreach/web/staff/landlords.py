"""NAV's side of landlord accounts: applications, decisions, and the landlord audit log.

An administrator (``Action.MANAGE_LANDLORDS``) sees the landlords by status,
applications first, and approves, refuses (with a reason), suspends (with a
reason) or reopens one (``landlords.accounts.change_status``, logged with the
staff user). The audit log of every landlord action is its own page
(``Action.READ_LANDLORD_AUDIT``), filtered by landlord. Neither shows anything
about a tenant: the log holds receipt numbers, never names.
"""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from outreach.landlords import accounts, audit, keys
from outreach.models import User
from outreach.models.landlord import Landlord, LandlordAccount, LandlordWarning
from outreach.permissions import Action
from outreach.web.context import db_session, rt
from outreach.web.staff import bp
from outreach.web.staff.auth import acting_user, allowed

STATUS_LABELS = {
    accounts.PENDING: _l("Søknad til behandling"),
    accounts.APPROVED: _l("Godkjent"),
    accounts.REFUSED: _l("Avslått"),
    accounts.SUSPENDED: _l("Stengt"),
}
CHANGE_LABELS = {
    "approve": _l("Godkjenn"),
    "refuse": _l("Avslå"),
    "suspend": _l("Steng tilgangen"),
    "reopen": _l("Ta opp igjen"),
}
ACTION_LABELS = {
    "applied": _l("Søkte om tilgang"),
    "login": _l("Logget inn"),
    "login_failed": _l("Mislykket innlogging"),
    "logout": _l("Logget ut"),
    "key_created": _l("Laget API-nøkkel"),
    "key_revoked": _l("Trakk tilbake API-nøkkel"),
    "warning_submitted": _l("Sendte varsel"),
    "reservation_registered": _l("Registrerte reservasjon"),
    "reservation_withdrawn": _l("Trakk tilbake reservasjon"),
    "list_uploaded": _l("Lastet opp restanseliste"),
    "approved": _l("Godkjent av NAV"),
    "refused": _l("Avslått av NAV"),
    "suspended": _l("Stengt av NAV"),
    "reopened": _l("Tatt opp igjen av NAV"),
}
AUDIT_PAGE_SIZE = 100


def _landlord_or_404(landlord_id: int) -> Landlord:
    landlord = db_session().get(Landlord, landlord_id)
    if landlord is None:
        abort(404)
    return landlord


def _names(entries: list[Any]) -> dict[str, dict[int, str]]:
    """Who each entry names: staff users and landlord accounts, looked up once."""
    session = db_session()
    staff_ids = {e.staff_user_id for e in entries if e.staff_user_id}
    account_ids = {e.account_id for e in entries if e.account_id}
    landlord_ids = {e.landlord_id for e in entries if e.landlord_id}
    return {
        "staff": {
            u.id: u.display_name
            for u in session.scalars(select(User).where(User.id.in_(staff_ids)))
        },
        "accounts": {
            a.id: a.username
            for a in session.scalars(
                select(LandlordAccount).where(LandlordAccount.id.in_(account_ids))
            )
        },
        "landlords": {
            row.id: row.name
            for row in session.scalars(select(Landlord).where(Landlord.id.in_(landlord_ids)))
        },
    }


@bp.get("/utleiere")
@allowed(Action.MANAGE_LANDLORDS)
def landlords_page() -> Any:
    rows = accounts.by_status(db_session())
    return render_template(
        "staff/landlords.html",
        rows=rows,
        pending=sum(1 for row in rows if row.status == accounts.PENDING),
        status_labels=STATUS_LABELS,
    )


def _landlord_page(
    landlord: Landlord, *, reason_error: str | None = None, status: int = 200
) -> Any:
    session = db_session()
    history = audit.status_history(session, landlord.id)
    warnings = session.scalar(
        select(func.count()).where(LandlordWarning.landlord_id == landlord.id)
    )
    return render_template(
        "staff/landlord.html",
        landlord=landlord,
        people=list(
            session.scalars(
                select(LandlordAccount).where(LandlordAccount.landlord_id == landlord.id)
            )
        ),
        keys=keys.live_keys(session, landlord),
        warnings=warnings or 0,
        history=history,
        names=_names(history),
        changes=accounts.changes_for(landlord),
        needs_reason={n for n, c in accounts.CHANGES.items() if c.needs_reason},
        status_labels=STATUS_LABELS,
        change_labels=CHANGE_LABELS,
        action_labels=ACTION_LABELS,
        reason_error=reason_error,
        reason=request.form.get("reason", ""),
    ), status


@bp.get("/utleiere/<int:landlord_id>")
@allowed(Action.MANAGE_LANDLORDS)
def landlord_page(landlord_id: int) -> Any:
    return _landlord_page(_landlord_or_404(landlord_id))


@bp.post("/utleiere/<int:landlord_id>/status")
@allowed(Action.MANAGE_LANDLORDS)
def change_landlord_status(landlord_id: int) -> Any:
    landlord = _landlord_or_404(landlord_id)
    change = request.form.get("change", "")
    try:
        accounts.change_status(
            db_session(),
            landlord,
            change,
            staff_user_id=acting_user().id,
            reason=request.form.get("reason", ""),
            now=rt().now(),
        )
    except accounts.StatusError as exc:
        if exc.code == "reason":
            message = _("Skriv en begrunnelse. Utleieren ser den.")
        else:
            message = _("Det kan ikke gjøres nå: status er endret. Se siden på nytt.")
        return _landlord_page(landlord, reason_error=message, status=422)
    flash(
        _("%(name)s: %(status)s.", name=landlord.name, status=STATUS_LABELS[landlord.status]),
        "success",
    )
    return redirect(url_for("staff.landlord_page", landlord_id=landlord.id))


@bp.get("/utleiere/logg")
@allowed(Action.READ_LANDLORD_AUDIT)
def landlord_audit_page() -> Any:
    session = db_session()
    try:
        landlord_id = int(request.args.get("utleier") or 0) or None
        page = max(1, int(request.args.get("side") or 1))
    except ValueError:
        landlord_id, page = None, 1
    action = request.args.get("hva") or None
    if action not in audit.ACTIONS:
        action = None
    entries = audit.entries(
        session,
        audit.Filter(landlord_id=landlord_id, action=action),
        limit=AUDIT_PAGE_SIZE + 1,
        offset=(page - 1) * AUDIT_PAGE_SIZE,
    )
    shown = entries[:AUDIT_PAGE_SIZE]
    return render_template(
        "staff/landlord_audit.html",
        entries=shown,
        names=_names(shown),
        has_next=len(entries) > AUDIT_PAGE_SIZE,
        page=page,
        landlord_id=landlord_id,
        action=action,
        landlords=list(session.scalars(select(Landlord).order_by(Landlord.name))),
        action_labels=ACTION_LABELS,
    )
