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

from outreach import ladder, timeline
from outreach.compose import contact_person
from outreach.models import Attempt, AttemptStatus, Case, PrintBatch, PrintItem, Step, Trigger
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


def letter_data(session: Session, item: PrintItem, letter_date: date):  # type: ignore[no-untyped-def]
    """The renderer's view of one letter; imports the renderer lazily (WeasyPrint)."""
    from outreach.booking import letter_booking
    from outreach.letters import ContactPerson, LetterData, Office, PostalAddress

    case = session.get(Case, item.case_id)
    step = session.get(Step, item.step_id)
    assert case is not None and step is not None
    trigger = session.get(Trigger, step.trigger_id) if step.trigger_id else case.triggers[-1]
    assert trigger is not None
    person = case.person
    district = case.district
    name, phone = contact_person(case)
    office = Office(
        district_code=district.code if district else "",
        name=district.office_name if district else "NAV",
        street=district.street if district else "",
        postal_code=district.postal_code if district else "",
        city=district.city if district else "Oslo",
        opening_hours=district.opening_hours if district else "",
        phone=district.duty_contact_phone if district else "",
    )
    if item.audience == "tenant":
        recipient = PostalAddress(person.name, person.street, person.postal_code, person.city)
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
        # A fresh booking code per rendered tenant letter; only its hash is kept.
        **letter_booking(session, case, item.audience),
    )


def _write(path: Path, content: bytes) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_bytes(content)
    tmp.replace(path)
    return hashlib.sha256(content).hexdigest()


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
    if pdf and items:
        from outreach.letters import render_print_batch, split_letter

        letter_date = now.astimezone(OSLO).date()
        letters = [letter_data(session, item, letter_date) for item in items]
        title = f"Utskrift {batch.district_code or 'sentral'} {letter_date.isoformat()} #{batch.id}"
        rendered = render_print_batch(title, letters)
        directory = rt.settings.var_dir / "letters"
        batch.pdf_path = str(directory / f"batch-{batch.id}.pdf")
        batch.pdf_sha256 = _write(Path(batch.pdf_path), rendered.pdf)
        batch.page_count = sum(len(r) for r in rendered.page_ranges) + len(rendered.cover_pages)
        for item, pages in zip(items, rendered.letters, strict=True):
            own = split_letter(rendered.pdf, pages)
            item.pdf_path = str(directory / f"letter-{item.attempt_id}.pdf")
            item.pdf_sha256 = _write(Path(item.pdf_path), own)
            item.page_from, item.page_to = pages.pages.start, pages.pages.stop - 1
    return items


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
            step.status = "done"
            step.finished_at = at
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
        if item.audience == "tenant" and case.letter_sent_at is None and case.status == "open":
            case.letter_sent_at = at
            ladder.replan(session, rt, case, now)
    return batch


def open_batches(session: Session) -> list[PrintBatch]:
    return list(session.scalars(select(PrintBatch).where(PrintBatch.status != "posted")))
