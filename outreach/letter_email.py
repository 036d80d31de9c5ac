"""A copy of the tenant's letter by email, as its PDF (issue 4, "Email through SendGrid").

Only for a tenant who gave an address *and* consent, and only when the
contact register says the person is not reserved against digital mail – asked
now, at this sending (``outreach.krr``). Anything else is a skip with its
reason on the timeline; the letter itself has gone on paper anyway.

The email text is neutral (``render_email``): the content is in the PDF, the
letter's own PDF cut from its print batch; a letter whose batch was posted
without PDFs (the simulator) is rendered on its own.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, object_session

from channels.base import Attachment, Message
from outreach import krr
from outreach.models import Attempt, Case, PrintBatch, PrintItem, Step


def _session(case: Case) -> Session:
    session = object_session(case)
    if session is None:
        raise RuntimeError("the case is not in a session")
    return session


def tenant_letter(session: Session, case: Case) -> PrintItem | None:
    """The newest letter to the tenant in this round that is on its way (rendered or posted)."""
    return session.scalar(
        select(PrintItem)
        .join(Step, Step.id == PrintItem.step_id)
        .where(
            PrintItem.case_id == case.id,
            PrintItem.audience == "tenant",
            PrintItem.status.in_(("rendered", "posted")),
            Step.rule == "letter",
        )
        .order_by(PrintItem.id.desc())
        .limit(1)
    )


def skip_reason(case: Case) -> str | None:
    """Why the copy cannot go by email now, or None when it may."""
    person = case.person
    if not person.email_consent:
        return "no consent to email"
    if person.protected_address:
        return "protected address: manual handling"
    if tenant_letter(_session(case), case) is None:
        return "no letter to copy"
    from outreach.runtime import current

    national_id = (
        current().protector.decrypt(person.national_id_enc) if person.national_id_enc else None
    )
    allowed, reason = krr.digital_allowed(national_id)
    return None if allowed else reason


def letter_pdf(session: Session, item: PrintItem) -> bytes:
    if item.pdf_path and Path(item.pdf_path).is_file():
        return Path(item.pdf_path).read_bytes()
    from outreach.compose import local
    from outreach.letters import render_pdf
    from outreach.printing import letter_data

    batch = session.get(PrintBatch, item.batch_id)
    attempt = session.get(Attempt, item.attempt_id)
    at = (batch.rendered_at or batch.posted_at if batch is not None else None) or (
        attempt.created_at if attempt is not None else None
    )
    if at is None:
        raise RuntimeError("the letter has no date")
    return render_pdf([letter_data(session, item, local(at).date())])


def message(
    step: Step, case: Case, attempt: Attempt, metadata: dict[str, str], contact_phone: str
) -> Message:
    from outreach.compose import message_language
    from outreach.messages import render_email

    session = _session(case)
    item = tenant_letter(session, case)
    if item is None:
        raise RuntimeError("no letter to copy")  # recipient_for skipped this already
    language = message_language(case.person.language)
    office = case.district.office_name if case.district is not None else "NAV"
    text = render_email("letter", language, office_name=office, contact_phone=contact_phone)
    return Message(
        idempotency_key=attempt.idempotency_key,
        channel="email",
        to=attempt.recipient,
        subject=text.subject,
        body=text.body,
        language=",".join(text.languages),
        attachments=(Attachment(f"brev-{case.reference}.pdf", letter_pdf(session, item)),),
        metadata={**metadata, "print_item": str(item.id)},
    )
