"""The portal's forms for the application and API keys (``account_views``)."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, RadioField, StringField

from outreach.web.forms import options

KIND_CHOICES = (
    ("company", _l("En virksomhet (AS, borettslag, kommunalt foretak som Boligbygg)")),
    ("person", _l("En privatperson som leier ut")),
)


class ApplicationForm(FlaskForm):
    kind = RadioField(_l("Hvem søker?"), choices=options(KIND_CHOICES), default="company")
    name = StringField(
        _l("Navn på virksomheten, eller ditt fulle navn"),
        render_kw={"autocomplete": "organization"},
    )
    org_number = StringField(
        _l("Organisasjonsnummer (virksomheter)"),
        render_kw={"inputmode": "numeric", "autocomplete": "off"},
    )
    street = StringField(
        _l("Adresse (privatpersoner)"), render_kw={"autocomplete": "street-address"}
    )
    postal_code = StringField(
        _l("Postnummer"), render_kw={"inputmode": "numeric", "autocomplete": "postal-code"}
    )
    city = StringField(_l("Poststed"), render_kw={"autocomplete": "address-level2"})
    username = StringField(
        _l("E-postadresse (brukernavn)"),
        render_kw={"autocomplete": "username", "autocapitalize": "none", "inputmode": "email"},
    )
    display_name = StringField(_l("Ditt navn"), render_kw={"autocomplete": "name"})
    password = PasswordField(
        _l("Passord (minst 12 tegn)"), render_kw={"autocomplete": "new-password"}
    )
    password_again = PasswordField(
        _l("Gjenta passordet"), render_kw={"autocomplete": "new-password"}
    )
    accepts_terms = BooleanField(_l("Jeg har lest og godtar vilkårene over"))

    REQUIRED = ("kind", "name", "username", "display_name", "password", "password_again")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in self.REQUIRED:
            getattr(self, name).flags.required = True
        self.accepts_terms.flags.required = True


class KeyForm(FlaskForm):
    name = StringField(
        _l("Navn på nøkkelen"),
        render_kw={"autocomplete": "off", "maxlength": "80"},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.name.flags.required = True
