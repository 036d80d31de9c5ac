"""The print page (render as an RQ job, PDF, mark posted) and "send the letter now"."""

from __future__ import annotations

import itertools
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from rq import Queue, SimpleWorker
from sqlalchemy import func, select

from outreach.cases.errors import CaseActionError
from outreach.cases.response import register_response
from outreach.jobs.tick import tick
from outreach.models import Case, Event, PrintBatch, PrintItem, Step
from outreach.models.staff import CaseAccess
from outreach.reach.letter.actions import request_letter_resend
from tests.conftest import OSLO
from tests.factories import national_id
from tests.test_staff_support import csrf_token, login, make_user, new_case, text_of

PAGE = "/staff/utskrift"
REVIEW = "Oversettelsen er maskinutkast og ikke kontrollert av kvalifisert oversetter"


def _queue(rt: Any) -> Queue:
    return Queue(rt.settings.queue_name, connection=rt.redis())


def _work(rt: Any) -> None:
    SimpleWorker([_queue(rt)], connection=rt.redis()).work(burst=True)


def _batched_case(rt: Any, **overrides: Any) -> int:
    """A case whose letters (tenant + copy to the bailiff) are in the open batch."""
    case_id = new_case(rt, **overrides).case_id
    tick(rt)
    _work(rt)
    return int(case_id)


def _batch_id(rt: Any, district: str = "030101") -> int:
    with rt.session() as session:
        return int(
            session.scalar(
                select(PrintBatch.id).where(
                    PrintBatch.district_code == district, PrintBatch.status != "posted"
                )
            )
        )


def _reference(rt: Any, case_id: int) -> str:
    with rt.session() as session:
        return str(session.get(Case, case_id).reference)


def _post(client: Any, url: str, data: dict[str, Any] | None = None) -> Any:
    return client.post(url, data={"csrf_token": csrf_token(client, PAGE), **(data or {})})


def _render(client: Any, rt: Any, batch_id: int) -> None:
    assert _post(client, f"{PAGE}/{batch_id}/lag-pdf").status_code == 302
    _work(rt)


def _local(at: datetime) -> str:
    return at.astimezone(OSLO).strftime("%Y-%m-%dT%H:%M")


@pytest.fixture
def kari(client: Any, rt: Any) -> int:
    user_id = make_user(rt)
    assert login(client).status_code == 302
    return user_id


def test_print_page_lists_the_districts_letters_with_deadline_and_review_status(
    client: Any, rt: Any, kari: int, clock: Any
) -> None:
    mine = _batched_case(rt)
    theirs = _batched_case(
        rt,
        district="030105",
        source={"reference": "NF-2"},
        tenant={
            "name": "Ola Frogner",
            "address": {"street": "Bygdøy allé 5", "postal_code": "0257"},
        },
    )
    page = client.get(PAGE)
    assert page.status_code == 200
    html = text_of(page)
    assert 'aria-current="page">Utskrift<' in html
    assert "Gamle Oslo – bunke" in html
    assert _reference(rt, mine) in html
    assert _reference(rt, theirs) not in html and "Frogner" not in html
    assert "Amina" not in html  # references only; the names are in the PDF
    assert "Leietaker" in html and "Kopi til namsfogden" in html
    assert "somali" in html and "maskinutkast, ikke kontrollert" in html
    assert REVIEW in html
    assert "Lag PDF" in html
    assert "Frist i dag" not in html and "Forfalt" not in html
    # The notice came Tuesday 1 December 10:00: three working days is Friday 10:00.
    assert "4.12.2026 10:00" in html
    clock.set(datetime(2026, 12, 4, 9, 0, tzinfo=OSLO))
    login(client)  # the session expired in the meantime
    html = text_of(client.get(PAGE))
    assert "Frist i dag" in html and "Forfalt" not in html
    assert "2 med frist i dag" in html
    clock.set(datetime(2026, 12, 4, 10, 30, tzinfo=OSLO))
    login(client)
    html = text_of(client.get(PAGE))
    assert "Forfalt" in html and "2 forfalt" in html


def test_another_districts_batch_is_404(client: Any, rt: Any) -> None:
    make_user(rt, "nils", districts="030102")
    login(client, "nils")
    case_id = _batched_case(rt)
    batch_id = _batch_id(rt)
    assert _reference(rt, case_id) not in text_of(client.get(PAGE))
    assert _post(client, f"{PAGE}/{batch_id}/lag-pdf").status_code == 404
    assert client.get(f"{PAGE}/{batch_id}/pdf").status_code == 404
    assert _post(client, f"{PAGE}/{batch_id}/postlagt").status_code == 404
    resend = _post(client, f"/staff/saker/{case_id}/brev/send", {"letter-reason": "x" * 20})
    assert resend.status_code == 404
    assert _queue(rt).count == 0
    with rt.session() as session:
        assert session.get(PrintBatch, batch_id).status == "open"
        assert not session.scalars(select(Step).where(Step.key.startswith("letter:resend"))).all()


def test_print_forms_refuse_a_missing_or_wrong_csrf_token(client: Any, rt: Any, kari: int) -> None:
    case_id = _batched_case(rt)
    batch_id = _batch_id(rt)
    _render(client, rt, batch_id)
    with rt.session() as session:
        events = session.scalar(select(func.count()).select_from(Event))
    for url, data in (
        (f"{PAGE}/{batch_id}/lag-pdf", {}),
        (f"{PAGE}/{batch_id}/postlagt", {f"b{batch_id}-posted_at": _local(rt.now())}),
        (f"/staff/saker/{case_id}/brev/send", {"letter-reason": "Kom i retur, ny adresse"}),
    ):
        for token in (None, "not-a-token"):
            response = client.post(url, data={**data, **({"csrf_token": token} if token else {})})
            assert response.status_code == 400, (url, token)
            assert "Skjemaet er utløpt" in text_of(response)
    with rt.session() as session:
        assert session.scalar(select(func.count()).select_from(Event)) == events
        assert session.get(PrintBatch, batch_id).status == "rendered"
        assert session.get(Case, case_id).letter_sent_at is None
    assert _queue(rt).count == 0


def test_render_runs_as_a_job_then_posting_sends_the_letters_and_plans_the_sms(
    client: Any, rt: Any, kari: int, clock: Any
) -> None:
    case_id = _batched_case(rt)
    batch_id = _batch_id(rt)
    response = _post(client, f"{PAGE}/{batch_id}/lag-pdf")
    assert response.status_code == 302
    # Only enqueued: the request does not render.
    assert _queue(rt).job_ids == [f"{rt.settings.queue_name}-print-batch-{batch_id}"]
    with rt.session() as session:
        assert session.get(PrintBatch, batch_id).status == "open"
    html = text_of(client.get(PAGE))
    assert "PDF-en lages" in html  # the flash
    assert "Lager PDF …" in html and "Lag PDF</button>" not in html
    # Pressing again while it runs does not queue a second job.
    _post(client, f"{PAGE}/{batch_id}/lag-pdf")
    assert _queue(rt).count == 1
    _work(rt)
    html = text_of(client.get(PAGE))
    assert "Lager PDF …" not in html
    assert "Last ned PDF (" in html and "Merk som postlagt" in html
    assert "side 2–" in html  # each letter's pages in the PDF, after the cover sheet
    with client.get(f"{PAGE}/{batch_id}/pdf") as pdf:
        assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    with rt.session() as session:
        logged = session.scalars(select(CaseAccess).where(CaseAccess.user_id == kari)).all()
        assert [(row.case_id, row.action) for row in logged] == [(case_id, "view")]

    # Later that day: a posting time in the future is refused.
    clock.set(datetime(2026, 12, 1, 16, 0, tzinfo=OSLO))
    login(client)
    future = _post(
        client, f"{PAGE}/{batch_id}/postlagt", {f"b{batch_id}-posted_at": "2026-12-01T16:30"}
    )
    assert future.status_code == 400
    assert "Tidspunktet kan ikke være frem i tid." in text_of(future)
    garbled = _post(client, f"{PAGE}/{batch_id}/postlagt", {f"b{batch_id}-posted_at": "i går"})
    assert garbled.status_code == 400 and "Ugyldig tidspunkt." in text_of(garbled)
    with rt.session() as session:
        assert session.get(PrintBatch, batch_id).status == "rendered"
        assert session.get(Case, case_id).letter_sent_at is None

    posted = _post(
        client, f"{PAGE}/{batch_id}/postlagt", {f"b{batch_id}-posted_at": "2026-12-01T15:45"}
    )
    assert posted.status_code == 302
    html = text_of(client.get(posted.headers["Location"]))
    assert "2 brev regnes som sendt" in html
    assert "Nylig postlagt" in html and "kari" in html
    at = datetime(2026, 12, 1, 15, 45, tzinfo=OSLO)
    with rt.session() as session:
        batch = session.get(PrintBatch, batch_id)
        assert (batch.status, batch.posted_at, batch.posted_by) == ("posted", at, "kari")
        case = session.get(Case, case_id)
        assert case.letter_sent_at == at
        sent = session.scalars(
            select(Event.kind).where(Event.case_id == case_id, Event.kind.like("letter_%sent"))
        ).all()
        assert sorted(sent) == ["letter_copy_sent", "letter_sent"]
        sms = session.scalar(select(Step).where(Step.case_id == case_id, Step.rule == "sms"))
        # One week after posting, in the SMS window (09-17).
        assert sms is not None and sms.status == "planned"
        assert sms.due_at.astimezone(OSLO) == datetime(2026, 12, 8, 15, 45, tzinfo=OSLO)
    # Posting twice is refused.
    again = _post(
        client, f"{PAGE}/{batch_id}/postlagt", {f"b{batch_id}-posted_at": "2026-12-01T15:50"}
    )
    assert again.status_code == 302
    assert "allerede merket som postlagt" in text_of(client.get(again.headers["Location"]))


def test_letters_withdrawn_after_printing_are_listed_to_pull_from_the_stack(
    client: Any, rt: Any, kari: int
) -> None:
    case_id = _batched_case(rt)
    reference = _reference(rt, case_id)
    batch_id = _batch_id(rt)
    _render(client, rt, batch_id)
    with rt.session() as session:
        register_response(session, rt, session.get(Case, case_id), channel="phone", actor="kari")
    html = text_of(client.get(PAGE))
    assert "Ta ut av bunken før posting" in html
    pull = html[html.index("Ta ut av bunken før posting") : html.index("<table")]
    assert reference in pull and "Leietaker" in pull and "side 2" in pull
    # The copy says NAV has written to the tenant: it is withdrawn with the letter.
    assert "Kopi til namsfogden" in pull
    form = {f"b{batch_id}-posted_at": _local(rt.now())}
    refused = _post(client, f"{PAGE}/{batch_id}/postlagt", form)
    assert refused.status_code == 400
    assert "Bekreft at brevene som er trukket tilbake" in text_of(refused)
    posted = _post(client, f"{PAGE}/{batch_id}/postlagt", {**form, f"b{batch_id}-pulled": "y"})
    assert posted.status_code == 302
    with rt.session() as session:
        statuses = dict(
            session.execute(
                select(PrintItem.audience, PrintItem.status).where(PrintItem.batch_id == batch_id)
            ).all()
        )
        assert statuses == {"tenant": "withdrawn", "copy_bailiff": "withdrawn"}
        assert session.get(Case, case_id).letter_sent_at is None


def test_request_letter_resend_plans_one_letter_step_with_an_event(rt: Any, clock: Any) -> None:
    case_id = _batched_case(rt)
    with rt.session() as session:
        case = session.get(Case, case_id)
        with pytest.raises(CaseActionError, match="already on its way"):
            request_letter_resend(session, rt, case, "Ny adresse", "kari")
    # Post the first batch (as staff would), a day later ask for the letter again.
    from outreach.reach.letter.batches import post_batch, render_batch

    with rt.session() as session:
        render_batch(session, rt, _batch_id(rt), pdf=False)
        post_batch(session, rt, _batch_id(rt), actor="kari")
    clock.set(datetime(2026, 12, 2, 11, 0, tzinfo=OSLO))
    with rt.session() as session:
        before = session.scalar(select(func.count()).select_from(Step))
        case = session.get(Case, case_id)
        with pytest.raises(CaseActionError):
            request_letter_resend(session, rt, case, " ", "kari")
        step = request_letter_resend(session, rt, case, "Brevet kom i retur", "kari")
        step_id = step.id
    with rt.session() as session:
        assert session.scalar(select(func.count()).select_from(Step)) == before + 1
        step = session.get(Step, step_id)
        case = session.get(Case, case_id)
        assert (step.rule, step.key, step.channel, step.status) == (
            "letter",
            "letter:resend:1",
            "letter",
            "planned",
        )
        assert step.due_at == rt.now()
        assert step.trigger_id == case.triggers[-1].id
        assert step.deadline_at.astimezone(OSLO) == datetime(2026, 12, 7, 11, 0, tzinfo=OSLO)
        event = session.scalar(select(Event).where(Event.kind == "letter_resend_requested"))
        assert (event.actor, event.step_id, event.data["reason"]) == (
            "kari",
            step_id,
            "Brevet kom i retur",
        )
        first_sent = case.letter_sent_at
    # The tick batches it like any letter; posting it keeps the first letter's clock.
    tick(rt)
    _work(rt)
    with rt.session() as session:
        item = session.scalar(select(PrintItem).where(PrintItem.step_id == step_id))
        assert item is not None and item.status == "queued" and item.audience == "tenant"
        assert session.get(Step, step_id).status == "waiting"
        render_batch(session, rt, item.batch_id, pdf=False)
        post_batch(session, rt, item.batch_id, actor="kari")
    with rt.session() as session:
        assert session.get(Case, case_id).letter_sent_at == first_sent
        assert session.get(Step, step_id).status == "done"
        case = session.get(Case, case_id)
        second = request_letter_resend(session, rt, case, "Ba om brevet igjen", "kari")
        assert second.key == "letter:resend:2"


def test_send_the_letter_now_from_the_case_page(client: Any, rt: Any, kari: int) -> None:
    case_id = _batched_case(rt)
    url = f"/staff/saker/{case_id}"
    page = text_of(client.get(url))
    assert "Send brevet nå" in page
    assert REVIEW in page and "(somali)" in page
    # The first letter is still in the print batch: nothing to send yet.
    assert "ligger allerede i utskriftsbunken" in page
    refused = _post(client, f"{url}/brev/send", {"letter-reason": "Leietaker ba om det"})
    assert refused.status_code == 400
    assert "ligger allerede i utskriftsbunken" in text_of(refused)
    from outreach.reach.letter.batches import post_batch, render_batch

    with rt.session() as session:
        render_batch(session, rt, _batch_id(rt), pdf=False)
        post_batch(session, rt, _batch_id(rt), actor="kari")
    assert "Send brevet på nytt" in text_of(client.get(url))
    empty = _post(client, f"{url}/brev/send", {"letter-reason": ""})
    assert empty.status_code == 400 and "Skriv en begrunnelse." in text_of(empty)
    with rt.session() as session:
        steps = session.scalar(select(func.count()).select_from(Step))
    sent = _post(client, f"{url}/brev/send", {"letter-reason": "Brevet kom i retur"})
    assert sent.status_code == 302
    page = text_of(client.get(sent.headers["Location"]))
    assert "Brevet sendes på nytt" in page
    assert "Brev til leietaker" in page  # what happens next
    twice = _post(client, f"{url}/brev/send", {"letter-reason": "Brevet kom i retur"})
    assert twice.status_code == 400
    with rt.session() as session:
        assert session.scalar(select(func.count()).select_from(Step)) == steps + 1
        step = session.scalar(select(Step).where(Step.key == "letter:resend:1"))
        assert step is not None and step.status == "planned"
        events = session.scalars(select(Event).where(Event.kind == "letter_resend_requested")).all()
        assert [(e.actor, e.data["reason"]) for e in events] == [("kari", "Brevet kom i retur")]
    assert timedelta(0) == step.due_at - rt.now()


# --- the render path re-checks every letter (issue 3) --------------------------------------


def _render_directly(rt: Any, batch_id: int) -> None:
    from outreach.reach.letter import batches as printing

    with rt.session() as session:
        printing.render_batch(session, rt, batch_id)
        session.commit()


def _items(rt: Any, case_id: int) -> dict[str, PrintItem]:
    with rt.session() as session:
        rows = session.scalars(select(PrintItem).where(PrintItem.case_id == case_id)).all()
        return {row.audience: row for row in rows}


def _events(rt: Any, case_id: int, kind: str) -> list[Event]:
    with rt.session() as session:
        return list(
            session.scalars(select(Event).where(Event.case_id == case_id, Event.kind == kind))
        )


def _pdf_text(path: str) -> str:
    import io

    from pypdf import PdfReader

    with open(path, "rb") as fh:
        reader = PdfReader(io.BytesIO(fh.read()))
    return "\n".join(page.extract_text() for page in reader.pages)


FORCED_SALE: dict[str, Any] = {
    "kind": "forced_sale_notice",
    "source": {"type": "court", "name": "Oslo byfogdembete", "reference": "TVA-26-1"},
    "counterpart": {
        "role": "plaintiff",
        "name": "Borettslaget Sølvtoppen",
        "org_number": None,
        "address": {"street": "Postboks 4 Tøyen", "postal_code": "0608", "city": "Oslo"},
    },
}


def test_the_copy_to_the_plaintiff_goes_to_the_plaintiffs_postal_address(rt: Any) -> None:
    from outreach.reach.letter import batches as printing

    case_id = _batched_case(rt, **FORCED_SALE)
    items = _items(rt, case_id)
    assert set(items) == {"tenant", "copy_plaintiff"}
    with rt.session() as session:
        data = printing.letter_data(session, items["copy_plaintiff"], clock_date(rt))
        # Not the court that sent the notice: the plaintiff, with a window address.
        assert (data.recipient.name, data.recipient.street) == (
            "Borettslaget Sølvtoppen",
            "Postboks 4 Tøyen",
        )
        assert (data.recipient.postal_code, data.recipient.city) == ("0608", "Oslo")
        assert data.source_reference == "TVA-26-1"
        tenant = printing.letter_data(session, items["tenant"], clock_date(rt))
        assert tenant.counterpart_name == "Borettslaget Sølvtoppen"
    _render_directly(rt, _batch_id(rt))
    copy = _items(rt, case_id)["copy_plaintiff"]
    assert copy.status == "rendered"
    text = _pdf_text(copy.pdf_path)
    assert "Borettslaget Sølvtoppen" in text and "Postboks 4 Tøyen" in text and "0608" in text
    assert "Deres referanse" in text and "TVA-26-1" in text
    assert "Tøyengata 12" not in text  # the tenant's address is on the tenant's letter only


def clock_date(rt: Any) -> Any:
    return rt.now().astimezone(OSLO).date()


def test_a_copy_without_a_postal_address_is_skipped_not_printed_with_a_name_only(
    rt: Any,
) -> None:
    case_id = _batched_case(rt, source={"address": None})
    assert set(_items(rt, case_id)) == {"tenant"}
    with rt.session() as session:
        copy = session.scalar(
            select(Step).where(Step.case_id == case_id, Step.rule == "copy_bailiff")
        )
        assert copy.status == "skipped" and copy.detail == "no_postal_address"
    [skipped] = _events(rt, case_id, "step_skipped")
    assert skipped.data["reason"] == "no_postal_address" and skipped.data["rule"] == "copy_bailiff"


def test_a_protected_address_set_after_batching_withdraws_the_letter_at_render(rt: Any) -> None:
    case_id = _batched_case(rt)
    with rt.session() as session:
        # Intake learns of the strengt fortrolig adresse while the letter waits in the batch.
        session.get(Case, case_id).person.protected_address = True
        session.commit()
    _render_directly(rt, _batch_id(rt))
    items = _items(rt, case_id)
    assert items["tenant"].status == "withdrawn" and items["tenant"].pdf_path is None
    assert items["copy_bailiff"].status == "rendered"  # says nothing about where the tenant lives
    assert "Tøyengata 12" not in _pdf_text(items["copy_bailiff"].pdf_path)
    [withdrawn] = _events(rt, case_id, "letter_withdrawn")
    assert withdrawn.data["reason"] == "protected_address"
    with rt.session() as session:
        steps = {s.rule: s for s in session.scalars(select(Step).where(Step.case_id == case_id))}
        assert steps["letter"].status == "skipped"
        # The policy's manual letter for the caseworker, as when batching meets the address.
        assert steps["manual_letter"].status == "planned"
        assert steps["manual_letter"].trigger_id == steps["letter"].trigger_id
    tick(rt)
    _work(rt)
    with rt.session() as session:
        from outreach.models import Task

        kinds = session.scalars(select(Task.kind).where(Task.case_id == case_id)).all()
        assert "manual_letter" in kinds


def test_one_letter_without_a_contact_person_is_blocked_and_the_rest_print(rt: Any) -> None:
    from outreach.models import District

    kept = _batched_case(rt)
    blocked = _batched_case(
        rt,
        source={"reference": "NF-2"},
        tenant={"name": "Per Olsen", "birth_date": "1970-01-02", "phone": "+4741234568"},
    )
    assert _batch_id(rt) and len(_items(rt, blocked)) == 2
    user_id = make_user(rt)
    with rt.session() as session:
        # The district's duty contact is gone by the time the batch is printed; one case
        # has its own caseworker with a phone number, the other has nobody.
        district = session.get(District, "030101")
        district.duty_contact_name = ""
        session.get(Case, kept).caseworker_id = user_id
        session.commit()
    _render_directly(rt, _batch_id(rt))
    assert {a: i.status for a, i in _items(rt, kept).items()} == {
        "tenant": "rendered",
        "copy_bailiff": "rendered",
    }
    assert {a: i.status for a, i in _items(rt, blocked).items()} == {
        "tenant": "blocked",
        "copy_bailiff": "blocked",
    }
    events = _events(rt, blocked, "letter_blocked")
    assert sorted(e.data["audience"] for e in events) == ["copy_bailiff", "tenant"]
    assert {e.data["reason"] for e in events} == {"missing_contact_person"}
    with rt.session() as session:
        batch = session.get(PrintBatch, _items(rt, kept)["tenant"].batch_id)
        assert batch.status == "rendered" and batch.pdf_path
        letter = session.scalar(select(Step).where(Step.case_id == blocked, Step.rule == "letter"))
        assert (letter.status, letter.detail) == ("failed", "missing_contact_person")
    assert "Per Olsen" not in _pdf_text(batch.pdf_path)


def test_a_blocked_letter_says_why_on_the_timeline_and_the_print_page(
    client: Any, rt: Any, kari: int
) -> None:
    from outreach.models import Trigger

    case_id = _batched_case(rt)
    with rt.session() as session:
        # The bailiff's address turns out wrong after batching: the copy cannot be posted.
        trigger = session.scalar(select(Trigger).where(Trigger.case_id == case_id))
        trigger.source_street = None
        session.commit()
    _render_directly(rt, _batch_id(rt))
    assert _items(rt, case_id)["copy_bailiff"].status == "blocked"
    [event] = _events(rt, case_id, "letter_blocked")
    assert event.data["reason"] == "no_postal_address"
    page = text_of(client.get(f"/staff/saker/{case_id}"))
    assert "Brevet stoppet" in page
    assert "årsak: mottakeren mangler postadresse" in page
    assert "kontaktperson mangler" not in page
    batch_page = text_of(client.get(PAGE))
    assert "Stoppet" in batch_page and ">blocked<" not in batch_page


def test_the_review_status_is_for_translations_only_and_names_every_language(
    client: Any, rt: Any, kari: int
) -> None:
    """Review, point 6: bokmål is the original; the footnote names each translated language."""
    _batched_case(rt)
    _batched_case(
        rt,
        source={"reference": "NF-2"},
        tenant={"name": "Jan Kowalski", "language": "pl", "birth_date": "1970-02-02"},
    )
    html = text_of(client.get(PAGE))
    rows = html[html.index("<tbody>") : html.index("</tbody>")].split("<tr>")[1:]
    copies = [r for r in rows if "Kopi til namsfogden" in r]
    assert copies and all("maskinutkast" not in r for r in copies)
    tenants = [r for r in rows if "Leietaker" in r]
    assert len(tenants) == 2 and all("maskinutkast, ikke kontrollert" in r for r in tenants)
    footnote = html[html.index(REVIEW) :].split("</p>")[0]
    assert "somali" in footnote and "polsk" in footnote
    assert "bokmål" not in footnote


def test_a_withdrawn_tenant_letter_takes_its_copy_to_the_bailiff_with_it(rt: Any) -> None:
    """Issue 12, item 9: the copy told the bailiff NAV had written to the tenant."""
    case_id = _batched_case(rt)
    with rt.session() as session:
        register_response(session, rt, session.get(Case, case_id), channel="phone", actor="kari")
    items = _items(rt, case_id)
    assert items["tenant"].status == "withdrawn" and items["copy_bailiff"].status == "withdrawn"
    with rt.session() as session:
        copy = session.scalar(
            select(Step).where(Step.case_id == case_id, Step.rule == "copy_bailiff")
        )
        assert copy.status == "cancelled" and copy.detail == "tenant responded"
    reasons = {
        e.data.get("rule"): e.data.get("reason") for e in _events(rt, case_id, "step_cancelled")
    }
    assert reasons["copy_bailiff"] == "tenant responded"
    withdrawn = {e.step_id for e in _events(rt, case_id, "letter_withdrawn")}
    assert withdrawn == {items["tenant"].step_id, items["copy_bailiff"].step_id}


def test_a_copy_goes_when_its_tenant_letter_goes(rt: Any) -> None:
    case_id = _batched_case(rt)
    _render_directly(rt, _batch_id(rt))
    items = _items(rt, case_id)
    assert items["tenant"].status == "rendered" and items["copy_bailiff"].status == "rendered"


MOMENTS = ("before_batching", "in_batch", "after_render", "after_posting", "never")
_PEOPLE = itertools.count(10)


@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(moment=st.sampled_from(MOMENTS))
@example(moment="in_batch")  # the case the old code got wrong (issue 12, item 9)
def test_a_copy_never_goes_without_its_tenant_letter(rt: Any, moment: str) -> None:
    """Whenever the tenant answers, a copy is printed or posted only beside its tenant letter."""
    from outreach.reach.letter import batches

    n = next(_PEOPLE)  # a household of its own for every example
    born = date(1950, 1, 1) + timedelta(days=7 * n)
    tenant = {
        "name": f"Testperson Nummer{n}",
        "birth_date": born.isoformat(),
        "national_id": national_id(born.day, born.month, born.year),
        "phone": None,
    }
    case_id = new_case(rt, tenant=tenant, source={"reference": f"NF-{n}"}).case_id

    def respond(at: str) -> None:
        if moment == at:
            with rt.session() as session:
                register_response(session, rt, session.get(Case, case_id), channel="phone")

    respond("before_batching")
    tick(rt)
    _work(rt)
    respond("in_batch")
    batch_ids = {i.batch_id for i in _items(rt, case_id).values()}
    for batch_id in batch_ids:
        _render_directly(rt, batch_id)
    respond("after_render")
    for batch_id in batch_ids:
        with rt.session() as session:
            batches.post_batch(session, rt, batch_id, actor="kari")
    respond("after_posting")
    items = _items(rt, case_id)
    gone = {"rendered", "posted"}
    if "copy_bailiff" in items and items["copy_bailiff"].status in gone:
        assert items["tenant"].status in gone, (moment, items)


def test_closing_a_case_cancels_each_step_once(rt: Any) -> None:
    """A copy cancelled with its tenant letter is not cancelled a second time by the close."""
    from collections import Counter

    from outreach.cases.response import close_case

    case_id = _batched_case(rt)
    with rt.session() as session:
        close_case(session, rt, session.get(Case, case_id), outcome="paid", actor="kari")
    counts = Counter(e.step_id for e in _events(rt, case_id, "step_cancelled"))
    assert counts and max(counts.values()) == 1, counts
