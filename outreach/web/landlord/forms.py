"""The portal's forms; the documents they build are checked by the API's schemas."""

from __future__ import annotations

from typing import Any, ClassVar

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.validators import Length

from outreach.intake.landlord_schema import LANDLORD_KINDS
from outreach.web.forms import LANGUAGE_CHOICES, options

KIND_LABELS = {
    "unpaid_rent_warning": _l("Varsel om ubetalt husleie (husleieloven § 9-11)"),
    "eviction_completed": _l("Melding om gjennomført utkastelse"),
}


class WarningForm(FlaskForm):
    kind = SelectField(
        _l("Hva gjelder meldingen?"),
        choices=options((k, KIND_LABELS[k]) for k in LANDLORD_KINDS),
        default="unpaid_rent_warning",
    )
    reference = StringField(_l("Deres referanse"), render_kw={"autocomplete": "off"})
    tenant_name = StringField(_l("Leietakers navn"), render_kw={"autocomplete": "off"})
    birth_date = StringField(_l("Fødselsdato"), render_kw={"type": "date"})
    national_id = StringField(
        _l("Fødselsnummer (valgfritt)"),
        render_kw={"inputmode": "numeric", "autocomplete": "off"},
    )
    street = StringField(_l("Adressen som leies ut"), render_kw={"autocomplete": "off"})
    postal_code = StringField(_l("Postnummer"), render_kw={"inputmode": "numeric"})
    city = StringField(_l("Poststed"), default="Oslo")
    phone = StringField(_l("Leietakers mobilnummer (valgfritt)"), render_kw={"inputmode": "tel"})
    email = StringField(_l("Leietakers e-post (valgfritt)"), render_kw={"inputmode": "email"})
    language = SelectField(
        _l("Leietakers språk, om dere vet det"),
        choices=options(LANGUAGE_CHOICES),
        default="nb",
    )
    children = StringField(_l("Barn i husstanden: alder (valgfritt)"))
    arrears_amount = StringField(_l("Ubetalt husleie (kr)"), render_kw={"inputmode": "decimal"})
    arrears_since = StringField(_l("Ubetalt siden (valgfritt)"), render_kw={"type": "date"})
    eviction_date = StringField(_l("Dato for utkastelsen"), render_kw={"type": "date"})
    notes = TextAreaField(_l("Annet NAV bør vite (valgfritt)"), validators=[Length(max=2000)])
    tenant_not_reserved = BooleanField(
        _l("Leietakeren har ikke reservert seg mot varsel til sosialtjenesten")
    )
    tenant_informed = BooleanField(_l("Leietakeren har fått kopi av dette varselet"))

    # What the schema (intake.landlord_schema) always needs, and what each kind adds:
    # marked "(må fylles ut)" and aria-required like the staff forms (WCAG 3.3.2).
    REQUIRED = ("kind", "reference", "tenant_name", "street", "postal_code")
    KIND_REQUIRED: ClassVar[dict[str, tuple[str, ...]]] = {
        "unpaid_rent_warning": ("arrears_amount",),
        "eviction_completed": ("eviction_date",),
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in (*self.REQUIRED, *(n for ns in self.KIND_REQUIRED.values() for n in ns)):
            getattr(self, name).flags.required = True


class ReservationForm(FlaskForm):
    label = StringField(_l("Deres referanse, for eksempel kontraktsnummer"))
    name = StringField(_l("Leietakers navn"), render_kw={"autocomplete": "off"})
    birth_date = StringField(_l("Fødselsdato"), render_kw={"type": "date"})
    national_id = StringField(
        _l("Fødselsnummer (valgfritt)"),
        render_kw={"inputmode": "numeric", "autocomplete": "off"},
    )


class ListUploadForm(FlaskForm):
    """A monthly arrears list (issue 14): the file and the § 9-11 declarations, once a list."""

    file = FileField(_l("Restanselisten (CSV eller JSON)"), render_kw={"accept": ".csv,.json,.txt"})
    tenant_not_reserved = BooleanField(
        _l("Ingen av leietakerne på listen har reservert seg mot varsel til sosialtjenesten")
    )
    tenant_informed = BooleanField(
        _l("Alle leietakerne på listen har fått beskjed om at NAV blir varslet")
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.file.flags.required = True
