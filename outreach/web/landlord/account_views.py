"""The portal's account pages: apply, the terms, the application's status, API keys.

Applying is open to anyone (no login): it makes a pending landlord and its
first account (``landlords.accounts.apply``) and signs that account in to a
page that shows the application's status and nothing else until NAV
approves. Keys are made and revoked here; the secret is shown once: the POST
puts it, encrypted with the service's data key, in the session and redirects;
the next page takes it out (a reload shows it no more, and makes no second
key). Only its hash is stored.
"""

from __future__ import annotations

from typing import Any

from flask import abort, flash, make_response, redirect, render_template, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from outreach.landlords import accounts, keys
from outreach.models.landlord import LandlordAccount
from outreach.permissions import Audience, open_to
from outreach.web import form_input
from outreach.web.context import db_session, rt
from outreach.web.landlord import LOGIN, bp
from outreach.web.landlord.account_forms import ApplicationForm, KeyForm
from outreach.web.landlord.auth import applicant_required, current_account, login_required

# ``accounts.check_application``'s codes, in the portal's words.
APPLICATION_MESSAGES = {
    "required": _l("Må fylles ut."),
    "org_number": _l("Ugyldig organisasjonsnummer: 9 siffer, med riktig kontrollsiffer."),
    "org_number_taken": _l(
        "Virksomheten er allerede registrert. Be den som har tilgang hos dere om å legge deg "
        "til, eller kontakt NAV."
    ),
    "postal_code": _l("Postnummeret har fire siffer."),
    "email": _l("Skriv en gyldig e-postadresse."),
    "username_taken": _l("E-postadressen er allerede i bruk. Logg inn i stedet."),
    "password_short": _l("Passordet må ha minst 12 tegn."),
    "passwords_differ": _l("Passordene er ikke like."),
    "terms": _l("Dere må godta vilkårene for å kunne søke."),
}
KEY_MESSAGES = {
    "name_required": _l("Gi nøkkelen et navn, for eksempel systemet som skal bruke den."),
    "name_long": _l("Bruk høyst 80 tegn."),
    "not_approved": _l("Dere kan lage nøkler når NAV har godkjent søknaden."),
}
STATUS_LABELS = {
    accounts.PENDING: _l("Søknaden er til behandling hos NAV"),
    accounts.APPROVED: _l("Godkjent"),
    accounts.REFUSED: _l("Søknaden er avslått"),
    accounts.SUSPENDED: _l("Tilgangen er midlertidig stengt"),
}


def _account() -> LandlordAccount:
    account = current_account()
    assert account is not None
    return account


@bp.get("/vilkar")
@open_to(Audience.ANYONE)
def terms() -> Any:
    return render_template("landlord/terms.html", version=accounts.TERMS_VERSION)


@bp.route("/soknad", methods=["GET", "POST"])
@open_to(Audience.ANYONE)
def apply() -> Any:
    form = ApplicationForm()
    if not form.is_submitted():
        return render_template("landlord/apply.html", form=form, version=accounts.TERMS_VERSION)
    # No ``form.validate()``: the CSRF token is checked before every POST
    # (``sessions.check_csrf``) and every other check is ``check_application``'s.
    application = accounts.Application(
        kind=form.kind.data or "",
        name=form.name.data or "",
        org_number=form.org_number.data or "",
        street=form.street.data or "",
        postal_code=form.postal_code.data or "",
        city=form.city.data or "",
        username=form.username.data or "",
        display_name=form.display_name.data or "",
        password=form.password.data or "",
        password_again=form.password_again.data or "",
        accepts_terms=bool(form.accepts_terms.data),
    )
    session = db_session()
    problems = accounts.check_application(session, application)
    for field, code in problems.items():
        form_input.add_error(form, field, str(APPLICATION_MESSAGES[code]))
    if problems:
        return render_template(
            "landlord/apply.html", form=form, version=accounts.TERMS_VERSION, page_errors=True
        ), 422
    account = accounts.apply(session, application, rt().now())
    LOGIN.start(account)
    return redirect(url_for("landlord.application_status"))


@bp.get("/soknad/status")
@applicant_required
def application_status() -> Any:
    landlord = _account().landlord
    if accounts.may_send(landlord):
        return redirect(url_for("landlord.warnings"))
    return render_template(
        "landlord/application_status.html",
        landlord=landlord,
        status_label=STATUS_LABELS.get(landlord.status, landlord.status),
    )


def _keys_page(form: KeyForm, status: int = 200, secret: str | None = None) -> Any:
    landlord = _account().landlord
    response = make_response(
        render_template(
            "landlord/keys.html",
            form=form,
            keys=keys.live_keys(db_session(), landlord),
            secret=secret,
        ),
        status,
    )
    # The page with a secret on it must not be kept by the browser or a proxy.
    response.headers["Cache-Control"] = "no-store"
    return response


_NEW_KEY = "landlord_new_key"  # the session's slot for a secret on its way to the page


@bp.route("/nokler", methods=["GET", "POST"])
@login_required
def api_keys() -> Any:
    form = KeyForm()
    if not form.is_submitted():
        sealed = session.pop(_NEW_KEY, None)
        secret = rt().protector.decrypt(sealed.encode("ascii")) if sealed else None
        return _keys_page(form, secret=secret)
    account = _account()
    try:
        _row, secret = keys.create_key(
            db_session(), account.landlord, account, form.name.data or "", rt().now()
        )
    except keys.KeyProblem as exc:
        form_input.add_error(form, "name", str(KEY_MESSAGES[exc.code]))
        return _keys_page(form, 422)
    session[_NEW_KEY] = rt().protector.encrypt(secret).decode("ascii")
    return redirect(url_for("landlord.api_keys"), 303)


@bp.post("/nokler/<int:key_id>/trekk-tilbake")
@login_required
def revoke_key(key_id: int) -> Any:
    account = _account()
    try:
        row = keys.revoke_key(db_session(), account.landlord, account, key_id, rt().now())
    except keys.KeyProblem:
        abort(404)
    flash(
        _("Nøkkelen «%(name)s» er trukket tilbake og virker ikke lenger.", name=row.name), "success"
    )
    return redirect(url_for("landlord.api_keys"))
