"""Mark a rendered batch posted («Postlagt»).

The posting time (not in the future, not before the print) is when the batch's
letters count as sent; it starts the one-week clock. Withdrawn letters printed
in it must first be confirmed pulled from the stack, and two people pressing at
once post it once.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import flash, redirect, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from outreach.models import PrintBatch, PrintItem
from outreach.permissions import Action
from outreach.reach.letter.batches import PrintError, post_batch
from outreach.web.context import db_session, rt
from outreach.web.i18n import OSLO, format_when
from outreach.web.staff import bp
from outreach.web.staff.auth import acting_user, allowed
from outreach.web.staff.printing.page import (
    back_to_batch,
    batch_view,
    posted_form,
    render_print_page,
    visible_batch,
)


def _parse_local(text: str | None) -> datetime | None:
    text = (text or "").strip()
    if not text:
        return None
    for pattern in ("%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%d.%m.%Y %H:%M"):
        try:
            return datetime.strptime(text, pattern).replace(tzinfo=OSLO)
        except ValueError:
            continue
    return None


@bp.post("/utskrift/<int:batch_id>/postlagt")
@allowed(Action.PRINT_LETTERS)
def print_post(batch_id: int) -> Any:
    batch = visible_batch(batch_id)
    session = db_session()
    if batch.status != "rendered":
        flash(
            _("Bunken er allerede merket som postlagt.")
            if batch.status == "posted"
            else _("Lag PDF-en og skriv ut bunken før den merkes som postlagt."),
            "error",
        )
        return back_to_batch(batch)
    form = posted_form(batch, formdata=request.form)
    now = rt().now()
    valid = form.validate()
    posted_at = _parse_local(form.posted_at.data)
    if form.posted_at.data and posted_at is None:
        form.posted_at.errors = [*form.posted_at.errors, _("Ugyldig tidspunkt.")]
        valid = False
    elif posted_at is not None and posted_at > now:
        form.posted_at.errors = [*form.posted_at.errors, _("Tidspunktet kan ikke være frem i tid.")]
        valid = False
    elif (
        posted_at is not None
        and batch.rendered_at is not None
        and posted_at < batch.rendered_at.replace(second=0, microsecond=0)
    ):
        form.posted_at.errors = [
            *form.posted_at.errors,
            _(
                "Bunken ble skrevet ut %(when)s. Den kan ikke være postlagt før det.",
                when=format_when(batch.rendered_at, "short"),
            ),
        ]
        valid = False
    view = batch_view(batch, now, form)
    if view.pull_from_stack and not form.pulled.data:
        form.pulled.errors = [_("Bekreft at brevene som er trukket tilbake, er tatt ut av bunken.")]
        valid = False
    if not valid or posted_at is None:
        return render_print_page(400, {batch.id: form})
    # One posting per batch even if two people press the button at once.
    locked = session.get(PrintBatch, batch.id, with_for_update=True, populate_existing=True)
    assert locked is not None
    try:
        post_batch(session, rt(), batch.id, posted_at=posted_at, actor=acting_user().username)
    except PrintError:
        session.rollback()
        flash(_("Bunken er allerede merket som postlagt."), "error")
        return redirect(url_for("staff.print_batches"))
    sent = len(
        session.scalars(
            select(PrintItem.id).where(PrintItem.batch_id == batch.id, PrintItem.status == "posted")
        ).all()
    )
    session.commit()
    flash(
        _(
            "Bunken er merket som postlagt %(when)s: %(n)s brev regnes som sendt. "
            "Neste kontaktforsøk planlegges en uke etter.",
            when=format_when(posted_at, "short"),
            n=sent,
        ),
        "success",
    )
    return redirect(url_for("staff.print_batches"))
