"""The intake form: one form for every trigger kind, validated by the API's own schema.

The form builds the same trigger document as ``POST /api/v1/triggers`` and
passes it through ``load_trigger``; marshmallow's per-field messages are
put back on the form fields in Norwegian. Before a second case is opened for
someone who already has an open case, the form warns and offers the open
case instead (issue 5).
"""

from __future__ import annotations

import hmac
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from marshmallow import ValidationError
from sqlalchemy import select
from werkzeug.datastructures import FileStorage

from outreach.cases import documents
from outreach.intake.accept import accept_trigger
from outreach.intake.matching import address_key, find_person, name_key
from outreach.intake.schema import load_trigger
from outreach.models import Case
from outreach.permissions import Action
from outreach.staff import access_log
from outreach.vocabulary import TRIGGER_KINDS
from outreach.web import form_input
from outreach.web.context import db_session, rt
from outreach.web.forms import blank_required
from outreach.web.i18n import OSLO
from outreach.web.staff import bp, labels, pending_uploads
from outreach.web.staff.auth import allowed, current_user, principal
from outreach.web.staff.forms import IntakeForm
from outreach.web.staff.timeline_view import district_name

# Where each schema path lands on the form.
FIELD_FOR_PATH = {
    ("kind",): "kind",
    ("received_at",): "received_on",
    ("source", "type"): "source_type",
    ("source", "name"): "source_name",
    ("source", "org_number"): "source_org_number",
    ("source", "reference"): "source_reference",
    ("source", "address"): "source_street",
    ("source", "address", "street"): "source_street",
    ("source", "address", "postal_code"): "source_postal_code",
    ("source", "address", "city"): "source_city",
    ("tenant", "name"): "tenant_name",
    ("tenant", "national_id"): "national_id",
    ("tenant", "birth_date"): "birth_date",
    ("tenant", "address", "street"): "street",
    ("tenant", "address", "postal_code"): "postal_code",
    ("tenant", "address", "city"): "city",
    ("tenant", "phone"): "phone",
    ("tenant", "email"): "email",
    ("tenant", "language"): "language",
    ("tenant", "address"): "street",
    ("household", "children"): "children",
    ("household", "adults"): "adults",
    ("eviction_date",): "eviction_date",
    ("client", "status"): "client_status",
    ("client", "district"): "client_district",
    ("district",): "district",
    ("arrears_amount",): "arrears_amount",
    ("notes",): "notes",
    ("plaintiff_type",): "plaintiff_type",
    ("reason",): "reason",
    ("counterpart", "name"): "counterpart_name",
    ("counterpart", "org_number"): "counterpart_org_number",
    ("counterpart", "role"): "counterpart_name",
    ("counterpart", "address"): "counterpart_street",
    ("counterpart", "address", "street"): "counterpart_street",
    ("counterpart", "address", "postal_code"): "counterpart_postal_code",
    ("counterpart", "address", "city"): "counterpart_city",
}

# Fields a kind needs that the schema leaves optional (checked here, not in the
# API's schema): an "eviction scheduled" notice is about a date (DOMAIN.md: the
# bailiff's notice the day before); a forced sale's copy goes to the plaintiff
# (seeds/000: «kopi sendes til saksøker»), who must be named.
KIND_REQUIRED = {
    "eviction_scheduled": ("eviction_date",),
    "forced_sale_notice": ("counterpart_name",),
}


def build_document(form: IntakeForm, now: datetime) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """The trigger document, plus errors found before the schema (children's ages)."""
    errors: dict[str, list[str]] = {}
    children = form_input.children(form.children.data)
    if children is None:
        errors["children"] = [_("Skriv alderen i hele år, skilt med komma (for eksempel 4, 9).")]
        children = []
    received_at = None
    received = form_input.date_text(form.received_on.data)
    if received is not None:
        try:
            day = date.fromisoformat(received)
            if day != now.astimezone(OSLO).date():
                # The circular's three working days count from when the notice arrived.
                received_at = datetime.combine(day, time(8, 0), OSLO).isoformat()
        except ValueError:
            errors["received_on"] = [_("Ugyldig dato.")]
    adults = form_input.blank(form.adults.data)
    document: dict[str, Any] = {
        "kind": form.kind.data,
        "source": {
            "type": form.source_type.data,
            "name": (form.source_name.data or "").strip(),
            "org_number": form_input.blank(form.source_org_number.data),
            "reference": form_input.blank(form.source_reference.data),
            "address": _source_address(form),
        },
        "tenant": {
            "name": (form.tenant_name.data or "").strip(),
            "national_id": form_input.blank((form.national_id.data or "").replace(" ", "")),
            "birth_date": form_input.date_text(form.birth_date.data),
            "address": {
                "street": (form.street.data or "").strip(),
                "postal_code": (form.postal_code.data or "").strip(),
                "city": (form.city.data or "").strip() or "Oslo",
            },
            "phone": form_input.blank(form.phone.data),
            "email": form_input.blank(form.email.data),
            "language": form.language.data or "nb",
            "protected_address": bool(form.protected_address.data),
            "vulnerable": bool(form.vulnerable.data),
        },
        "household": {"children": children, "adults": adults},
        "eviction_date": form_input.date_text(form.eviction_date.data),
        "client": {
            "status": form.client_status.data or "none",
            "district": form_input.blank(form.client_district.data),
        },
        "district": form_input.blank(form.district.data),
        "arrears_amount": form_input.amount(form.arrears_amount.data),
        "notes": form.notes.data or "",
        "plaintiff_type": form_input.blank(form.plaintiff_type.data),
        "reason": form_input.blank(form.reason.data),
    }
    counterpart_name = (form.counterpart_name.data or "").strip()
    if counterpart_name:
        street = (form.counterpart_street.data or "").strip()
        postal_code = (form.counterpart_postal_code.data or "").strip()
        document["counterpart"] = {
            "role": "plaintiff" if form.kind.data == "forced_sale_notice" else "landlord",
            "name": counterpart_name,
            "org_number": form_input.blank(form.counterpart_org_number.data),
            "address": (
                {
                    "street": street,
                    "postal_code": postal_code,
                    "city": (form.counterpart_city.data or "").strip() or "Oslo",
                }
                if street or postal_code
                else None
            ),
        }
    for name in KIND_REQUIRED.get(form.kind.data or "", ()):
        if not (getattr(form, name).data or "").strip():
            errors.setdefault(name, []).append(_("Må fylles ut for denne meldingstypen."))
    if received_at:
        document["received_at"] = received_at
    return document, errors


def _source_address(form: IntakeForm) -> dict[str, str] | None:
    """The sender's postal address when any of it is given; the schema checks the rest."""
    street = (form.source_street.data or "").strip()
    postal_code = (form.source_postal_code.data or "").strip()
    if not (street or postal_code):
        return None
    return {
        "street": street,
        "postal_code": postal_code,
        "city": (form.source_city.data or "").strip() or "Oslo",
    }


def skipped_copies(session: Any, trigger_id: int | None, kind: str) -> list[str]:
    """The copy letters the policy plans for this kind that cannot be posted (no address).

    Said at submit so the caseworker can add the address now (review, point 2);
    the step itself is skipped later with ``no_postal_address``.
    """
    from outreach.models import Trigger
    from outreach.parties import copy_recipient

    trigger = session.get(Trigger, trigger_id) if trigger_id is not None else None
    missing = []
    for rule in rt().policy.rules:
        if rule.channel != "letter" or rule.audience in (None, "tenant"):
            continue
        if rule.anchor != "trigger" or kind not in rule.kinds or rule.when:
            continue
        if trigger is not None and copy_recipient(trigger, rule.audience) is None:
            missing.append(labels.label(labels.STEP_RULES, rule.name))
    return missing


def duplicate_token(case_id: int, tenant: dict[str, Any]) -> str:
    """What «register anyway» confirms: this open case and this person.

    A keyed hash of the matched case id and the identity fields the match used,
    so a confirmation survives a re-render only while the form still describes
    the same person; another name, birth date, address or national id (or
    another matched case) asks again (issue 5: warn before a duplicate).
    """
    parts = [
        "duplicate-confirmation",
        str(case_id),
        tenant.get("national_id") or "",
        name_key(tenant["name"]),
        tenant["birth_date"].isoformat() if tenant.get("birth_date") else "",
        address_key(tenant["address"]["street"], tenant["address"]["postal_code"]),
    ]
    return rt().protector.lookup_hash("|".join(parts))


def apply_errors(form: IntakeForm, messages: Any) -> list[str]:
    """Put the schema's messages on the form's fields; return the ones with no field."""
    return form_input.apply_errors(form, messages, FIELD_FOR_PATH)


def _render(form: IntakeForm, status: int = 200, *, pending: Any = None, **extra: Any) -> Any:
    form.pending_document.data = pending.token if pending is not None else ""
    return render_template(
        "staff/intake.html",
        form=form,
        labels=labels,
        trigger_kinds=TRIGGER_KINDS,
        kind_required=KIND_REQUIRED,
        pending=pending,
        page_errors=status == 400,
        **extra,
    ), status


def _read_upload(storage: FileStorage | None) -> tuple[bytes | None, str | None, str | None]:
    """(data, filename, error)."""
    if storage is None or not getattr(storage, "filename", ""):
        return None, None, None
    data = storage.stream.read(documents.MAX_UPLOAD_BYTES + 1)
    storage.close()
    problem = documents.check_pdf(data)
    if problem is not None:
        return None, None, labels.upload_problem(problem)
    return data, storage.filename, None


def _keep(
    data: bytes | None, filename: str | None, pending: pending_uploads.PendingUpload | None
) -> pending_uploads.PendingUpload | None:
    """The upload to carry into the re-rendered form: the new file, or the one kept before."""
    user = current_user()
    assert user is not None
    if data is not None and filename:
        token = pending_uploads.save(rt(), user_id=user.id, filename=filename, data=data)
        return pending_uploads.PendingUpload(token, Path(filename).name[:200], data)
    return pending


@bp.route("/ny", methods=["GET", "POST"])
@allowed(Action.REGISTER_TRIGGER)
def intake() -> Any:
    form = IntakeForm()
    form.fill_choices()
    if request.method == "GET":
        kind = request.args.get("type")
        if kind in TRIGGER_KINDS:
            form.kind.data = kind
        return _render(form)
    valid = form.validate()  # CSRF and lengths; the schema checks the rest
    now = rt().now()
    user = current_user()
    assert user is not None
    document, errors = build_document(form, now)
    for name, messages in errors.items():
        getattr(form, name).errors = [*list(getattr(form, name).errors or []), *messages]
    data_bytes, filename, upload_error = _read_upload(form.document.data)
    if upload_error:
        form.document.errors = [*list(form.document.errors or []), upload_error]
    # A file chosen now replaces one kept from an earlier submit; else the kept one stays.
    pending = pending_uploads.load(rt(), form.pending_document.data, user_id=user.id)
    if data_bytes is not None and filename:
        if pending is not None:
            pending_uploads.discard(rt(), pending.token)
        pending = None
    general: list[str] = []
    data: dict[str, Any] | None = None
    try:
        data = load_trigger(document, now=now)
    except ValidationError as exc:
        general = apply_errors(form, exc.messages)
        blank_required(form)
    for name, message in (("kind", _("Velg type melding.")), ("source_type", _("Velg avsender."))):
        if not getattr(form, name).data:
            getattr(form, name).errors = [message]
    if data is None or errors or upload_error or not valid:
        return _render(form, 400, general=general, pending=_keep(data_bytes, filename, pending))

    session = db_session()
    tenant = data["tenant"]
    # The check runs on every submit: a confirmation only skips the warning for the
    # person and case it was given for (duplicate_token).
    national_hash = (
        rt().protector.lookup_hash(tenant["national_id"]) if tenant.get("national_id") else None
    )
    match = find_person(
        session,
        national_id_hash=national_hash,
        name=tenant["name"],
        birth_date=tenant.get("birth_date"),
        street=tenant["address"]["street"],
        postal_code=tenant["address"]["postal_code"],
        phone=tenant.get("phone"),  # a moved tenant known by the same phone
    )
    existing = None
    if match.person_id is not None and (match.merge or match.review):
        existing = session.scalar(
            select(Case).where(Case.person_id == match.person_id, Case.status != "closed")
        )
    # The duplicate check is a look-up by name or national id: logged like a search.
    access_log.log_user_search(
        session,
        user,
        query_kind="national_id" if national_hash else "name",
        hits=1 if existing is not None else 0,
        purpose="new_notice",
        now=now,
    )
    session.commit()
    token = duplicate_token(existing.id, tenant) if existing is not None else None
    if existing is not None and not hmac.compare_digest(
        form.confirm_duplicate.data or "", token or ""
    ):
        form.confirm_duplicate.data = token
        return _render(
            form,
            409,
            pending=_keep(data_bytes, filename, pending),
            duplicate=existing,
            duplicate_visible=principal().can_see(existing),
            # Another district's case: not even where it is (issue 13, item 2).
            duplicate_district=(
                district_name(existing.district_code) if principal().can_see(existing) else None
            ),
            duplicate_certain=match.merge,
        )

    result = accept_trigger(
        session,
        rt(),
        data,
        received_by=principal().home_district,
        actor=user.username,
        sees=principal().can_see,
    )
    case = session.get(Case, result.case_id)
    assert case is not None
    if data_bytes is None and pending is not None:
        data_bytes, filename = pending.data, pending.filename
    if data_bytes is not None and filename:
        documents.add_document(
            session,
            rt(),
            case,
            filename=filename,
            data=data_bytes,
            actor=user,
            trigger_id=result.trigger_id,
        )
        session.commit()
    if pending is not None:
        pending_uploads.discard(rt(), pending.token)
    if result.held or (result.duplicate and not principal().can_see(case)):
        # Another district's case (or a landlord's notice): the caller learns only
        # that the notice was received and passed on (issue 13, item 2).
        flash(_("Meldingen er mottatt og sendt videre til den som har saken om personen."), "info")
        return redirect(url_for("staff.queue"))
    if result.duplicate and result.corrected:
        # The same notice again with other details: a correction, applied (issue 12).
        flash(
            _(
                "Denne meldingen var allerede registrert (samme avsender og saksnummer). "
                "Endringene er lagt inn i saken %(ref)s.",
                ref=result.case_reference,
            ),
            "success",
        )
    elif result.duplicate:
        flash(_("Denne meldingen er allerede registrert (samme avsender og saksnummer)."), "info")
    elif result.case_created:
        flash(
            _("Saken %(ref)s er opprettet, og brevet er planlagt.", ref=result.case_reference),
            "success",
        )
    else:
        flash(
            _("Meldingen er lagt til den åpne saken %(ref)s.", ref=result.case_reference), "success"
        )
    for copy in skipped_copies(session, result.trigger_id, data["kind"]):
        flash(
            _(
                "%(copy)s sendes ikke: avsenderens eller mottakerens postadresse mangler. "
                "Legg den inn i meldingen, eller send kopien manuelt.",
                copy=copy,
            ),
            "warning",
        )
    if case.district_code is None and not principal().can_act(case):
        # Not "sent to no district": central intake holds it, and its registrant may read it.
        flash(
            _(
                "Adressen ga ingen bydel. Sentralt mottak har saken %(ref)s og sender den til "
                "riktig bydel; du kan se den til den er sendt videre.",
                ref=case.reference,
            ),
            "info",
        )
    elif not principal().can_see(case):
        flash(
            _("Saken hører til %(d)s og er sendt dit.", d=district_name(case.district_code)),
            "info",
        )
        return redirect(url_for("staff.queue"))
    return redirect(url_for("staff.case", case_id=case.id, via="intake"))
