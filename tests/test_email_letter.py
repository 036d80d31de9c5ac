"""A copy of the letter by email (issue 4): only with consent and a "not reserved"
answer from the contact register, asked at every sending; skipped with a reason
otherwise. The email is neutral; the letter is the attached PDF."""

from __future__ import annotations

import base64
import re
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from outreach.models import Case, Event, PrintItem, Step
from outreach.reach.email import krr
from outreach.reach.email.letter_copy import NO_CODE_REASON
from tests.factories import national_id
from tests.test_visits_support import letter_posted, open_case, outbox, run, step_of

NATIONAL_ID = national_id(12, 4, 1988)
CONSENTING = {"tenant": {"email": "amina@example.org", "email_consent": True,
                         "national_id": NATIONAL_ID}}  # fmt: skip


@pytest.fixture
def register() -> Any:
    register = krr.StaticRegister(not_reserved=[NATIONAL_ID])
    krr.install(register)
    yield register
    krr.install(None)


def _skipped(rt: Any, case_id: int) -> list[str]:
    with rt.session() as session:
        events = session.scalars(
            select(Event).where(Event.case_id == case_id, Event.kind == "step_skipped")
        )
        return [e.data["reason"] for e in events if e.data.get("rule") == "letter_email"]


def test_letter_goes_by_email_as_its_own_pdf_with_a_neutral_text(
    rt: Any, clock: Any, register: Any
) -> None:
    case_id = open_case(rt, **CONSENTING)
    letter_posted(rt, clock, case_id, pdf=True)
    step = step_of(rt, case_id, "letter_email")  # planned when the letter was posted
    assert step.due_at == clock()
    assert run(rt, step.id).result == "done"
    assert register.calls == 1
    [email] = outbox(rt, "email")
    assert email["to"] == "amina@example.org"
    text = (email["subject"] + email["body"]).lower()
    for word in ("utkast", "husleie", "namsfogd", "restanse", "38"):
        assert word not in text
    with rt.session() as session:
        item = session.scalars(select(PrintItem).where(PrintItem.audience == "tenant")).one()
        pdf = Path(item.pdf_path).read_bytes()
        reference = session.get(Case, case_id).reference
    [attachment] = email["attachments"]
    assert attachment["mime_type"] == "application/pdf"
    assert attachment["filename"] == f"brev-{reference}.pdf"
    assert base64.b64decode(attachment["content_base64"]) == pdf  # the letter's own PDF


def test_no_consent_plans_no_email(rt: Any, clock: Any, register: Any) -> None:
    case_id = open_case(rt, tenant={"email": "amina@example.org", "national_id": NATIONAL_ID})
    letter_posted(rt, clock, case_id)
    with rt.session() as session:
        rules = set(session.scalars(select(Step.rule).where(Step.case_id == case_id)))
    assert "letter_email" not in rules
    assert outbox(rt, "email") == []


def test_consent_withdrawn_before_sending_is_a_skip_with_the_reason(
    rt: Any, clock: Any, register: Any
) -> None:
    case_id = open_case(rt, **CONSENTING)
    letter_posted(rt, clock, case_id)
    with rt.session() as session:
        session.get(Case, case_id).person.email_consent = False
    assert run(rt, step_of(rt, case_id, "letter_email").id).result == "skipped"
    assert _skipped(rt, case_id) == ["no consent to email"]
    assert register.calls == 0 and outbox(rt, "email") == []


@pytest.mark.parametrize(
    ("installed", "overrides", "reason"),
    [
        (krr.StaticRegister(reserved=[NATIONAL_ID]), {}, "KRR: reserved against digital mail"),
        (None, {}, "KRR: unknown"),  # the default: no register configured
        (krr.StaticRegister(), {}, "KRR: unknown"),  # the register does not know the person
        (
            krr.StaticRegister(not_reserved=[NATIONAL_ID]),
            {"tenant": {"national_id": None}},
            "KRR: unknown (no national id)",
        ),
    ],
    ids=["reserved", "no-register", "not-in-register", "no-national-id"],
)
def test_reserved_or_unknown_stays_on_paper(
    rt: Any, clock: Any, installed: Any, overrides: dict[str, Any], reason: str
) -> None:
    krr.install(installed)
    try:
        doc = {"tenant": {**CONSENTING["tenant"], **overrides.get("tenant", {})}}
        case_id = open_case(rt, **doc)
        letter_posted(rt, clock, case_id)
        assert run(rt, step_of(rt, case_id, "letter_email").id).result == "skipped"
    finally:
        krr.install(None)
    assert _skipped(rt, case_id) == [reason]
    assert outbox(rt, "email") == []
    with rt.session() as session:
        # Nothing from the register is kept on the person.
        person = session.get(Case, case_id).person
        assert person.email_consent is True and person.email == "amina@example.org"


def test_the_register_is_asked_at_every_sending(rt: Any, clock: Any, register: Any) -> None:
    case_id = open_case(rt, **CONSENTING)
    letter_posted(rt, clock, case_id)  # no PDFs in the batch: the letter is rendered alone
    step = step_of(rt, case_id, "letter_email")
    assert run(rt, step.id).result == "done"
    # The person reserves afterwards: the next sending asks again and is refused.
    krr.install(krr.StaticRegister(reserved=[NATIONAL_ID]))
    with rt.session() as session:
        again = Step(
            case_id=case_id, rule="letter_email", key="letter_email:again", channel="email",
            due_at=clock(), status="planned",
        )  # fmt: skip
        session.add(again)
        session.flush()
        again_id = again.id
    assert run(rt, again_id).result == "skipped"
    assert register.calls == 1
    assert _skipped(rt, case_id) == ["KRR: reserved against digital mail"]
    [email] = outbox(rt, "email")
    assert base64.b64decode(email["attachments"][0]["content_base64"]).startswith(b"%PDF")


def _codes(rt: Any, case_id: int) -> list[tuple[int, bool]]:
    from outreach.models.booking import BookingCode

    with rt.session() as session:
        rows = session.scalars(
            select(BookingCode).where(BookingCode.case_id == case_id).order_by(BookingCode.id)
        )
        return [(r.id, r.revoked_at is None) for r in rows]


def _pdf_text(content: bytes) -> str:
    import io

    from pypdf import PdfReader

    return " ".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages)


def test_a_copy_rendered_again_keeps_the_paper_letters_code_working(
    rt: Any, clock: Any, register: Any
) -> None:
    """The PDF is gone: the copy goes without a code rather than revoke the one on paper."""
    from outreach.reach.letter import codes

    case_id = open_case(rt, **CONSENTING)
    letter_posted(rt, clock, case_id, pdf=True)
    with rt.session() as session:
        item = session.scalars(select(PrintItem).where(PrintItem.audience == "tenant")).one()
        paper = _pdf_text(Path(item.pdf_path).read_bytes())
        Path(item.pdf_path).unlink()  # var/ lost, or a batch posted without PDFs
    [printed] = set(re.findall(rf"[{codes.ALPHABET}]{{4}}-[{codes.ALPHABET}]{{4}}", paper))
    before = _codes(rt, case_id)
    assert [active for _, active in before] == [True]

    assert run(rt, step_of(rt, case_id, "letter_email").id).result == "done"
    assert _codes(rt, case_id) == before  # nothing issued, nothing revoked
    with rt.session() as session:
        assert codes.verify_code(session, rt, printed) is not None
        events = session.scalars(select(Event).where(Event.case_id == case_id)).all()
    [note] = [e for e in events if e.kind == "letter_copy_without_code"]
    assert note.data["reason"] == NO_CODE_REASON
    assert [e.kind for e in events].count("booking_code_issued") == 1
    [email] = outbox(rt, "email")
    assert email["metadata"]["booking_code"] == "omitted"
    copy = _pdf_text(base64.b64decode(email["attachments"][0]["content_base64"]))
    assert printed not in copy
    assert "NAV" in copy  # still the letter, rendered again


def test_the_letters_own_pdf_is_sent_with_its_code_and_no_note(
    rt: Any, clock: Any, register: Any
) -> None:
    case_id = open_case(rt, **CONSENTING)
    letter_posted(rt, clock, case_id, pdf=True)
    before = _codes(rt, case_id)
    assert run(rt, step_of(rt, case_id, "letter_email").id).result == "done"
    assert _codes(rt, case_id) == before
    [email] = outbox(rt, "email")
    assert "booking_code" not in email["metadata"]
    with rt.session() as session:
        kinds = set(session.scalars(select(Event.kind).where(Event.case_id == case_id)))
    assert "letter_copy_without_code" not in kinds
