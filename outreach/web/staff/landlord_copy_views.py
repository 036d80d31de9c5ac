"""The case page's "Send kopi til utleier" (issue 3): a copy of the tenant letter to the
landlord, only when the caseworker chooses (the circular, 000;
``outreach.reach.letter.landlord_copy``).

Beside "Send brevet nå" (``printing.resend.letter_resend``) and built the same way: the
blueprint checks CSRF, the case must be visible to the user, the step is planned and
committed in one transaction, and a refusal says why in bokmål.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import flash, redirect, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from outreach.cases.errors import CaseActionError
from outreach.models import Case
from outreach.parties import copy_recipient
from outreach.permissions import Action
from outreach.reach.letter import landlord_copy
from outreach.web.context import db_session, rt
from outreach.web.staff import bp
from outreach.web.staff.auth import allowed, current_user

_MESSAGES = {
    landlord_copy.CLOSED: _l("Saken er avsluttet."),
    landlord_copy.NO_RULE: _l("Reglene har ingen kopi til utleier."),
    landlord_copy.PROTECTED: _l("Strengt fortrolig adresse: kopier sendes manuelt."),
    landlord_copy.NO_TENANT_LETTER: _l(
        "Leietakeren har ikke fått brev ennå: kopien kan sendes når brevet er sendt eller "
        "ligger i utskriftsbunken."
    ),
    landlord_copy.NO_LANDLORD: _l("Meldingen oppgir ingen utleier med postadresse."),
    landlord_copy.ON_ITS_WAY: _l(
        "En kopi til utleieren ligger allerede i utskriftsbunken og er ikke postlagt ennå."
    ),
}


def _say(message: str) -> str:
    return str(_MESSAGES.get(message, message))


@dataclass(frozen=True)
class LandlordCopy:
    """What the case page shows: why not, or who the copy goes to."""

    blocker: str | None
    recipient: str


def _landlord_copy(case: Case) -> LandlordCopy:
    session = db_session()
    blocker = landlord_copy.landlord_copy_blocker(session, rt(), case)
    party = next(
        (
            found
            for trigger in reversed(case.triggers)
            if (found := copy_recipient(trigger, landlord_copy.AUDIENCE)) is not None
        ),
        None,
    )
    return LandlordCopy(_say(blocker) if blocker else None, party.line if party else "")


@bp.app_context_processor
def _inject() -> dict[str, Any]:
    return {"landlord_copy": _landlord_copy}


@bp.post("/saker/<int:case_id>/kopi-utleier")
@allowed(Action.LANDLORD_COPY)
def landlord_copy_request(case_id: int) -> Any:
    from outreach.web.staff.case.page import render_case, visible_case

    case = visible_case(case_id)
    session = db_session()
    user = current_user()
    assert user is not None
    try:
        landlord_copy.request_landlord_copy(session, rt(), case, user.username, rt().now())
        session.commit()
    except CaseActionError as exc:
        session.rollback()
        flash(_say(str(exc)), "error")
        return render_case(case, 400)
    except IntegrityError:  # the same request twice at once: the first one won
        session.rollback()
        flash(_say(landlord_copy.ON_ITS_WAY), "error")
        return redirect(url_for("staff.case", case_id=case.id, via="action"))
    flash(
        _(
            "Kopien til utleieren legges i utskriftsbunken nå. Den sier bare at NAV har "
            "skrevet til leietakeren."
        ),
        "success",
    )
    return redirect(url_for("staff.case", case_id=case.id, via="action"))
