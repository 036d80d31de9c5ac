"""«Send brevet nå» on the case page: put the tenant's letter in the print batch now.

The form and the reason it cannot be sent (``letter_resend_blocker``) are given
to the case page's template; the core's English messages are said in Norwegian,
and a failed request shows the case page with the error (status 400).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import flash, g, redirect, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy.exc import IntegrityError
from wtforms import TextAreaField
from wtforms.validators import DataRequired, Length

from outreach.cases.errors import CaseActionError
from outreach.models import Case
from outreach.permissions import Action
from outreach.reach.letter.actions import request_letter_resend, resend_blocker
from outreach.web.context import db_session, rt
from outreach.web.staff import bp
from outreach.web.staff.auth import acting_user, allowed
from outreach.web.staff.case.page import render_case, visible_case

# letter_actions' English messages, said in Norwegian on the case page.
_RESEND_MESSAGES = {
    "Write why the letter is sent now.": _l("Skriv hvorfor brevet sendes nå (minst 5 tegn)."),
    "The case is closed.": _l("Saken er avsluttet."),
    "The ladder is paused: resume it first.": _l(
        "Kontaktstigen er på pause. Start den igjen før brevet sendes."
    ),
    "The tenant has responded: the contact ladder no longer sends letters.": _l(
        "Leietakeren har svart, så kontaktstigen sender ikke flere brev."
    ),
    "The policy has no letter to the tenant.": _l("Reglene har ikke noe brev til leietaker."),
    "Protected address: the letter is sent manually.": _l(
        "Fortrolig adresse: brevet sendes manuelt."
    ),
    "No postal address for the tenant.": _l("Leietakeren har ingen postadresse."),
    "No contact person with a phone number for the letter.": _l(
        "Brevet kan ikke lages uten kontaktperson med telefonnummer (rundskrivet krever det)."
    ),
    "A letter to the tenant is already on its way (not yet posted).": _l(
        "Et brev til leietakeren ligger allerede i utskriftsbunken og er ikke postlagt ennå."
    ),
    "The case has no notice to write about.": _l("Saken har ingen melding å skrive om."),
}


def _say(message: str) -> str:
    return str(_RESEND_MESSAGES.get(message, message))


class LetterResendForm(FlaskForm):
    reason = TextAreaField(
        _l("Hvorfor sendes brevet nå?"),
        validators=[
            DataRequired(_l("Skriv en begrunnelse.")),
            Length(min=5, max=1000, message=_l("Skriv minst 5 tegn.")),
        ],
    )


def _resend_form() -> LetterResendForm:
    # CSRF is checked for the whole blueprint; the template adds the token.
    form: LetterResendForm | None = g.get("letter_resend_form")
    return form or LetterResendForm(formdata=None, prefix="letter", meta={"csrf": False})


@bp.app_context_processor
def _inject() -> dict[str, Any]:
    return {"letter_resend_form": _resend_form, "letter_resend_blocker": _blocker_text}


ON_ITS_WAY = "A letter to the tenant is already on its way (not yet posted)."


@dataclass(frozen=True)
class Blocker:
    text: str
    in_print_batch: bool


def _blocker_text(case: Case) -> Blocker | None:
    blocker = resend_blocker(db_session(), rt(), case)
    return Blocker(_say(blocker), blocker == ON_ITS_WAY) if blocker else None


@bp.post("/saker/<int:case_id>/brev/send")
@allowed(Action.RESEND_LETTER)
def letter_resend(case_id: int) -> Any:
    case = visible_case(case_id)
    session = db_session()
    form = LetterResendForm(prefix="letter", meta={"csrf": False})
    if not form.validate():
        g.letter_resend_form = form
        return render_case(case, 400)
    first = case.letter_sent_at is None
    try:
        request_letter_resend(session, rt(), case, form.reason.data or "", acting_user().username)
        session.commit()
    except CaseActionError as exc:
        session.rollback()
        if exc.field == "reason":
            form.reason.errors = [_say(str(exc))]
        else:
            flash(_say(str(exc)), "error")
        g.letter_resend_form = form
        return render_case(case, 400)
    except IntegrityError:  # the same request twice at once: the first one won
        session.rollback()
        flash(_say(ON_ITS_WAY), "error")
        return redirect(url_for("staff.case", case_id=case.id, via="action"))
    flash(
        _("Brevet legges i utskriftsbunken nå. Det regnes som sendt når bunken er postlagt.")
        if first
        else _(
            "Brevet sendes på nytt: det legges i utskriftsbunken nå og regnes som sendt "
            "når bunken er postlagt."
        ),
        "success",
    )
    return redirect(url_for("staff.case", case_id=case.id, via="action"))
