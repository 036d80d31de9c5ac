"""The print page («Utskrift»): the unposted batches of my districts, their PDFs.

Each batch lists its letters most urgent first (overdue, due today, by deadline)
with case references, not names: the names are in the PDF, whose download is
written to the access log for every case in it. Asking for the PDF only enqueues
an RQ job (200 letters take a minute); letters withdrawn after the PDF was made
are listed prominently so they are pulled from the paper stack. A batch outside
one's districts is a 404 (``visible_batch``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from flask import abort, flash, redirect, render_template, send_file, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import or_, select
from wtforms import BooleanField, StringField
from wtforms.validators import DataRequired

from outreach.models import Case, PrintBatch, PrintItem, Step, User
from outreach.permissions import Action
from outreach.staff import access_log
from outreach.web.context import db_session, rt
from outreach.web.i18n import OSLO
from outreach.web.staff import bp
from outreach.web.staff.auth import acting_user, allowed
from outreach.web.staff.printing.translation_review import letter_languages, review_note
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


class PostedForm(FlaskForm):
    posted_at = StringField(
        _l("Postlagt (dato og klokkeslett)"),
        validators=[DataRequired(_l("Skriv når bunken ble postlagt."))],
        render_kw={"type": "datetime-local"},
    )
    pulled = BooleanField(_l("Jeg har tatt brevene som er trukket tilbake ut av bunken"))


def posted_form(batch: PrintBatch, formdata: Any = None) -> PostedForm:
    """The batch's "posted at" form; without ``formdata`` it proposes now."""
    form = PostedForm(formdata=formdata, prefix=f"b{batch.id}", meta={"csrf": False})
    now = _local_minute(rt().now())
    form.posted_at.render_kw = {"type": "datetime-local", "max": now}
    if formdata is None:
        form.posted_at.data = now
    return form


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
@allowed(Action.PRINT_LETTERS)
def print_batches() -> Any:
    return render_print_page()


def back_to_batch(batch: PrintBatch) -> Any:
    """Back to the print page, at the batch."""
    return redirect(url_for("staff.print_batches", _anchor=f"bunke-{batch.id}"))


@bp.post("/utskrift/<int:batch_id>/lag-pdf")
@allowed(Action.PRINT_LETTERS)
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
@allowed(Action.PRINT_LETTERS)
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
