"""The case page and its actions, district isolation, CSRF on every form, the access log."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from outreach.cases.flags import raise_flag
from outreach.models import Case, Event, Flag, Step, Task
from outreach.models.staff import CaseAccess, CaseNote, FollowUpItem
from outreach.workdays import parse_offset
from tests.test_staff_support import csrf_token, login, make_user, new_case, search, text_of


@pytest.fixture
def kari(client: Any, rt: Any) -> int:
    user_id = make_user(rt)
    assert login(client).status_code == 302
    return user_id


def _flag(rt: Any, case_id: int, kind: str = "child_welfare_assessment") -> int:
    with rt.session() as session:
        case = session.get(Case, case_id)
        flag = raise_flag(session, rt, case, kind, rt.now(), parse_offset("2wd"))
        assert flag is not None
        return int(flag.id)


def _open_steps(rt: Any, case_id: int) -> list[str]:
    with rt.session() as session:
        return sorted(
            session.scalars(
                select(Step.rule).where(
                    Step.case_id == case_id, Step.status.in_(("planned", "queued"))
                )
            )
        )


def _post(client: Any, url: str, data: dict[str, Any], page: str) -> Any:
    return client.post(url, data={"csrf_token": csrf_token(client, page), **data})


def test_case_page_shows_household_next_steps_and_timeline(client: Any, rt: Any, kari: int) -> None:
    result = new_case(rt)
    page = client.get(f"/staff/saker/{result.case_id}?via=queue")
    assert page.status_code == 200
    html = text_of(page)
    assert "Amina Hassan" in html
    assert "2 barn: 4, 9 år" in html
    assert "somali" in html
    # What happens next, in Norwegian, with the date and the "unless" clause.
    assert "Brev til leietaker" in html
    assert "tirsdag 1. desember 10:00" in html
    assert "med mindre vi hører fra leietakeren" in html
    # The timeline: human labels, newest first.
    timeline = html[html.index("Tidslinje") :]
    assert timeline.index("Planlagt: Brev til leietaker") < timeline.index("Melding mottatt")
    assert timeline.index("Melding mottatt") < timeline.index("Sak opprettet")
    assert "fra Oslo namsfogdkontor" in timeline
    with rt.session() as session:
        row = session.scalar(select(CaseAccess))
        assert (row.action, row.case_id, row.purpose, row.district_code) == (
            "view",
            result.case_id,
            "queue",
            "030101",
        )


def test_other_districts_case_is_404_everywhere(client: Any, rt: Any) -> None:
    make_user(rt, "nils", districts="030102")
    login(client, "nils")
    result = new_case(rt)
    flag_id = _flag(rt, result.case_id)
    with rt.session() as session:
        task = Task(
            case_id=result.case_id,
            kind="phone_call",
            title="Ring",
            district_code="030101",
            due_at=rt.now(),
            status="open",
        )
        session.add(task)
        session.flush()
        task_id = task.id
    case = f"/staff/saker/{result.case_id}"
    assert client.get(case).status_code == 404
    assert "Fant ikke siden" in text_of(client.get(case))
    assert client.get(f"{case}/brev.pdf").status_code == 404
    assert client.get(f"{case}/dokumenter/1").status_code == 404
    for url in (
        f"{case}/kontakt",
        f"{case}/notat",
        f"{case}/videresend",
        f"{case}/pause",
        f"{case}/fortsett",
        f"{case}/avslutt",
        f"{case}/kontaktopplysninger",
        f"{case}/gjenapne",
        f"{case}/oppfolging",
        f"{case}/ta",
        f"/staff/vurderinger/{flag_id}",
        f"/staff/oppgaver/{task_id}",
    ):
        assert (
            _post(
                client, url, {"contact-channel": "phone", "note-text": "x"}, "/staff/"
            ).status_code
            == 404
        ), url
    # Naming another caseworker is the lead's (outreach.permissions): refused for the
    # role before any case is looked at, so the 403 says nothing about this one.
    assert _post(client, f"{case}/saksbehandler", {}, "/staff/").status_code == 403
    assert "Amina" not in text_of(client.get("/staff/"))
    assert "Amina Hassan" not in text_of(search(client, "Amina"))
    assert _open_steps(rt, result.case_id)  # nothing was stopped


def test_every_staff_form_rejects_a_missing_or_wrong_csrf_token(
    client: Any, rt: Any, kari: int, app: Any
) -> None:
    result = new_case(rt)
    flag_id = _flag(rt, result.case_id)
    case = f"/staff/saker/{result.case_id}"
    with rt.session() as session:
        item = FollowUpItem(
            case_id=result.case_id,
            kind="debt_counselling",
            due_on=rt.now().date(),
            owner_id=kari,
            status="open",
        )
        task = Task(
            case_id=result.case_id,
            kind="phone_call",
            title="Ring",
            district_code="030101",
            due_at=rt.now(),
            status="open",
        )
        session.add_all([item, task])
        session.flush()
        item_id, task_id = item.id, task.id
    urls = {
        "staff.login": "/staff/logg-inn",
        "staff.print_render": "/staff/utskrift/1/lag-pdf",
        "staff.print_post": "/staff/utskrift/1/postlagt",
        "staff.letter_resend": f"{case}/brev/send",
        "staff.landlord_copy_request": f"{case}/kopi-utleier",
        "staff.logout": "/staff/logg-ut",
        "staff.search": "/staff/sok",
        "staff.set_language": "/staff/sprak",
        "staff.intake": "/staff/ny",
        "staff.register_contact": f"{case}/kontakt",
        "staff.add_note": f"{case}/notat",
        "staff.forward": f"{case}/videresend",
        "staff.pause": f"{case}/pause",
        "staff.resume": f"{case}/fortsett",
        "staff.correct_contact": f"{case}/kontaktopplysninger",
        "staff.reopen": f"{case}/gjenapne",
        "staff.record_mapping": f"{case}/kartlegging",
        "staff.mark_system_failure": f"{case}/systemsvikt",
        "staff.close": f"{case}/avslutt",
        "staff.add_followup": f"{case}/oppfolging",
        "staff.decide": f"/staff/vurderinger/{flag_id}",
        "staff.complete_followup": f"/staff/oppfolging/{item_id}/utfort",
        "staff.task_outcome": f"/staff/oppgaver/{task_id}",
        "staff.move_visit": "/staff/besok/1/flytt",
        "staff.cancel_visit": "/staff/besok/1/avlys",
        "staff.take_case": f"{case}/ta",
        "staff.assign_caseworker": f"{case}/saksbehandler",
        "staff.add_case_document": f"{case}/dokument",
        "staff.decide_match_review": "/staff/dobbeltsjekk/1",
        "staff.attach_inbound": "/staff/sms-svar/1/knytt",
        "staff.dismiss_inbound": "/staff/sms-svar/1/avvis",
        "staff.register_reservation": f"{case}/reservasjoner",
        "staff.withdraw_reservation": f"{case}/reservasjoner/1/trekk",
        "staff.change_landlord_status": "/staff/utleiere/1/status",
        "staff.import_bailiff_file": "/staff/statistikk/import/namsmannen",
        "staff.import_population_file": "/staff/statistikk/import/befolkning",
    }
    posting = {
        r.endpoint
        for r in app.url_map.iter_rules()
        if r.endpoint.startswith("staff.") and "POST" in r.methods
    }
    assert posting == set(urls), "every staff form is covered here"
    with rt.session() as session:
        events_before = session.scalar(select(func.count()).select_from(Event))
    for endpoint, url in urls.items():
        for token in (None, "not-a-token"):
            data = {
                "channel": "phone",
                "text": "note",
                "outcome": "paid",
                "reason": "a long enough reason",
                "decision": "no_report",
                "lang": "en",
                "username": "kari",
                "password": "x" * 12,
            }
            if token:
                data["csrf_token"] = token
            response = client.post(url, data=data)
            assert response.status_code == 400, (endpoint, token, response.status_code)
            assert "Skjemaet er utløpt" in text_of(response)
    with rt.session() as session:
        assert session.scalar(select(func.count()).select_from(Event)) == events_before
        assert session.get(Case, result.case_id).status == "open"
        assert session.get(Flag, flag_id).status == "open"
    assert client.get("/staff/").status_code == 200  # still logged in, still Norwegian
    assert "Saker i kø" in text_of(client.get("/staff/"))


def test_register_contact_cancels_pending_steps(client: Any, rt: Any, kari: int) -> None:
    result = new_case(rt)
    assert _open_steps(rt, result.case_id) == ["copy_bailiff", "letter", "letter_overdue_check"]
    case = f"/staff/saker/{result.case_id}"
    bad = _post(client, f"{case}/kontakt", {"contact-channel": "pigeon"}, case)
    assert bad.status_code == 400
    response = _post(
        client, f"{case}/kontakt", {"contact-channel": "phone", "contact-note": "Ringte selv"}, case
    )
    assert response.status_code == 302
    page = text_of(client.get(response.headers["Location"]))
    assert "Kontakt registrert. 1 planlagt steg er stoppet." in page
    assert "Kontakt med leietaker registrert" in page
    assert "Ringte selv" in page
    # The deadline check does not stop on a response (policy); the copy to the
    # bailiff goes with the tenant letter it copies (issue 12, item 9).
    assert _open_steps(rt, result.case_id) == ["letter_overdue_check"]


def test_note_is_kept_apart_from_the_timeline_event(client: Any, rt: Any, kari: int) -> None:
    result = new_case(rt)
    case = f"/staff/saker/{result.case_id}"
    assert _post(client, f"{case}/notat", {"note-text": ""}, case).status_code == 400
    assert (
        _post(
            client, f"{case}/notat", {"note-text": "Snakket med utleier om utsettelse."}, case
        ).status_code
        == 302
    )
    with rt.session() as session:
        note = session.scalar(select(CaseNote))
        event = session.scalar(select(Event).where(Event.kind == "note_added"))
        assert note.text == "Snakket med utleier om utsettelse."
        assert event.data == {"note_id": note.id} and event.actor == "kari"
    assert "Snakket med utleier om utsettelse." in text_of(client.get(case))


def test_forward_moves_the_case_and_its_access(client: Any, rt: Any, kari: int) -> None:
    result = new_case(rt)
    case = f"/staff/saker/{result.case_id}"
    assert (
        _post(
            client, f"{case}/videresend", {"forward-district": "030102", "forward-reason": ""}, case
        ).status_code
        == 400
    )
    response = _post(
        client,
        f"{case}/videresend",
        {"forward-district": "030102", "forward-reason": "Aktiv sak i Grünerløkka"},
        case,
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/staff/")
    assert client.get(case).status_code == 404
    with rt.session() as session:
        assert session.get(Case, result.case_id).district_code == "030102"
        event = session.scalar(select(Event).where(Event.kind == "forwarded"))
        assert event.data["to_district"] == "030102" and event.actor == "kari"


def test_decide_flag_with_reason(client: Any, rt: Any, kari: int) -> None:
    result = new_case(rt)
    flag_id = _flag(rt, result.case_id)
    case = f"/staff/saker/{result.case_id}"
    html = text_of(client.get(case))
    assert "Vurdering: melding til barneverntjenesten" in html
    assert "barnevernsloven § 13-2" in html  # the threshold is shown
    prefix = f"flag{flag_id}-"
    # Decided by the named caseworker (or the lead): Kari takes the case first.
    assert _post(client, f"{case}/ta", {}, case).status_code == 302
    short = _post(
        client,
        f"/staff/vurderinger/{flag_id}",
        {prefix + "decision": "no_report", prefix + "reason": "kort"},
        case,
    )
    assert short.status_code == 400
    assert "Skriv minst 10 tegn." in text_of(short)
    response = _post(
        client,
        f"/staff/vurderinger/{flag_id}",
        {
            prefix + "decision": "no_report",
            prefix + "reason": "Familien har fått midlertidig bolig; ingen bekymring.",
        },
        case,
    )
    assert response.status_code == 302
    with rt.session() as session:
        flag = session.get(Flag, flag_id)
        assert (flag.status, flag.decision, flag.decided_by) == ("decided", "no_report", kari)
    page = text_of(client.get(case))
    assert "Vurdering besluttet" in page and "Ikke melding" in page


def test_pause_and_resume_the_ladder(client: Any, rt: Any, kari: int, clock: Any) -> None:
    result = new_case(rt)
    case = f"/staff/saker/{result.case_id}"
    assert _post(client, f"{case}/pause", {"pause-reason": ""}, case).status_code == 400
    response = _post(
        client, f"{case}/pause", {"pause-reason": "Verge følger opp denne uken."}, case
    )
    assert response.status_code == 302
    # A pause stops contact attempts, not the letter duty (issue 12, item 11).
    assert _open_steps(rt, result.case_id) == ["copy_bailiff", "letter", "letter_overdue_check"]
    page = text_of(client.get(case))
    assert "Kontaktstigen satt på pause" in page and "Verge følger opp denne uken." in page
    clock.set(clock() + timedelta(days=1))
    login(client)
    assert _post(client, f"{case}/fortsett", {}, case).status_code == 302
    with rt.session() as session:
        assert session.get(Case, result.case_id).status == "open"
        letter = session.scalar(
            select(Step).where(Step.case_id == result.case_id, Step.rule == "letter")
        )
        assert letter.status == "planned"  # never paused
        copy = session.scalar(
            select(Step).where(Step.case_id == result.case_id, Step.rule == "copy_bailiff")
        )
        assert copy.status == "planned"
    assert "Kontaktstigen startet igjen" in text_of(client.get(case))


def test_close_with_outcome(client: Any, rt: Any, kari: int) -> None:
    result = new_case(rt)
    case = f"/staff/saker/{result.case_id}"
    assert _post(client, f"{case}/avslutt", {"close-outcome": ""}, case).status_code == 400
    assert (
        _post(
            client,
            f"{case}/avslutt",
            {"close-outcome": "payment_plan", "close-note": "Avtale med utleier"},
            case,
        ).status_code
        == 302
    )
    assert _open_steps(rt, result.case_id) == []
    page = text_of(client.get(case))
    assert "Avsluttet: Nedbetalingsavtale inngått" in page
    assert "Avtale med utleier" in page


def test_follow_up_plan_with_date_and_owner(client: Any, rt: Any, kari: int) -> None:
    result = new_case(rt)
    case = f"/staff/saker/{result.case_id}"
    assert (
        _post(
            client,
            f"{case}/oppfolging",
            {"followup-kind": "refinancing", "followup-due_on": "", "followup-owner": str(kari)},
            case,
        ).status_code
        == 400
    )
    response = _post(
        client,
        f"{case}/oppfolging",
        {
            "followup-kind": "debt_counselling",
            "followup-due_on": "2026-12-08",
            "followup-owner": str(kari),
        },
        case,
    )
    assert response.status_code == 302
    with rt.session() as session:
        item = session.scalar(select(FollowUpItem))
        assert (item.kind, item.due_on.isoformat(), item.owner_id) == (
            "debt_counselling",
            "2026-12-08",
            kari,
        )
    my_work = text_of(client.get("/staff/mitt-arbeid"))
    assert "Gjeldsrådgivning" in my_work
    assert _post(client, f"/staff/oppfolging/{item.id}/utfort", {}, case).status_code == 302
    with rt.session() as session:
        assert session.get(FollowUpItem, item.id).status == "done"
    assert "Oppfølgingstiltak utført" in text_of(client.get(case))


def test_task_outcome_from_my_work(client: Any, rt: Any, kari: int) -> None:
    result = new_case(rt)
    with rt.session() as session:
        task = Task(
            case_id=result.case_id,
            kind="phone_call",
            title="Ring",
            district_code="030101",
            assignee_role="caseworker",
            due_at=rt.now() - timedelta(hours=1),
            status="open",
        )
        session.add(task)
        session.flush()
        task_id = task.id
    page = text_of(client.get("/staff/mitt-arbeid"))
    assert "Ring leietaker" in page and "over frist" in page
    prefix = f"task{task_id}-"
    response = _post(
        client,
        f"/staff/oppgaver/{task_id}",
        {prefix + "outcome": "reached", "back": "my_work"},
        "/staff/mitt-arbeid",
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/staff/mitt-arbeid")
    assert _open_steps(rt, result.case_id) == ["letter_overdue_check"]  # reached = response


def test_search_is_logged_without_the_query_and_shown_to_the_lead(
    client: Any, rt: Any, kari: int
) -> None:
    result = new_case(rt)
    page = text_of(search(client, "hassan", "inquiry"))
    assert "1 treff på søket." in page and "Amina Hassan" in page
    client.get(f"/staff/saker/{result.case_id}?via=search")
    assert client.get("/staff/leder/tilgangslogg").status_code == 403
    with rt.session() as session:
        rows = session.scalars(select(CaseAccess).order_by(CaseAccess.id)).all()
        assert [(r.action, r.purpose, r.query_kind, r.hits) for r in rows] == [
            ("search", "inquiry", "name", 1),
            ("view", "search", None, None),
        ]
    make_user(rt, "lead", roles="caseworker,district_lead")
    lead = client.application.test_client()
    login(lead, "lead")
    log_page = text_of(lead.get("/staff/leder/tilgangslogg"))
    assert "Søkte på navn (1 treff)" in log_page
    assert "Henvendelse fra personen" in log_page
    assert re.search(r"Åpnet sak OUT-2026-0+1", log_page)
    assert "hassan" not in log_page.lower().replace("amina hassan", "")


def test_lead_overview_lists_letters_due_and_undecided_flags(
    client: Any, rt: Any, clock: Any
) -> None:
    make_user(rt, "lead", roles="caseworker,district_lead")
    result = new_case(rt)
    _flag(rt, result.case_id)
    clock.set(clock() + timedelta(days=7))  # past the three working days
    login(client, "lead")
    page = text_of(client.get("/staff/leder"))
    assert "Brev til leietaker" in page and "passert" in page
    assert "Vurdering: melding til barneverntjenesten" in page
    queue = text_of(client.get("/staff/"))
    assert "Brev over frist" in queue


def test_every_id_on_the_case_page_is_unique(client: Any, rt: Any, kari: int) -> None:
    """Each label names its own field (WCAG 1.3.1): no two elements share an id."""
    result = new_case(rt)
    _flag(rt, result.case_id)
    with rt.session() as session:
        session.add(
            Task(
                case_id=result.case_id,
                kind="phone_call",
                title="Ring",
                district_code="030101",
                due_at=rt.now(),
                status="open",
            )
        )
    html = text_of(client.get(f"/staff/saker/{result.case_id}"))
    ids = re.findall(r'\sid="([^"]+)"', html)
    assert len(ids) > 20
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    assert duplicates == []
    # Every label points at an element that exists.
    for target in re.findall(r'<label[^>]*\sfor="([^"]+)"', html):
        assert target in ids, target


def test_lead_overview_lists_only_letters_whose_deadline_is_today_or_past(
    client: Any, rt: Any, clock: Any
) -> None:
    """Review, point 5: a letter with its deadline on Friday is not "to be sent today"."""
    from datetime import datetime

    from rq import Queue, SimpleWorker

    from outreach.jobs.tick import tick
    from tests.conftest import OSLO

    make_user(rt, "lead", roles="caseworker,district_lead")
    new_case(rt)  # received Tuesday 1 December 10:00; deadline Friday 4 December 10:00
    clock.set(datetime(2026, 12, 1, 15, 0, tzinfo=OSLO))
    tick(rt)
    SimpleWorker(
        [Queue(rt.settings.queue_name, connection=rt.redis())], connection=rt.redis()
    ).work(burst=True)
    login(client, "lead")
    page = text_of(client.get("/staff/leder"))
    assert "Ingen brev med frist i dag." in page
    clock.set(datetime(2026, 12, 4, 8, 0, tzinfo=OSLO))
    login(client, "lead")
    page = text_of(client.get("/staff/leder"))
    section = page[page.index("Brev som må sendes i dag") : page.index("Steg over frist</h2>")]
    assert "Brev til leietaker" in section
    assert "I bunken" in section and "venter" not in section  # the print page's words
