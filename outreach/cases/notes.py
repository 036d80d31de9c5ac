"""A caseworker's note on a case: its text stays in ``case_notes``; the event carries its id."""

from __future__ import annotations

from sqlalchemy.orm import Session

from outreach import timeline
from outreach.cases.errors import CaseActionError
from outreach.models import Case, User
from outreach.models.staff import CaseNote
from outreach.runtime import Runtime


def add_note(session: Session, rt: Runtime, case: Case, *, text: str, actor: User) -> CaseNote:
    if not text.strip():
        raise CaseActionError("Write the note.", "text")
    now = rt.now()
    note = CaseNote(case_id=case.id, author_id=actor.id, at=now, text=text.strip())
    session.add(note)
    session.flush()
    timeline.record(session, case.id, "note_added", now, actor=actor.username, note_id=note.id)
    return note
