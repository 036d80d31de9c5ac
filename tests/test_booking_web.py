"""The booking page over HTTP: no login, CSRF, the guessing limit, nothing revealed."""

from __future__ import annotations

import re
import statistics
import time
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from outreach.inbound.booking import limits, slots
from outreach.models import Case, Event, Task
from outreach.models.booking import BookingAppointment
from outreach.reach.letter import codes
from tests.test_booking import issue, new_case

_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture(autouse=True)
def _fresh_guess_counters(rt: Any) -> Iterator[None]:
    """The counters outlive a test (Redis is shared, not flushed): start and end clean."""

    def clear() -> None:
        keys = rt.redis().keys(f"{rt.settings.redis_namespace}:booking-fail:*")
        if keys:
            rt.redis().delete(*keys)

    clear()
    yield
    clear()


def token(client: Any, url: str = "/b") -> str:
    match = _TOKEN.search(client.get(url).get_data(as_text=True))
    assert match, "no CSRF token on the page"
    return match.group(1)


def enter(client: Any, code: str, **environ: Any) -> Any:
    return client.post(
        "/b",
        data={"csrf_token": token(client), "code": code},
        environ_overrides=environ or None,
    )


def text(response: Any) -> str:
    return str(response.get_data(as_text=True))


def without_token(html: str) -> str:
    return _TOKEN.sub('name="csrf_token" value=""', html)


def test_code_page_needs_no_login_and_forms_need_csrf(client: Any, rt: Any) -> None:
    page = client.get("/b", headers={"Accept-Language": "nb-NO,nb;q=0.9"})
    assert page.status_code == 200
    html = text(page)
    assert 'lang="nb"' in html and 'dir="ltr"' in html
    assert "Skriv koden fra brevet ditt." in html
    assert "<script" not in html
    assert page.headers["Cache-Control"] == "no-store"
    assert "script-src" not in page.headers["Content-Security-Policy"]  # none allowed
    case_id = new_case(rt)
    code = issue(rt, case_id)
    refused = client.post("/b", data={"code": code})
    assert refused.status_code == 400
    assert client.get("/b").status_code == 200 and "csrf" not in text(refused).lower()
    # Even a verified browser cannot answer without the token.
    assert enter(client, code).status_code == 303
    assert client.post("/b/sorted", data={}).status_code == 400
    with rt.session() as session:
        assert "booking_sorted" not in session.scalars(select(Event.kind)).all()


def test_wrong_unknown_and_expired_codes_look_the_same(client: Any, rt: Any, clock: Any) -> None:
    case_id = new_case(rt)
    expired = issue(rt, case_id)
    clock.set(clock.at + codes.CODE_VALID_FOR + timedelta(days=1))
    bodies, timings = {}, {}
    for label, code in (("unknown", "ABCD-2345"), ("expired", expired)):
        spent = []
        for i in range(4):
            started = time.perf_counter()
            response = enter(client, code, REMOTE_ADDR=f"10.0.{len(bodies)}.{i}")
            spent.append(time.perf_counter() - started)
            assert response.status_code == 400
        bodies[label] = without_token(text(response))
        timings[label] = statistics.median(spent)
    assert bodies["unknown"] == bodies["expired"]
    assert "Vi fant ikke denne koden" in bodies["unknown"]
    assert abs(timings["unknown"] - timings["expired"]) < 0.05


def test_guessing_is_limited_per_browser(app: Any, client: Any, rt: Any) -> None:
    case_id = new_case(rt)
    code = issue(rt, case_id)
    for i in range(limits.FAILS_PER_BROWSER):
        assert enter(client, f"ABCD-{2345 + i}", REMOTE_ADDR="10.1.1.1").status_code == 400
    limited = enter(client, code, REMOTE_ADDR="10.1.1.1")  # even the right code now
    assert limited.status_code == 429
    assert limited.headers["Retry-After"] == "900"
    assert "For mange forsøk" in text(limited)
    # The counters live in Redis under this deployment's namespace, keyed by
    # hashes of the address and the browser's id.
    namespace = rt.settings.redis_namespace
    assert namespace != "outreach"  # each test run has its own: nothing shared by accident
    keys = {k.decode() for k in rt.redis().keys(f"{namespace}:booking-fail:*")}
    assert limits._client_key(rt, "10.1.1.1") in keys
    assert {f"{namespace}:booking-fail:all", f"{namespace}:booking-fail:total"} <= keys
    assert len([k for k in keys if ":booking-fail:browser:" in k]) == 1
    assert limits._client_key(rt, "10.1.1.1").startswith(f"{namespace}:booking-fail:client:")
    assert not any("10.1.1.1" in k for k in keys)
    # Another browser is still let in, at this address or another.
    assert enter(app.test_client(), code, REMOTE_ADDR="10.1.1.2").status_code == 303


def test_a_neighbours_wrong_codes_do_not_lock_out_a_tenant_behind_the_same_address(
    app: Any, rt: Any
) -> None:
    """Issue 13, item 10: ten wrong codes from a shared address (one NAT) locked out
    the tenant with the right code; now only the guessing browser is refused."""
    code = issue(rt, new_case(rt))
    neighbour, tenant = app.test_client(), app.test_client()
    for i in range(limits.FAILS_PER_BROWSER):
        assert enter(neighbour, f"ABCD-{2345 + i}", REMOTE_ADDR="10.5.5.5").status_code == 400
    assert enter(neighbour, "ABCD-9999", REMOTE_ADDR="10.5.5.5").status_code == 429
    assert enter(tenant, code, REMOTE_ADDR="10.5.5.5").status_code == 303


def test_an_address_has_a_ceiling_over_all_its_browsers(app: Any, rt: Any) -> None:
    """A guesser who drops the cookie gets a fresh browser each try, and meets the ceiling."""
    code = issue(rt, new_case(rt))
    # Just below the ceiling (set directly: a hundred requests are slow).
    rt.redis().set(limits._client_key(rt, "10.6.6.6"), limits.FAILS_PER_CLIENT - 1, ex=60)
    assert enter(app.test_client(), "ABCD-2345", REMOTE_ADDR="10.6.6.6").status_code == 400
    assert enter(app.test_client(), code, REMOTE_ADDR="10.6.6.6").status_code == 429


def test_a_right_code_gives_its_try_back_but_does_not_reset_the_count(client: Any, rt: Any) -> None:
    code = issue(rt, new_case(rt))
    for i in range(limits.FAILS_PER_BROWSER - 1):
        assert enter(client, f"ABCD-{2345 + i}", REMOTE_ADDR="10.1.2.1").status_code == 400
    for _ in range(3):  # the tenant comes back with the right code: never locked out by it
        assert enter(client, code, REMOTE_ADDR="10.1.2.1").status_code == 303
    assert enter(client, "ABCD-9999", REMOTE_ADDR="10.1.2.1").status_code == 400
    assert enter(client, code, REMOTE_ADDR="10.1.2.1").status_code == 429


def test_parallel_guesses_never_pass_the_limits(rt: Any) -> None:
    """Increment-then-check in one transaction: each try sees its own counts."""
    from concurrent.futures import ThreadPoolExecutor

    tries = 5 * limits.FAILS_PER_BROWSER
    with ThreadPoolExecutor(max_workers=16) as pool:
        allowed = list(pool.map(lambda _: limits.take_try(rt, "10.9.9.9", "b1"), range(tries)))
    assert allowed.count(True) == limits.FAILS_PER_BROWSER
    ttl = rt.redis().ttl(limits._client_key(rt, "10.9.9.9"))
    assert 0 < ttl <= limits.FAIL_WINDOW.total_seconds()
    tries = 2 * limits.FAILS_PER_CLIENT
    with ThreadPoolExecutor(max_workers=16) as pool:
        fresh = list(pool.map(lambda n: limits.take_try(rt, "10.9.9.8", f"fresh{n}"), range(tries)))
    assert fresh.count(True) == limits.FAILS_PER_CLIENT


def test_everyones_failures_raise_an_alarm_not_a_lockout(client: Any, rt: Any, caplog: Any) -> None:
    import logging

    code = issue(rt, new_case(rt))
    # Just below the alarm, from many addresses (set directly: 300 requests are slow).
    rt.redis().set(limits._global_key(rt), limits.FAILS_GLOBAL - 2, ex=60)
    with caplog.at_level(logging.WARNING, logger="outreach.booking"):
        assert enter(client, "ABCD-2345", REMOTE_ADDR="10.2.0.1").status_code == 400
        assert not [r for r in caplog.records if "booking_guessing_alarm" in r.message]
        assert enter(client, "ABCD-2346", REMOTE_ADDR="10.2.0.2").status_code == 400
        assert enter(client, "ABCD-2347", REMOTE_ADDR="10.2.0.3").status_code == 400
    alarms = [r for r in caplog.records if "booking_guessing_alarm" in r.message]
    assert len(alarms) == 1  # once per window
    assert "10.2.0" not in alarms[0].getMessage()
    # Nobody is locked out by it: the tenant with the right code gets in.
    assert enter(client, code, REMOTE_ADDR="10.2.0.4").status_code == 303
    metrics = text(client.get("/metrics"))
    assert f"outreach_booking_code_failures_window {limits.FAILS_GLOBAL + 1}.0" in metrics
    assert "outreach_booking_guessing_alarm 1.0" in metrics
    assert "outreach_booking_code_failures_total 3.0" in metrics


def test_page_shows_times_and_office_but_nothing_about_the_case(client: Any, rt: Any) -> None:
    case_id = new_case(rt, language="ar")
    code = issue(rt, case_id)
    assert enter(client, code).status_code == 303
    html = text(client.get("/b"))
    assert 'lang="ar"' in html and 'dir="rtl"' in html
    assert "احجز هذا الموعد" in html  # "Book this time", in the tenant's language
    assert "NAV Gamle Oslo" in html and "Hagegata 28" in html  # the office
    assert html.count('name="slot"') == slots.DAYS_AHEAD * 6
    with rt.session() as session:
        case = session.get(Case, case_id)
        trigger = case.triggers[0]
        facts = [
            case.reference,
            case.person.name,
            *case.person.name.split(),
            case.person.street,
            case.person.phone,
            trigger.source_name,
            "38500",
            "38 500",
            "38,500",
            "namsfogd",
            "utkast",
            "eviction",
            "Kari",  # the duty contact's name
        ]
    for fact in facts:
        assert fact not in html, fact
    # Norwegian and English are one tap away; the tenant's own language comes back.
    english = client.get("/b?lang=en", follow_redirects=True)
    assert "What would you like to do?" in text(english)
    assert "?lang=ar" in text(english)


def test_booking_through_the_page(client: Any, rt: Any) -> None:
    first = new_case(rt, language="nb")
    second = new_case(rt, "NF-2", name="Ola Nordmann", birth_date="1970-01-01", language="nb")
    code = issue(rt, first)
    enter(client, code)
    page = text(client.get("/b"))
    slot = re.search(r'name="slot" value="([^"]+)"', page).group(1)
    csrf = _TOKEN.search(page).group(1)
    done = client.post("/b/slot", data={"csrf_token": csrf, "slot": slot})
    assert done.status_code == 303 and done.headers["Location"].endswith("/b/done")
    confirmation = text(client.get("/b/done"))
    assert "Avtalen din er" in confirmation and "Hagegata 28" in confirmation
    # The other tenant is not offered the time, and cannot take it by posting it.
    client.post("/b/end", data={"csrf_token": csrf})
    enter(client, issue(rt, second))
    page = text(client.get("/b"))
    assert f'value="{slot}"' not in page
    taken = client.post("/b/slot", data={"csrf_token": csrf, "slot": slot})
    assert taken.status_code == 409
    assert "Noen andre har akkurat tatt dette tidspunktet" in text(taken)
    with rt.session() as session:
        assert len(session.scalars(select(BookingAppointment)).all()) == 1


def test_call_me_through_the_page_makes_a_task(client: Any, rt: Any) -> None:
    case_id = new_case(rt, language="en")
    enter(client, issue(rt, case_id))
    csrf = token(client)
    bad = client.post("/b/call", data={"csrf_token": csrf, "when": "any", "phone": "abc"})
    assert bad.status_code == 400 and "Check the phone number" in text(bad)
    ok = client.post("/b/call", data={"csrf_token": csrf, "when": "afternoon", "phone": ""})
    assert ok.status_code == 303
    assert "We will call you as soon as we can." in text(client.get("/b/done"))
    with rt.session() as session:
        task = session.scalars(select(Task).where(Task.kind == "phone_call")).one()
        assert task.status == "open" and task.case_id == case_id
        assert session.get(Case, case_id).ladder_state == "responded"


def test_verified_code_times_out_and_finish_forgets_it(client: Any, rt: Any, clock: Any) -> None:
    case_id = new_case(rt)
    enter(client, issue(rt, case_id))
    assert 'name="slot"' in text(client.get("/b"))
    csrf = token(client)
    ended = client.post("/b/end", data={"csrf_token": csrf})
    assert ended.status_code == 200
    assert 'name="code"' in text(client.get("/b"))
    enter(client, issue(rt, case_id))
    clock.set(clock.at + timedelta(minutes=31))
    assert 'name="code"' in text(client.get("/b"))
