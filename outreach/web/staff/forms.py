"""The staff app's Flask-WTF forms: every form carries a CSRF token.

The intake form only collects the fields; the trigger document it builds is
validated by the same marshmallow schema as the API (``load_trigger``), so a
rule lives in one place and the error messages land on the right field.
"""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    HiddenField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length

from outreach.cases.response import CLOSE_OUTCOMES, CONTACT_CHANNELS
from outreach.districts import all_districts
from outreach.vocabulary import NOTICE_REASONS, PETITION_OUTCOMES, PLAINTIFF_TYPES, TRIGGER_KINDS
from outreach.web.forms import LANGUAGE_CHOICES, language_choices, options
from outreach.web.staff import labels


def _choices(table: dict[str, object], codes: tuple[str, ...] | list[str]) -> list[Any]:
    return options((code, table.get(code, code)) for code in codes)


def district_choices(blank: object = None) -> list[Any]:
    rows = [(d.code, f"{d.name} ({d.code})") for d in all_districts()]
    return options(([("", blank)] if blank is not None else []) + rows)


class IntakeForm(FlaskForm):
    kind = SelectField(_l("Type melding"), choices=[], validate_choice=False)
    received_on = StringField(_l("Mottatt dato"), render_kw={"type": "date"})
    source_type = SelectField(_l("Avsender"), choices=[], validate_choice=False)
    source_name = StringField(_l("Avsenderens navn"))
    source_org_number = StringField(_l("Organisasjonsnummer (valgfritt)"))
    source_reference = StringField(_l("Avsenderens saksnummer"))
    # The sender's postal address (schema ``source.address``): the copy to the bailiff
    # goes there; without it the copy is skipped (parties.NO_POSTAL_ADDRESS).
    source_street = StringField(_l("Avsenderens gateadresse eller postboks"))
    source_postal_code = StringField(
        _l("Avsenderens postnummer"), render_kw={"inputmode": "numeric"}
    )
    source_city = StringField(_l("Avsenderens poststed"))
    document = FileField(_l("Kildedokument (PDF, høyst 10 MB)"))

    tenant_name = StringField(_l("Navn"))
    national_id = StringField(
        _l("Fødselsnummer eller D-nummer (valgfritt)"),
        render_kw={"inputmode": "numeric", "autocomplete": "off"},
    )
    birth_date = StringField(_l("Fødselsdato"), render_kw={"type": "date"})
    street = StringField(_l("Gateadresse"))
    postal_code = StringField(_l("Postnummer"), render_kw={"inputmode": "numeric"})
    city = StringField(_l("Poststed"), default="Oslo")
    phone = StringField(_l("Mobilnummer"), render_kw={"inputmode": "tel"})
    email = StringField(_l("E-post"), render_kw={"inputmode": "email"})
    language = SelectField(
        _l("Foretrukket språk"),
        choices=options(LANGUAGE_CHOICES),
        default="nb",
        validate_choice=False,
    )
    protected_address = BooleanField(_l("Fortrolig eller strengt fortrolig adresse"))
    vulnerable = BooleanField(_l("Opplysninger tyder på at personen trenger ekstra hjelp"))

    children = StringField(_l("Barnas alder"))
    adults = StringField(_l("Antall voksne"), render_kw={"inputmode": "numeric"})
    client_status = SelectField(_l("Sosialsak hos NAV"), choices=[], validate_choice=False)
    client_district = SelectField(_l("Bydel for sosialsaken"), choices=[], validate_choice=False)
    district = SelectField(
        _l("Bydel (la stå tom for å finne den fra adressen)"), choices=[], validate_choice=False
    )
    eviction_date = StringField(_l("Dato for utkastelse, om kjent"), render_kw={"type": "date"})
    arrears_amount = StringField(_l("Restanse (kr)"), render_kw={"inputmode": "decimal"})
    notes = TextAreaField(_l("Merknader"), validators=[Length(max=5000)])
    # The landlord (petition) or plaintiff (forced sale) the notice names (schema ``counterpart``).
    counterpart_name = StringField(_l("Utleier eller saksøker"))
    counterpart_org_number = StringField(_l("Utleiers/saksøkers organisasjonsnummer (valgfritt)"))
    counterpart_street = StringField(_l("Gateadresse (utleier/saksøker)"))
    counterpart_postal_code = StringField(
        _l("Postnummer (utleier/saksøker)"), render_kw={"inputmode": "numeric"}
    )
    counterpart_city = StringField(_l("Poststed (utleier/saksøker)"))
    # The mapping (issue 15): blank lets intake derive what the sender and kind tell.
    plaintiff_type = SelectField(_l("Type saksøker"), choices=[], validate_choice=False)
    reason = SelectField(_l("Grunn til varselet"), choices=[], validate_choice=False)
    # Tied to the person the warning was about (views_intake.duplicate_token).
    confirm_duplicate = HiddenField()
    # A PDF kept from an earlier submit that had errors (pending_uploads).
    pending_document = HiddenField()

    # What the schema always requires; marked on the form (WCAG 3.3.2).
    REQUIRED = ("kind", "source_type", "tenant_name", "street", "postal_code")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in self.REQUIRED:
            getattr(self, name).flags.required = True

    def fill_choices(self) -> None:
        # An empty first option: a kind or a sender is chosen, never silently preselected.
        self.kind.choices = [
            *options([("", _l("Velg type melding …"))]),
            *_choices(labels.TRIGGER_KINDS, TRIGGER_KINDS),
        ]
        self.source_type.choices = [
            *options([("", _l("Velg avsender …"))]),
            *_choices(
                labels.SOURCE_TYPES,
                ("bailiff", "landlord", "municipal_landlord", "court", "staff"),
            ),
        ]
        self.language.choices = language_choices()
        self.client_status.choices = _choices(labels.CLIENT_STATUSES, ("none", "passive", "active"))
        self.client_district.choices = district_choices(blank=_l("– ingen / ukjent –"))
        self.district.choices = district_choices(blank=_l("– finn fra adressen –"))
        unknown = options([("", _l("– ut fra avsender og type –"))])
        self.plaintiff_type.choices = [
            *unknown,
            *_choices(labels.PLAINTIFF_TYPES, PLAINTIFF_TYPES),
        ]
        self.reason.choices = [*unknown, *_choices(labels.NOTICE_REASONS, NOTICE_REASONS)]


class ContactForm(FlaskForm):
    channel = SelectField(
        _l("Hvordan fikk vi kontakt?"),
        choices=[],
        validators=[InputRequired()],
    )
    note = TextAreaField(_l("Kort notat (valgfritt)"), validators=[Length(max=4000)])

    def fill_choices(self) -> None:
        self.channel.choices = _choices(labels.CONTACT_CHANNELS, CONTACT_CHANNELS)


class NoteForm(FlaskForm):
    text = TextAreaField(
        _l("Notat"), validators=[DataRequired(_l("Skriv notatet.")), Length(max=8000)]
    )


class ForwardForm(FlaskForm):
    district = SelectField(_l("Ny bydel"), choices=[], validators=[DataRequired(_l("Velg bydel."))])
    reason = TextAreaField(
        _l("Begrunnelse"),
        validators=[
            DataRequired(_l("Skriv hvorfor saken sendes videre.")),
            Length(min=3, max=1000),
        ],
    )

    def fill_choices(self) -> None:
        self.district.choices = district_choices(blank=_l("– velg bydel –"))


class FlagDecisionForm(FlaskForm):
    decision = SelectField(
        _l("Beslutning"), choices=[], validators=[DataRequired(_l("Velg en beslutning."))]
    )
    reason = TextAreaField(
        _l("Begrunnelse (minst 10 tegn)"),
        validators=[
            DataRequired(_l("Skriv begrunnelsen.")),
            Length(min=10, max=4000, message=_l("Skriv minst 10 tegn.")),
        ],
    )


class PauseForm(FlaskForm):
    reason = TextAreaField(
        _l("Hvorfor settes stigen på pause?"),
        validators=[
            DataRequired(_l("Skriv en begrunnelse.")),
            Length(min=5, max=1000, message=_l("Skriv minst 5 tegn.")),
        ],
    )


class CloseForm(FlaskForm):
    outcome = SelectField(_l("Utfall"), choices=[], validators=[DataRequired(_l("Velg utfall."))])
    note = TextAreaField(_l("Kort konklusjon (valgfritt)"), validators=[Length(max=4000)])

    def fill_choices(self) -> None:
        self.outcome.choices = [
            *options([("", _l("– velg utfall –"))]),
            *_choices(labels.CLOSE_OUTCOMES, CLOSE_OUTCOMES),
        ]


class FollowUpForm(FlaskForm):
    kind = SelectField(_l("Tiltak"), choices=[], validators=[DataRequired(_l("Velg tiltak."))])
    due_on = StringField(
        _l("Dato"), validators=[InputRequired(_l("Velg en dato."))], render_kw={"type": "date"}
    )
    owner = SelectField(
        _l("Ansvarlig"), choices=[], validators=[DataRequired(_l("Velg ansvarlig."))]
    )
    note = StringField(_l("Merknad (valgfritt)"), validators=[Length(max=500)])

    def fill_choices(
        self, owners: list[tuple[str, str]], kinds: tuple[str, ...] | None = None
    ) -> None:
        """``kinds``: the measures that may be planned (a closed case: after help only)."""
        self.kind.choices = [
            *options([("", _l("– velg tiltak –"))]),
            *_choices(labels.FOLLOWUP_KINDS, list(kinds or labels.FOLLOWUP_KINDS)),
        ]
        self.owner.choices = options(owners)


class DocumentForm(FlaskForm):
    """A later document for an existing case (stored like the intake upload)."""

    document = FileField(_l("Dokument (PDF, høyst 10 MB)"), render_kw={"accept": "application/pdf"})

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.document.flags.required = True


class CaseworkerForm(FlaskForm):
    """A district lead gives the case to one of the district's caseworkers."""

    caseworker = SelectField(
        _l("Saksbehandler"), choices=[], validators=[DataRequired(_l("Velg saksbehandler."))]
    )

    def fill_choices(self, people: list[tuple[str, str]]) -> None:
        self.caseworker.choices = [*options([("", _l("– velg –"))]), *options(people)]


class TaskOutcomeForm(FlaskForm):
    outcome = SelectField(
        _l("Resultat"), choices=[], validators=[DataRequired(_l("Velg resultat."))]
    )
    note = StringField(_l("Notat (valgfritt)"), validators=[Length(max=2000)])


class ContactDetailsForm(FlaskForm):
    """Staff correct the tenant's address, phone or language (cases.contact_details)."""

    street = StringField(_l("Gateadresse"), validators=[DataRequired(_l("Skriv gateadressen."))])
    postal_code = StringField(
        _l("Postnummer"),
        validators=[DataRequired(_l("Skriv postnummeret.")), Length(min=4, max=4)],
        render_kw={"inputmode": "numeric"},
    )
    city = StringField(_l("Poststed"), validators=[Length(max=80)])
    phone = StringField(
        _l("Telefon (tomt fjerner et feil nummer)"),
        validators=[Length(max=20)],
        render_kw={"inputmode": "tel"},
    )
    language = SelectField(_l("Språk"), choices=[])

    def fill_choices(self) -> None:
        self.language.choices = language_choices()


class ReopenForm(FlaskForm):
    reason = TextAreaField(
        _l("Hvorfor åpnes saken igjen?"),
        validators=[
            DataRequired(_l("Skriv en begrunnelse.")),
            Length(min=5, max=1000, message=_l("Skriv minst 5 tegn.")),
        ],
    )


class NoticeMappingForm(FlaskForm):
    """The mapping of one notice (issue 15): who asks, why, and – for a petition – what
    became of it. Blank is «not known», never a guess."""

    trigger_id = HiddenField(validators=[DataRequired()])
    plaintiff_type = SelectField(_l("Saksøker"), choices=[])
    reason = SelectField(_l("Grunn"), choices=[])
    petition_outcome = SelectField(_l("Utfall av begjæringen"), choices=[])

    def fill_choices(self) -> None:
        unknown = [("", _l("– ikke kjent –"))]
        self.plaintiff_type.choices = [
            *options(unknown),
            *_choices(labels.PLAINTIFF_TYPES, PLAINTIFF_TYPES),
        ]
        self.reason.choices = [*options(unknown), *_choices(labels.NOTICE_REASONS, NOTICE_REASONS)]
        self.petition_outcome.choices = [
            *options(unknown),
            *_choices(labels.PETITION_OUTCOMES, PETITION_OUTCOMES),
        ]


class SystemFailureForm(FlaskForm):
    """The staff marker «systemsvikt» (seeds/004) with its short reason."""

    reason = StringField(
        _l("Hva skulle hjelpeapparatet ha fanget opp?"),
        validators=[Length(max=300, message=_l("Skriv høyst 300 tegn."))],
    )
    clear = BooleanField(_l("Fjern merket"))
