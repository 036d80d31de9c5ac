"""Actions the staff app adds to the core's: pause/resume, notes, documents, follow-up.

Same shape as ``outreach.cases`` (STYLE.md habit 4): the state change and its
timeline event in the caller's transaction; the caller commits. Events carry
ids; a note's text stays in ``case_notes``.
"""

from __future__ import annotations

import hashlib
import io
import uuid
import warnings
from datetime import date
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from outreach import timeline
from outreach.cases import followups
from outreach.cases.errors import CaseActionError
from outreach.ladder import cancel, planning, steps
from outreach.models import Case, Event, Step, User
from outreach.models.staff import CaseDocument, CaseNote, FollowUpItem
from outreach.runtime import Runtime
from outreach.vocabulary import STEP_OPEN
from outreach.web.staff.labels import FOLLOWUP_KINDS

# A bailiff's petition is a few pages; scans of many pages stay well below this.
MAX_UPLOAD_BYTES = 10 * 1024 * 1024


def pause_ladder(session: Session, rt: Runtime, case: Case, *, reason: str, actor: User) -> int:
    """Stop the contact ladder for now (a guardian is handling it, a hospital stay...).

    Contact steps are cancelled like on a response; copies to the bailiff and
    deadline checks stay (``stops_on_response = false`` in the policy).
    Returns how many steps were paused.
    """
    if case.status != "open":
        raise CaseActionError("Only an open case can be paused.", "reason")
    if len(reason.strip()) < 5:
        raise CaseActionError("Write why the ladder is paused.", "reason")
    now = rt.now()
    before = {
        s.id
        for s in session.scalars(
            select(Step).where(Step.case_id == case.id, Step.status.in_(STEP_OPEN))
        )
    }
    count = cancel.cancel_pending(session, rt, case, now, "ladder paused", actor=actor.username)
    paused = (
        sorted(
            s.id
            for s in session.scalars(
                select(Step).where(Step.id.in_(before), Step.status == "cancelled")
            )
        )
        if before
        else []
    )
    case.status = "paused"
    timeline.record(
        session,
        case.id,
        "ladder_paused",
        now,
        actor=actor.username,
        reason=reason.strip(),
        step_ids=paused,
    )
    return count


def resume_ladder(session: Session, rt: Runtime, case: Case, *, actor: User) -> int:
    """Start again: the paused steps come back (not before now), then the plan fills gaps."""
    if case.status != "paused":
        raise CaseActionError("The ladder is not paused.", "reason")
    now = rt.now()
    case.status = "open"
    revived = 0
    last_pause = session.scalar(
        select(Event)
        .where(Event.case_id == case.id, Event.kind == "ladder_paused")
        .order_by(Event.at.desc(), Event.id.desc())
        .limit(1)
    )
    step_ids = (last_pause.data or {}).get("step_ids", []) if last_pause is not None else []
    # Plan first (new notices that came during the pause), then bring the
    # paused steps back: replan would otherwise pull them back to their old,
    # past due times.
    planning.replan(session, rt, case, now)
    if case.ladder_state == "running" and step_ids:
        for step in session.scalars(
            select(Step).where(Step.id.in_(step_ids), Step.status == "cancelled")
        ):
            steps.reopen(step, max(step.due_at, now), revived=True)
            revived += 1
    timeline.record(session, case.id, "ladder_resumed", now, actor=actor.username, revived=revived)
    return revived


def add_note(session: Session, rt: Runtime, case: Case, *, text: str, actor: User) -> CaseNote:
    if not text.strip():
        raise CaseActionError("Write the note.", "text")
    now = rt.now()
    note = CaseNote(case_id=case.id, author_id=actor.id, at=now, text=text.strip())
    session.add(note)
    session.flush()
    timeline.record(session, case.id, "note_added", now, actor=actor.username, note_id=note.id)
    return note


def check_pdf(data: bytes) -> str | None:
    """None if ``data`` is a readable PDF within the size limit, else the reason."""
    if len(data) > MAX_UPLOAD_BYTES:
        return "too_large"
    if not data.startswith(b"%PDF-"):
        return "not_pdf"
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            pages = len(PdfReader(io.BytesIO(data)).pages)
    except (PyPdfError, ValueError, KeyError, TypeError, OSError):
        return "not_pdf"
    return None if pages > 0 else "not_pdf"


def add_document(
    session: Session,
    rt: Runtime,
    case: Case,
    *,
    filename: str,
    data: bytes,
    actor: User,
    trigger_id: int | None = None,
) -> CaseDocument:
    problem = check_pdf(data)
    if problem is not None:
        raise CaseActionError(problem, "document")
    now = rt.now()
    digest = hashlib.sha256(data).hexdigest()
    relative = Path("uploads") / str(case.id) / f"{uuid.uuid4().hex}.pdf"
    target = rt.settings.var_dir / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    safe_name = Path(filename or "dokument.pdf").name[:200] or "dokument.pdf"
    document = CaseDocument(
        case_id=case.id,
        trigger_id=trigger_id,
        filename=safe_name,
        stored_path=str(relative),
        content_type="application/pdf",
        size=len(data),
        sha256=digest,
        uploaded_by=actor.id,
        uploaded_at=now,
    )
    session.add(document)
    session.flush()
    timeline.record(
        session,
        case.id,
        "document_added",
        now,
        actor=actor.username,
        document_id=document.id,
        trigger_id=trigger_id,
    )
    return document


def document_path(rt: Runtime, document: CaseDocument) -> Path:
    path = (rt.settings.var_dir / document.stored_path).resolve()
    if not path.is_relative_to(rt.settings.var_dir.resolve()):
        raise FileNotFoundError(document.stored_path)
    return path


def add_followup(
    session: Session,
    rt: Runtime,
    case: Case,
    *,
    kind: str,
    due_on: date,
    owner: User,
    note: str,
    actor: User,
) -> FollowUpItem:
    if kind not in FOLLOWUP_KINDS:
        raise CaseActionError("Unknown follow-up measure.", "kind")
    if kind not in followups.kinds_for(case):
        # Follow-up after help comes after closing; the solution alternatives do not.
        raise CaseActionError("Only follow-up after help on a closed case.", "kind")
    now = rt.now()
    item = FollowUpItem(
        case_id=case.id,
        kind=kind,
        due_on=due_on,
        owner_id=owner.id,
        status="open",
        note=note.strip(),
        created_by=actor.id,
        created_at=now,
    )
    session.add(item)
    session.flush()
    timeline.record(
        session,
        case.id,
        "followup_planned",
        now,
        actor=actor.username,
        followup_id=item.id,
        measure=kind,
        due_on=due_on.isoformat(),
        owner=owner.username,
    )
    return item


def complete_followup(session: Session, rt: Runtime, item: FollowUpItem, *, actor: User) -> None:
    if item.status != "open":
        raise CaseActionError("Already done.", "followup")
    now = rt.now()
    item.status = "done"
    item.done_at = now
    timeline.record(
        session,
        item.case_id,
        "followup_done",
        now,
        actor=actor.username,
        followup_id=item.id,
        measure=item.kind,
    )
