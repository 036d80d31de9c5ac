"""The tenant's § 9-11 reservation against a landlord's warnings, registered by staff.

The case page lists the reservations staff registered for the tenant and
offers the landlords to reserve against: those of the case's warnings first,
then every landlord NAV knows. Registering refuses the case's warnings from
that landlord at once (``landlords.reservations``).
"""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, request
from flask_babel import gettext as _
from sqlalchemy import select

from outreach.landlords import reservations
from outreach.landlords.warnings import LandlordError
from outreach.models import Case
from outreach.models.landlord import Landlord
from outreach.permissions import Action
from outreach.web.context import db_session, rt
from outreach.web.staff import bp
from outreach.web.staff.auth import acting_user, allowed
from outreach.web.staff.case.page import action_done, case_url, visible_case


@bp.app_template_global("case_reservations")
def case_reservations(case: Case) -> dict[str, Any]:
    """What the case page's reservation section shows."""
    session = db_session()
    own = reservations.case_landlords(session, case)
    others = session.scalars(
        select(Landlord).where(Landlord.id.not_in([x.id for x in own])).order_by(Landlord.name)
    ).all()
    return {
        "reserved": reservations.for_case(session, case),
        "case_landlords": own,
        "other_landlords": others,
    }


@bp.post("/saker/<int:case_id>/reservasjoner")
@allowed(Action.REGISTER_RESERVATION)
def register_reservation(case_id: int) -> Any:
    case = visible_case(case_id)
    raw = request.form.get("landlord_id", "")
    user = acting_user()
    try:
        view = reservations.register_for_case(
            db_session(),
            rt(),
            case,
            int(raw) if raw.isdigit() else 0,
            user_id=user.id,
            actor=user.username,
        )
    except LandlordError:
        db_session().rollback()
        flash(_("Velg en utleier fra listen."), "error")
        return redirect(case_url(case))
    return action_done(
        _(
            "Reservasjonen mot varsel fra %(name)s er registrert. Varsler fra utleieren "
            "om leietakeren avvises, og ingenting av dem lagres.",
            name=view.landlord_name,
        ),
        case,
    )


@bp.post("/saker/<int:case_id>/reservasjoner/<int:reservation_id>/trekk")
@allowed(Action.REGISTER_RESERVATION)
def withdraw_reservation(case_id: int, reservation_id: int) -> Any:
    case = visible_case(case_id)
    try:
        reservations.withdraw_for_case(
            db_session(), rt(), case, reservation_id, actor=acting_user().username
        )
    except LandlordError:
        db_session().rollback()
        flash(_("Reservasjonen finnes ikke, eller er trukket allerede."), "error")
        return redirect(case_url(case))
    return action_done(_("Reservasjonen er trukket tilbake."), case)
