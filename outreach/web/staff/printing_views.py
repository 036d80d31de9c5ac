"""The print page ("Utskrift") and the case page's "send the letter now" action (issue 3).

Letters are collected per district into a print batch (``outreach.reach.letter.batches``).
Here staff see their districts' unposted batches with each letter's deadline,
ask for the PDF (an RQ job: 200 letters take a minute, so the request only
enqueues and the page says "Lager PDF …" until the batch is rendered), download
it, and mark the batch posted; the posting time is the "letter sent" time that
starts the one-week clock. Letters withdrawn after the PDF was made are listed
prominently so they are pulled from the paper stack.

The page lists case references, not names: the names are in the PDF, whose
download is written to the access log for every case in it.

Every handler checks the batch's district like the case pages (404 outside
one's districts); CSRF is checked for the whole blueprint (``auth``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from flask import abort, flash, g, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError
from wtforms import BooleanField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from outreach.cases.errors import CaseActionError
from outreach.models import Case, PrintBatch, PrintItem, Step, User
from outreach.reach.base import message_language
from outreach.reach.letter.actions import request_letter_resend, resend_blocker
from outreach.reach.letter.batches import PrintError, post_batch
from outreach.staff import access_log
from outreach.web.context import db_session, rt
from outreach.web.i18n import OSLO, format_when, language_name
from outreach.web.staff import bp
from outreach.web.staff.auth import acting_user, login_required
from outreach.web.staff.timeline_view import district_name

# RQ job states in which the PDF is still being made.
RENDERING = {"queued", "started", "deferred", "scheduled"}

AUDIENCES = {
    "tenant": _l("Leietaker"),
    "copy_bailiff": _l("Kopi til namsfogden"),
    "copy_plaintiff": _l("Kopi til saksøker"),
    "copy_landlord": _l("Kopi til utleier"),
}
ITEM_STATUSES = {
    "queued": _l("I bunken"),
    "rendered": _l("I PDF-en"),
    "withdrawn": _l("Trukket tilbake"),
    # Kept out at render: no contact person or no postal address (letter_blocked).
    "blocked": _l("Stoppet"),
    "posted": _l("Postlagt"),
}

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


# --- catalog review status ------------------------------------------------------------------


def review_note(*languages: str) -> str | None:
    """A sentence for staff when a letter's texts are not reviewed by a qualified translator.

    ``languages`` are the languages printed in the letter (bokmål and the tenant's).
    """
    from outreach.letters.i18n import catalog_status

    machine: list[str] = []
    other: list[str] = []
    for language in dict.fromkeys(languages):
        if language == "nb":
            # Bokmål is the original the translations are made from: no review status
            # (review, point 6: a copy to the bailiff was labelled machine-drafted).
            continue
        try:
            status = catalog_status(language)
        except (ValueError, OSError):
            status = ""
        if status.startswith("reviewed"):
            continue
        (machine if status.startswith("machine-drafted") else other).append(language_name(language))
    parts = []
    if machine:
        parts.append(
            _(
                "Oversettelsen er maskinutkast og ikke kontrollert av kvalifisert oversetter "
                "(%(languages)s).",
                languages=", ".join(machine),
            )
        )
    if other:
        parts.append(
            _(
                "Teksten er ikke kontrollert av kvalifisert oversetter (%(languages)s).",
                languages=", ".join(other),
            )
        )
    return " ".join(parts) or None


def letter_languages(language: str, audience: str = "tenant") -> tuple[str, ...]:
    """Bokmål is in every letter; the tenant's letter is bilingual in their language."""
    if audience != "tenant":
        return ("nb",)
    return tuple(dict.fromkeys(("nb", message_language(language))))


@bp.app_template_global("letter_review_note")
def _letter_review_note(language: str, audience: str = "tenant") -> str | None:
    return review_note(*letter_languages(language, audience))


# --- forms ----------------------------------------------------------------------------------


class LetterResendForm(FlaskForm):
    reason = TextAreaField(
        _l("Hvorfor sendes brevet nå?"),
        validators=[
            DataRequired(_l("Skriv en begrunnelse.")),
            Length(min=5, max=1000, message=_l("Skriv minst 5 tegn.")),
        ],
    )


class PostedForm(FlaskForm):
    posted_at = StringField(
        _l("Postlagt (dato og klokkeslett)"),
        validators=[DataRequired(_l("Skriv når bunken ble postlagt."))],
        render_kw={"type": "datetime-local"},
    )
    pulled = BooleanField(_l("Jeg har tatt brevene som er trukket tilbake ut av bunken"))


def _resend_form() -> LetterResendForm:
    # CSRF is checked for the whole blueprint; the template adds the token.
    form: LetterResendForm | None = g.get("letter_resend_form")
    return form or LetterResendForm(formdata=None, prefix="letter", meta={"csrf": False})


def posted_form(batch: PrintBatch, formdata: Any = None) -> PostedForm:
    """The batch's "posted at" form; without ``formdata`` it proposes now."""
    form = PostedForm(formdata=formdata, prefix=f"b{batch.id}", meta={"csrf": False})
    now = _local_minute(rt().now())
    form.posted_at.render_kw = {"type": "datetime-local", "max": now}
    if formdata is None:
        form.posted_at.data = now
    return form


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


# --- who sees which batch -------------------------------------------------------------------


def _may_see(user: User, district_code: str | None) -> bool:
    roles = user.role_set
    if "admin" in roles:
        return True
    if district_code is None:
        return "central_intake" in roles
    return district_code in user.district_set


def visible_batch(batch_id: int) -> PrintBatch:
    """A batch the signed-in user may see (``_may_see``), else 404."""
    batch = db_session().get(PrintBatch, batch_id)
    if batch is None or not _may_see(acting_user(), batch.district_code):
        abort(404)
    return batch


def _district_filter(user: User) -> Any:
    if "admin" in user.role_set:
        return None
    clauses = [PrintBatch.district_code.in_(sorted(user.district_set) or [""])]
    if "central_intake" in user.role_set:
        clauses.append(PrintBatch.district_code.is_(None))
    return or_(*clauses)


# --- the page -------------------------------------------------------------------------------


@dataclass
class LetterRow:
    item: PrintItem
    case: Case
    step: Step
    deadline: datetime | None
    deadline_state: str  # "" | "today" | "overdue"
    review_note: str | None

    @property
    def in_pdf(self) -> bool:
        return self.item.page_from is not None


@dataclass
class BatchView:
    batch: PrintBatch
    rows: list[LetterRow]
    job_state: str
    form: PostedForm | None
    review_notes: list[str] = field(default_factory=list)

    @property
    def to_print(self) -> list[LetterRow]:
        return [r for r in self.rows if r.item.status in {"queued", "rendered"}]

    @property
    def withdrawn(self) -> list[LetterRow]:
        return [r for r in self.rows if r.item.status == "withdrawn"]

    @property
    def pull_from_stack(self) -> list[LetterRow]:
        """Withdrawn after they were printed: on paper, must not be posted."""
        return [r for r in self.withdrawn if r.in_pdf and self.batch.status == "rendered"]

    @property
    def rendering(self) -> bool:
        return self.batch.status == "rendering" or (
            self.batch.status == "open" and self.job_state in RENDERING
        )

    @property
    def render_failed(self) -> bool:
        return self.batch.status == "open" and self.job_state in {"failed", "stopped", "canceled"}

    @property
    def overdue(self) -> int:
        return sum(1 for r in self.to_print if r.deadline_state == "overdue")

    @property
    def due_today(self) -> int:
        return sum(1 for r in self.to_print if r.deadline_state == "today")


def _local_minute(at: datetime) -> str:
    return at.astimezone(OSLO).strftime("%Y-%m-%dT%H:%M")


def _deadline_state(deadline: datetime | None, now: datetime) -> str:
    if deadline is None:
        return ""
    if deadline <= now:
        return "overdue"
    if deadline.astimezone(OSLO).date() == now.astimezone(OSLO).date():
        return "today"
    return ""


def _job_state(batch: PrintBatch) -> str:
    if batch.status not in ("open", "rendering"):
        return ""
    from outreach.jobs.queue import job_state, render_job_id

    try:
        return job_state(rt(), render_job_id(rt(), batch.id))
    except Exception:  # Redis unreachable: the page still shows the letters
        return "unknown"


def batch_view(batch: PrintBatch, now: datetime, form: PostedForm | None = None) -> BatchView:
    """A batch as the page shows it: its letters, most urgent first, and its state."""
    session = db_session()
    rows = []
    printed: dict[str, None] = {}  # the languages the rows label as not reviewed, in order
    for item, step, case in session.execute(
        select(PrintItem, Step, Case)
        .join(Step, Step.id == PrintItem.step_id)
        .join(Case, Case.id == PrintItem.case_id)
        .where(PrintItem.batch_id == batch.id)
        .order_by(PrintItem.id)
    ):
        live = item.status in {"queued", "rendered"}
        languages = letter_languages(item.language, item.audience)
        note = review_note(*languages)
        if note:
            # Every language the rows label, so the footnote names them all (point 6).
            printed.update(dict.fromkeys(languages))
        rows.append(
            LetterRow(
                item=item,
                case=case,
                step=step,
                deadline=step.deadline_at,
                deadline_state=_deadline_state(step.deadline_at, now) if live else "",
                review_note=note,
            )
        )
    # Most urgent first: overdue, then due today, then by deadline.
    order = {"overdue": 0, "today": 1, "": 2}
    rows.sort(
        key=lambda r: (
            order[r.deadline_state],
            r.deadline or datetime.max.replace(tzinfo=OSLO),
            r.item.id,
        )
    )
    if form is None and batch.status == "rendered":
        form = posted_form(batch)
    note = review_note(*printed)
    return BatchView(batch, rows, _job_state(batch), form, [note] if note else [])


def render_print_page(status: int = 200, forms: dict[int, PostedForm] | None = None) -> Any:
    user = acting_user()
    session = db_session()
    now = rt().now()
    forms = forms or {}
    query = select(PrintBatch).where(PrintBatch.status != "posted")
    recent = select(PrintBatch).where(PrintBatch.status == "posted")
    where = _district_filter(user)
    if where is not None:
        query, recent = query.where(where), recent.where(where)
    batches = [
        batch_view(b, now, forms.get(b.id))
        for b in session.scalars(query.order_by(PrintBatch.district_code, PrintBatch.id))
    ]
    posted = list(session.scalars(recent.order_by(PrintBatch.posted_at.desc()).limit(5)))
    posted_counts = {
        b.id: len(
            session.scalars(
                select(PrintItem.id).where(PrintItem.batch_id == b.id, PrintItem.status == "posted")
            ).all()
        )
        for b in posted
    }
    return render_template(
        "staff/print_batches.html",
        batches=batches,
        posted=posted,
        posted_counts=posted_counts,
        audiences=AUDIENCES,
        item_statuses=ITEM_STATUSES,
        district_name=district_name,
        now=now,
        max_posted_at=_local_minute(now),
    ), status


@bp.get("/utskrift")
@login_required
def print_batches() -> Any:
    return render_print_page()


def back_to_batch(batch: PrintBatch) -> Any:
    """Back to the print page, at the batch."""
    return redirect(url_for("staff.print_batches", _anchor=f"bunke-{batch.id}"))


@bp.post("/utskrift/<int:batch_id>/lag-pdf")
@login_required
def print_render(batch_id: int) -> Any:
    batch = visible_batch(batch_id)
    session = db_session()
    if batch.status != "open":
        flash(_("PDF-en for denne bunken er allerede laget."), "error")
        return back_to_batch(batch)
    queued = session.scalars(
        select(PrintItem.id).where(PrintItem.batch_id == batch.id, PrintItem.status == "queued")
    ).first()
    if queued is None:
        flash(_("Bunken har ingen brev å skrive ut."), "error")
        return back_to_batch(batch)
    if _job_state(batch) in RENDERING:
        flash(_("PDF-en lages allerede. Last siden på nytt om litt."), "success")
        return back_to_batch(batch)
    from outreach.jobs.queue import enqueue_render

    try:
        enqueue_render(rt(), batch.id)
    except Exception:
        flash(_("Køen for utskrift svarer ikke. Prøv igjen om litt."), "error")
        return back_to_batch(batch)
    flash(_("PDF-en lages. Det tar omtrent et minutt for 200 brev; last siden på nytt."), "success")
    return back_to_batch(batch)


@bp.get("/utskrift/<int:batch_id>/pdf")
@login_required
def print_pdf(batch_id: int) -> Any:
    batch = visible_batch(batch_id)
    if not batch.pdf_path or not Path(batch.pdf_path).exists():
        abort(404)
    session = db_session()
    user = acting_user()
    now = rt().now()
    # The PDF holds every tenant's name and address: log it like opening each case.
    case_ids = sorted(
        set(session.scalars(select(PrintItem.case_id).where(PrintItem.batch_id == batch.id)))
    )
    for case in session.scalars(select(Case).where(Case.id.in_(case_ids))):
        access_log.log_view(session, user, case, "link", now)
    session.commit()
    return send_file(
        batch.pdf_path,
        mimetype="application/pdf",
        download_name=f"utskrift-{batch.district_code or 'sentral'}-{batch.id}.pdf",
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
@login_required
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


# --- the case page: send the letter now / again ---------------------------------------------


@bp.post("/saker/<int:case_id>/brev/send")
@login_required
def letter_resend(case_id: int) -> Any:
    from outreach.web.staff.case.page import render_case, visible_case

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
