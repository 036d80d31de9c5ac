"""Print batches: letters collected per district, rendered together, posted by staff.

Issue 3: a letter step does not "send" when its job runs; it joins the
district's open print batch. Staff render the batch (one PDF with a cover
sheet, every letter also cut out as its own PDF with a hash on the timeline)
and mark it posted; the posting time is the "letter sent" time that starts the
one-week clock (000: «en uke etter utsendelse av brevet»).
"""

from __future__ import annotations

import hashlib
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from outreach import timeline
from outreach.cases.contact import contact_person, holding_office
from outreach.ladder import planning
from outreach.ladder import steps as ladder_steps
from outreach.models import Attempt, AttemptStatus, Case, PrintBatch, PrintItem, Step, Trigger
from outreach.parties import (
    NO_POSTAL_ADDRESS,
    Party,
    copy_recipient,
    counterpart_name,
    postal_party,
)
from outreach.runtime import Runtime

OSLO = ZoneInfo("Europe/Oslo")


class PrintError(ValueError):
    """The batch is not in a state for this action; the message says why."""


def open_batch(session: Session, district_code: str | None) -> PrintBatch:
    batch = session.scalar(
        select(PrintBatch).where(
            PrintBatch.district_code.is_(None)
            if district_code is None
            else PrintBatch.district_code == district_code,
            PrintBatch.status == "open",
        )
    )
    if batch is None:
        batch = PrintBatch(district_code=district_code, status="open")
        session.add(batch)
        session.flush()
    return batch


def add_letter(
    session: Session, case: Case, step: Step, attempt: Attempt, audience: str, now: datetime
) -> PrintItem:
    batch = open_batch(session, case.district_code)
    item = PrintItem(
        batch_id=batch.id,
        attempt_id=attempt.id,
        step_id=step.id,
        case_id=case.id,
        audience=audience,
        language=attempt.language,
        status="queued",
    )
    session.add(item)
    session.flush()
    timeline.record(
        session,
        case.id,
        "letter_batched",
        now,
        channel="letter",
        step_id=step.id,
        attempt_id=attempt.id,
        batch_id=batch.id,
        audience=audience,
    )
    return item


def withdraw(session: Session, step: Step, now: datetime, reason: str) -> None:
    """A response or close before posting: the letter must not go out."""
    for item in session.scalars(
        select(PrintItem).where(PrintItem.step_id == step.id, PrintItem.status != "posted")
    ):
        item.status = "withdrawn"
        attempt = session.get(Attempt, item.attempt_id)
        if attempt is not None:
            attempt.status = "withdrawn"
            attempt.updated_at = now
            session.add(
                AttemptStatus(attempt_id=attempt.id, status="withdrawn", at=now, detail=reason)
            )
        batch = session.get(PrintBatch, item.batch_id)
        timeline.record(
            session,
            step.case_id,
            "letter_withdrawn",
            now,
            channel="letter",
            step_id=step.id,
            batch_id=item.batch_id,
            # A rendered batch is already on paper: staff must take it out.
            pull_from_printed_batch=(batch is not None and batch.status == "rendered") or None,
            reason=reason,
        )


def _recipient(session: Session, item: PrintItem) -> tuple[Case, Step, Trigger, Party | None]:
    case = session.get(Case, item.case_id)
    step = session.get(Step, item.step_id)
    assert case is not None and step is not None
    trigger = session.get(Trigger, step.trigger_id) if step.trigger_id else case.triggers[-1]
    assert trigger is not None
    if item.audience == "tenant":
        person = case.person
        return (
            case,
            step,
            trigger,
            postal_party(person.name, person.street, person.postal_code, person.city),
        )
    return case, step, trigger, copy_recipient(trigger, item.audience)


def letter_data(session: Session, item: PrintItem, letter_date: date):  # type: ignore[no-untyped-def]
    """The renderer's view of one letter; imports the renderer lazily (WeasyPrint).

    A copy goes to the bailiff, plaintiff or landlord at the postal address the trigger
    gave (``outreach.parties``); without one its recipient has no street, and the render
    path blocks it (``no_postal_address``) instead of printing a name-only window.
    """
    from outreach.letters import ContactPerson, LetterData, PostalAddress
    from outreach.reach.letter.codes import letter_booking

    case, _step, trigger, party = _recipient(session, item)
    person = case.person
    name, phone = contact_person(case)
    # The district's office, or central intake's while no district holds the case.
    office = holding_office(case).for_letter()
    if party is not None:
        recipient = PostalAddress(party.name, party.street, party.postal_code, party.city)
    else:
        recipient = PostalAddress(trigger.source_name or item.audience, "", "", "")
    return LetterData(
        kind=trigger.kind,
        audience=item.audience,
        language=item.language if item.audience == "tenant" else "nb",
        reference=case.reference,
        letter_date=letter_date,
        recipient=recipient,
        office=office,
        contact=ContactPerson(name, phone) if name and phone else None,
        source_type=trigger.source_type,
        source_name=trigger.source_name,
        received_on=trigger.received_at.astimezone(OSLO).date(),
        tenant_name=person.name,
        arrears_amount=trigger.arrears_amount,
        eviction_date=case.eviction_date,
        counterpart_name=counterpart_name(trigger),
        source_reference=trigger.source_reference or "",
        # A fresh booking code per rendered tenant letter; only its hash is kept.
        **letter_booking(session, case, item.audience),
    )


def _write(path: Path, content: bytes) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_bytes(content)
    tmp.replace(path)
    return hashlib.sha256(content).hexdigest()


def letter_problem(session: Session, item: PrintItem) -> str | None:
    """Why this one letter cannot be printed, checked again when the batch is rendered.

    The batch waited hours or days; what was true when the letter joined it may not be
    now, and a copy is batched without a contact check. One bad letter must not stop the
    district's batch (issue 3): it is blocked and the rest are printed.
    """
    case, _step, _trigger, party = _recipient(session, item)
    name, phone = contact_person(case)
    if not (name.strip() and phone.strip()):
        # The circular: every letter names the contact person and their number (000).
        return "missing_contact_person"
    if party is None:
        return NO_POSTAL_ADDRESS
    return None


def _block(session: Session, item: PrintItem, now: datetime, reason: str) -> None:
    """Keep one letter out of the batch, visibly: ``letter_blocked`` on the case."""
    item.status = "blocked"
    attempt = session.get(Attempt, item.attempt_id)
    if attempt is not None:
        attempt.status = "blocked"
        attempt.updated_at = now
        session.add(AttemptStatus(attempt_id=attempt.id, status="blocked", at=now, detail=reason))
    step = session.get(Step, item.step_id)
    if step is not None and step.status == "waiting":
        ladder_steps.finish_step(step, "failed", now, reason)
    timeline.record(
        session,
        item.case_id,
        "letter_blocked",
        now,
        channel="letter",
        step_id=item.step_id,
        batch_id=item.batch_id,
        audience=item.audience,
        reason=reason,
    )


PROTECTED = "protected address: manual handling"
EMPTY_SLOT = "empty_slot"


def _withdraw_if_protected(session: Session, rt: Runtime, item: PrintItem, now: datetime) -> bool:
    """A protected address set after the letter was batched: no automatic letter after all.

    Strengt fortrolig adresse (DOMAIN.md): the tenant's address never goes on an
    automatic letter. Intake may learn it while the letter waits in the open batch, so
    the render checks again: the letter is withdrawn, its step skipped like a letter
    that meets a protected address when it is batched, and the ladder plans the
    policy's ``manual_letter`` task for the caseworker.
    """
    if item.audience != "tenant":
        return False  # the copies say nothing about where the tenant lives
    case = session.get(Case, item.case_id)
    step = session.get(Step, item.step_id)
    assert case is not None and step is not None
    if not case.person.protected_address:
        return False
    withdraw(session, step, now, "protected_address")
    if step.status in ("waiting", "planned", "running"):
        ladder_steps.finish_step(step, "skipped", now, PROTECTED)
        timeline.record(
            session,
            case.id,
            "step_skipped",
            now,
            channel="letter",
            step_id=step.id,
            rule=step.rule,
            reason=PROTECTED,
        )
    planning.replan(session, rt, case, now)
    return True


def _printable(
    session: Session, rt: Runtime, items: list[PrintItem], now: datetime
) -> list[PrintItem]:
    kept = []
    for item in items:
        if _withdraw_if_protected(session, rt, item, now):
            continue
        problem = letter_problem(session, item)
        if problem is not None:
            _block(session, item, now, problem)
            continue
        kept.append(item)
    return kept


def _render_items(
    session: Session, rt: Runtime, batch: PrintBatch, *, pdf: bool
) -> list[PrintItem]:
    now = rt.now()
    items = list(
        session.scalars(
            select(PrintItem)
            .where(PrintItem.batch_id == batch.id, PrintItem.status == "queued")
            .order_by(PrintItem.id)
        )
    )
    items = _printable(session, rt, items, now)
    if pdf and items:
        from outreach.letters import render_print_batch

        letter_date = now.astimezone(OSLO).date()
        letters = [letter_data(session, item, letter_date) for item in items]
        items, letters = _without_empty_slots(session, items, letters, now)
        title = f"Utskrift {batch.district_code or 'sentral'} {letter_date.isoformat()} #{batch.id}"
        rendered = render_print_batch(title, letters)
        directory = rt.settings.var_dir / "letters"
        batch.pdf_path = str(directory / f"batch-{batch.id}.pdf")
        batch.pdf_sha256 = _write(Path(batch.pdf_path), rendered.pdf)
        batch.page_count = sum(len(r) for r in rendered.page_ranges) + len(rendered.cover_pages)
        _store_own_pdfs(items, letters, rendered, directory)
    return items


def _without_empty_slots(session: Session, items: list, letters: list, now: datetime):  # type: ignore[no-untyped-def, type-arg]
    """A letter that would print an empty slot (``letters.slots``: no opening hours, no
    sender) is blocked on its own (``empty_slot``); the rest of the batch is printed."""
    from outreach.letters import render_letter_html
    from outreach.letters.slots import EmptySlot

    kept = []
    for item, data in zip(items, letters, strict=True):
        try:
            render_letter_html(data)
        except EmptySlot:
            _block(session, item, now, EMPTY_SLOT)
            continue
        kept.append((item, data))
    return [item for item, _ in kept], [data for _, data in kept]


def _store_own_pdfs(items: list[PrintItem], letters: list, rendered, directory: Path) -> None:  # type: ignore[no-untyped-def, type-arg]
    """Each letter's own PDF, cut from the batch, with its own title and language."""
    from outreach.letters import split_letter

    for item, data, pages in zip(items, letters, rendered.letters, strict=True):
        own = split_letter(rendered.pdf, pages, data=data)
        item.pdf_path = str(directory / f"letter-{item.attempt_id}.pdf")
        item.pdf_sha256 = _write(Path(item.pdf_path), own)
        item.page_from, item.page_to = pages.pages.start, pages.pages.stop - 1


def render_batch(session: Session, rt: Runtime, batch_id: int, *, pdf: bool = True) -> PrintBatch:
    """Close the batch and render it; ``pdf=False`` (simulate) skips the PDF work."""
    batch = session.get(PrintBatch, batch_id)
    if batch is None or batch.status != "open":
        raise PrintError("Only an open batch can be rendered.")
    # Close the batch for new letters before the slow render: a letter
    # batched meanwhile starts the district's next batch instead.
    batch.status = "rendering"
    session.commit()
    try:
        items = _render_items(session, rt, batch, pdf=pdf)
    except BaseException:
        # Give the batch back so staff can try again (the job shows failed).
        session.rollback()
        batch.status = "open"
        session.commit()
        raise
    now = rt.now()
    for item in items:
        item.status = "rendered"
        timeline.record(
            session,
            item.case_id,
            "letter_rendered",
            now,
            channel="letter",
            step_id=item.step_id,
            batch_id=batch.id,
            sha256=item.pdf_sha256,
        )
    # A letter that joined in the moment before the batch closed goes on to
    # the next batch rather than waiting in this one for ever.
    rendered_ids = {item.id for item in items}
    late = [
        item
        for item in session.scalars(
            select(PrintItem).where(PrintItem.batch_id == batch.id, PrintItem.status == "queued")
        )
        if item.id not in rendered_ids
    ]
    batch.status = "rendered"
    batch.rendered_at = now
    if late:
        session.flush()
        successor = open_batch(session, batch.district_code)
        for item in late:
            item.batch_id = successor.id
    return batch


def post_batch(
    session: Session,
    rt: Runtime,
    batch_id: int,
    *,
    posted_at: datetime | None = None,
    actor: str | None = None,
) -> PrintBatch:
    """Staff put the batch in the post: every letter in it is sent now."""
    batch = session.get(PrintBatch, batch_id)
    if batch is None or batch.status != "rendered":
        raise PrintError("Render the batch before marking it posted.")
    now = rt.now()
    at = posted_at or now
    batch.status = "posted"
    batch.posted_at = at
    batch.posted_by = actor
    for item in session.scalars(
        select(PrintItem).where(PrintItem.batch_id == batch.id, PrintItem.status == "rendered")
    ):
        item.status = "posted"
        attempt = session.get(Attempt, item.attempt_id)
        step = session.get(Step, item.step_id)
        case = session.get(Case, item.case_id)
        assert attempt is not None and step is not None and case is not None
        attempt.status = "posted"
        attempt.updated_at = at
        session.add(AttemptStatus(attempt_id=attempt.id, status="posted", at=at))
        if step.status == "waiting":
            ladder_steps.finish_step(step, "done", at)
        timeline.record(
            session,
            case.id,
            "letter_sent" if item.audience == "tenant" else "letter_copy_sent",
            at,
            channel="letter",
            actor=actor,
            step_id=step.id,
            attempt_id=attempt.id,
            batch_id=batch.id,
            audience=item.audience,
        )
        # A paused case's letter is sent too: the clock starts, contact waits for the resume.
        if item.audience == "tenant" and case.letter_sent_at is None and case.status != "closed":
            case.letter_sent_at = at
            planning.replan(session, rt, case, now)
    return batch


def open_batches(session: Session) -> list[PrintBatch]:
    return list(session.scalars(select(PrintBatch).where(PrintBatch.status != "posted")))
