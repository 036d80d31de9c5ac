"""Preview the tenant letter for a case, in the tenant's language (issue 5).

Kept small on purpose: the letters package (``outreach.letters``) owns the
text and the rendering; this only gathers the case's facts into its
``LetterData``. Returns the PDF bytes, or a message to show instead.
"""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from outreach.cases.contact import contact_person, holding_office
from outreach.models import Case, Trigger
from outreach.runtime import Runtime
from outreach.web.i18n import OSLO


def render_case_letter(session: Session, rt: Runtime, case: Case, language: str) -> bytes | str:
    try:
        from outreach import letters
    except ImportError:
        return _("Forhåndsvisning av brev er ikke tilgjengelig ennå.")
    trigger = session.scalar(
        select(Trigger).where(Trigger.case_id == case.id).order_by(Trigger.id.desc()).limit(1)
    )
    # The district's office, or central intake's while no district holds the case.
    office = holding_office(case)
    if trigger is None:
        return _("Saken mangler melding eller bydel, så brevet kan ikke vises.")
    if language not in letters.LANGUAGES:
        language = "nb"
    person = case.person
    name, phone = contact_person(case)
    today = rt.now().astimezone(OSLO).date()
    try:
        letters.ensure_compiled()
        data = letters.LetterData(
            kind=trigger.kind,
            audience="tenant",
            language=language,
            reference=case.reference,
            letter_date=today,
            # The case page's rule (Person.shown_address): a protected address
            # is not printed on a preview either; the letter goes by hand.
            recipient=letters.PostalAddress(
                person.name,
                *(person.shown_address or (_("Fortrolig adresse – vises ikke"), "", "")),
            ),
            office=office.for_letter(),
            contact=letters.ContactPerson(name, phone) if name and phone else None,
            source_type=trigger.source_type,
            source_name=trigger.source_name,
            received_on=trigger.received_at.astimezone(OSLO).date(),
            tenant_name=person.name,
            arrears_amount=trigger.arrears_amount,
            eviction_date=case.eviction_date,
        )
        return bytes(letters.render_pdf([data]))
    except letters.MissingContactPerson:
        return _(
            "Brevet kan ikke lages uten kontaktperson med telefonnummer (rundskrivet krever det)."
        )
