"""The portal's pages: my warnings (receipts), a new warning, reservations.

Each POST validates with the API's schema (``load_warning``,
``load_reservation``) and calls one action in ``outreach.landlords``; the
form shows the schema's messages on the fields, in Norwegian.
"""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from marshmallow import ValidationError
from sqlalchemy import select

from outreach.intake.landlord_schema import load_reservation, load_warning
from outreach.landlords import processing
from outreach.landlords import reservations as reserving
from outreach.landlords import warnings as landlords
from outreach.models.landlord import Landlord, LandlordWarning
from outreach.web import form_input
from outreach.web.context import db_session, rt
from outreach.web.forms import blank_required
from outreach.web.landlord import bp
from outreach.web.landlord.auth import current_account, login_required
from outreach.web.landlord.forms import KIND_LABELS, ReservationForm, WarningForm

WARNING_FIELDS: dict[tuple[str, ...], str] = {
    ("kind",): "kind",
    ("reference",): "reference",
    ("tenant", "name"): "tenant_name",
    ("tenant", "birth_date"): "birth_date",
    ("tenant", "national_id"): "national_id",
    ("tenant", "address"): "street",
    ("tenant", "address", "street"): "street",
    ("tenant", "address", "postal_code"): "postal_code",
    ("tenant", "address", "city"): "city",
    ("tenant", "phone"): "phone",
    ("tenant", "email"): "email",
    ("tenant", "language"): "language",
    ("household", "children"): "children",
    ("arrears_amount",): "arrears_amount",
    ("arrears_since",): "arrears_since",
    ("eviction_date",): "eviction_date",
    ("notes",): "notes",
    ("declarations", "tenant_not_reserved"): "tenant_not_reserved",
    ("declarations", "tenant_informed"): "tenant_informed",
}
RESERVATION_FIELDS: dict[tuple[str, ...], str] = {
    ("label",): "label",
    ("name",): "name",
    ("birth_date",): "birth_date",
    ("national_id",): "national_id",
}
# What a landlord may know of a warning's processing (``landlords.processing``).
PROCESSING_LABELS = {
    processing.RECEIVED: _l("Mottatt av NAV"),
    processing.PASSED_ON: _l("Sendt videre til NAV-kontoret i bydelen"),
}
# The landlord schema's own messages, in the portal's words.
_MESSAGES = {
    "Must be confirmed (true) before NAV can receive the warning.": lambda: _(
        "Må bekreftes før NAV kan ta imot varselet."
    ),
    "Required for a warning of unpaid rent.": lambda: _("Må fylles ut for et varsel om husleie."),
    "Give the birth date or the national id number.": lambda: _(
        "Oppgi fødselsdato eller fødselsnummer."
    ),
    "The date the eviction was carried out.": lambda: _(
        "Oppgi datoen utkastelsen ble gjennomført."
    ),
}


def _landlord() -> Landlord:
    account = current_account()
    assert account is not None
    return account.landlord


def _account_id() -> int:
    account = current_account()
    assert account is not None
    return account.id


def _portal_messages(messages: Any) -> Any:
    """Replace the landlord schema's English messages; the rest go through ``field_message``."""
    if isinstance(messages, dict):
        return {key: _portal_messages(value) for key, value in messages.items()}
    if isinstance(messages, list):
        return [_portal_messages(m) for m in messages]
    if isinstance(messages, str) and messages in _MESSAGES:
        return _MESSAGES[messages]()
    if isinstance(messages, str) and messages.startswith("1 to 80"):
        return _("Bruk 1–80 tegn: bokstaver, sifre, punktum, skråstrek, bindestrek.")
    return messages


def _warning_document(form: WarningForm) -> tuple[dict[str, Any], bool]:
    """The warning document; False when the children's ages could not be read."""
    children = form_input.children(form.children.data)
    warning: dict[str, Any] = {
        "kind": form.kind.data,
        "reference": (form.reference.data or "").strip(),
        "tenant": {
            "name": (form.tenant_name.data or "").strip(),
            "birth_date": form_input.date_text(form.birth_date.data),
            "national_id": form_input.blank((form.national_id.data or "").replace(" ", "")),
            "address": {
                "street": (form.street.data or "").strip(),
                "postal_code": (form.postal_code.data or "").strip(),
                "city": (form.city.data or "").strip() or "Oslo",
            },
            "phone": form_input.blank(form.phone.data),
            "email": form_input.blank(form.email.data),
            "language": form.language.data or "nb",
        },
        "household": {"children": children or []},
        "notes": form.notes.data or "",
    }
    if form.kind.data == "unpaid_rent_warning":
        warning["arrears_amount"] = form_input.amount(form.arrears_amount.data)
        warning["arrears_since"] = form_input.date_text(form.arrears_since.data)
        warning["declarations"] = {
            "tenant_not_reserved": bool(form.tenant_not_reserved.data),
            "tenant_informed": bool(form.tenant_informed.data),
        }
    else:
        warning["eviction_date"] = form_input.date_text(form.eviction_date.data)
    return warning, children is not None


@bp.get("/")
@login_required
def warnings() -> Any:
    receipts = landlords.list_warnings(db_session(), _landlord())
    return render_template(
        "landlord/warnings.html",
        receipts=receipts,
        kind_labels=KIND_LABELS,
        landlord=_landlord(),
        processing_labels=PROCESSING_LABELS,
    )


@bp.route("/varsel/nytt", methods=["GET", "POST"])
@login_required
def new_warning() -> Any:
    form = WarningForm()
    if not form.is_submitted():
        return render_template("landlord/new_warning.html", form=form)
    general: list[str] = []
    valid = form.validate()  # first: validate() resets the fields' errors
    document, children_ok = _warning_document(form)
    if not children_ok:
        form_input.add_error(
            form, "children", _("Skriv alderen i hele år, skilt med komma (for eksempel 4, 9).")
        )
    data = None
    try:
        data = load_warning(document)
    except ValidationError as exc:
        general = form_input.apply_errors(form, _portal_messages(exc.messages), WARNING_FIELDS)
        blank_required(form)
    if data is None or not children_ok or not valid:
        return render_template(
            "landlord/new_warning.html", form=form, general=general, page_errors=True
        ), 422
    account = current_account()
    assert account is not None
    try:
        receipt = landlords.submit_warning(
            db_session(), rt(), _landlord(), data, via="portal", account_id=account.id
        )
    except landlords.LandlordError as exc:
        if exc.code == "tenant_reserved":
            message = _(
                "Dere har registrert at denne leietakeren har reservert seg mot varsel til "
                "sosialtjenesten (husleieloven § 9-11). Varselet er ikke sendt, og ingenting "
                "er lagret."
            )
        elif exc.code == "tenant_possibly_reserved":
            message = _(
                "Leietakeren kan være en som har reservert seg hos dere (samme fødselsdato og "
                "nesten samme navn). Varselet er ikke sendt, og ingenting er lagret. Er det en "
                "annen person, legg inn fødselsnummeret både i reservasjonen og i varselet."
            )
        else:
            raise
        return render_template("landlord/new_warning.html", form=form, general=[message]), 409
    if receipt.duplicate:
        flash(_("Dere har allerede sendt et varsel med denne referansen."), "info")
    return redirect(url_for("landlord.receipt", receipt=receipt.receipt))


@bp.get("/varsel/<receipt>")
@login_required
def receipt(receipt: str) -> Any:
    row = db_session().scalar(
        select(LandlordWarning).where(
            LandlordWarning.receipt == receipt, LandlordWarning.landlord_id == _landlord().id
        )
    )
    if row is None:
        abort(404)
    status = processing.statuses(db_session(), [row])[row.id]
    found = landlords.Receipt(row.receipt, row.kind, row.reference, row.submitted_at, False, status)
    return render_template(
        "landlord/receipt.html",
        receipt=found,
        row=row,
        kind_labels=KIND_LABELS,
        processing_labels=PROCESSING_LABELS,
    )


@bp.route("/reservasjoner", methods=["GET", "POST"])
@login_required
def reservations() -> Any:
    form = ReservationForm()
    status = 200
    general: list[str] = []
    if form.is_submitted():
        document = {
            "label": (form.label.data or "").strip(),
            "name": (form.name.data or "").strip(),
            "birth_date": form_input.date_text(form.birth_date.data),
            "national_id": form_input.blank((form.national_id.data or "").replace(" ", "")),
        }
        try:
            data = load_reservation(document)
        except ValidationError as exc:
            general = form_input.apply_errors(
                form, _portal_messages(exc.messages), RESERVATION_FIELDS
            )
            status = 422
        else:
            reserving.register_by_landlord(
                db_session(), rt(), _landlord(), data, account_id=_account_id()
            )
            flash(
                _("Reservasjonen er registrert. Varsler om denne leietakeren blir avvist."),
                "success",
            )
            return redirect(url_for("landlord.reservations"))
    rows = landlords.list_reservations(db_session(), _landlord())
    return render_template(
        "landlord/reservations.html", form=form, rows=rows, general=general
    ), status


@bp.post("/reservasjoner/<int:reservation_id>/trekk-tilbake")
@login_required
def withdraw(reservation_id: int) -> Any:
    try:
        landlords.withdraw_reservation(
            db_session(), rt(), _landlord(), reservation_id, account_id=_account_id()
        )
    except landlords.LandlordError:
        abort(404)
    flash(_("Reservasjonen er trukket tilbake."), "success")
    return redirect(url_for("landlord.reservations"))
