"""How many codes may be tried: per browser, and per address with a much higher ceiling.

Within 15 minutes a browser (a random id in its booking session) may try 10
codes, and one client address 100 together. People behind one address (a
shelter's wifi, a mobile operator's NAT) do not lock each other out: a
neighbour's ten wrong codes use up the neighbour's browser, not the tenant's
(issue 13, item 10). A guesser who throws the cookie away gets a fresh
browser on every try and meets the address ceiling instead.

Why brute force stays infeasible: a code is 8 characters from 30 (30^8 ≈
6.6e11, ``reach.letter.codes``); codes live six weeks, so even 10,000 live
codes (several times Oslo's petitions and forced sales in that time) make a
single guess right with odds 10,000 / 6.6e11 ≈ 1.5e-8. One address gets at
most 100 guesses per 15 minutes, 9,600 a day: about 1.5e-4 hits a day, one
in some 18 years. Guessing from many addresses shows as the global alarm
(300 wrong codes in the window) for operators to act on.

Counted *before* the code is checked, so parallel guesses cannot slip past
the limit (a success gives its try back but does not reset the count). The
failures of everyone together are an alarm (a log line and a metric), not a
lockout: a lockout for all would let one guesser lock every tenant out.
"""

from __future__ import annotations

import hashlib
import logging
from datetime import timedelta
from typing import TYPE_CHECKING

from outreach.runtime import Runtime

if TYPE_CHECKING:
    from prometheus_client import CollectorRegistry

#: Tries tolerated per browser within ``FAIL_WINDOW``; beyond that the
#: browser gets 429 until the window passes.
FAILS_PER_BROWSER = 10

#: Tries tolerated per client address within ``FAIL_WINDOW`` from all its
#: browsers together: ten neighbours' worth of typos, far too few to guess.
FAILS_PER_CLIENT = 100

log = logging.getLogger(__name__)


#: Wrong codes from everyone together within the window that raise the alarm
#: (``booking_guessing_alarm`` in the log, ``outreach_booking_guessing_alarm``).
FAILS_GLOBAL = 300


FAIL_WINDOW = timedelta(minutes=15)


def _client_key(rt: Runtime, client: str) -> str:
    digest = hashlib.sha256(f"booking:{client}".encode()).hexdigest()[:32]
    return f"{rt.settings.redis_namespace}:booking-fail:client:{digest}"


def _browser_key(rt: Runtime, browser: str) -> str:
    digest = hashlib.sha256(f"booking-browser:{browser}".encode()).hexdigest()[:32]
    return f"{rt.settings.redis_namespace}:booking-fail:browser:{digest}"


def _global_key(rt: Runtime) -> str:
    return f"{rt.settings.redis_namespace}:booking-fail:all"


def _total_key(rt: Runtime) -> str:
    return f"{rt.settings.redis_namespace}:booking-fail:total"


def _incr_in_window(rt: Runtime, key: str, *extra: str) -> int:
    """INCR with the window set on the first count, in one MULTI/EXEC (atomic)."""
    pipe = rt.redis().pipeline(transaction=True)
    pipe.incr(key)
    pipe.expire(key, int(FAIL_WINDOW.total_seconds()), nx=True)
    for other in extra:
        pipe.incr(other)
    return int(pipe.execute()[0])


def take_try(rt: Runtime, client: str, browser: str) -> bool:
    """Count a try from this browser and address before its code is checked; False: refused.

    Increment first, then compare: of parallel guesses past a limit each sees
    its own counts, so no more than ``FAILS_PER_BROWSER`` per browser and
    ``FAILS_PER_CLIENT`` per address get through. Raises whatever Redis
    raises: the caller refuses rather than drop the limit.
    """
    window = int(FAIL_WINDOW.total_seconds())
    pipe = rt.redis().pipeline(transaction=True)
    for key in (_browser_key(rt, browser), _client_key(rt, client)):
        pipe.incr(key)
        pipe.expire(key, window, nx=True)
    by_browser, _, by_client, _ = pipe.execute()
    return int(by_browser) <= FAILS_PER_BROWSER and int(by_client) <= FAILS_PER_CLIENT


def give_back_try(rt: Runtime, client: str, browser: str) -> None:
    """The code was right: its try was no failure (the earlier failures still count)."""
    window = int(FAIL_WINDOW.total_seconds())
    pipe = rt.redis().pipeline(transaction=True)
    for key in (_browser_key(rt, browser), _client_key(rt, client)):
        pipe.decr(key)
        pipe.expire(key, window, nx=True)
    pipe.execute()


def note_failure(rt: Runtime) -> int:
    """Count a wrong code among everyone's; at ``FAILS_GLOBAL`` in the window, the alarm.

    Logged once per window (when the count reaches the threshold); the count
    and the alarm are on ``/metrics``. Nobody is locked out by it.
    """
    count = _incr_in_window(rt, _global_key(rt), _total_key(rt))
    if count == FAILS_GLOBAL:
        log.warning(
            "booking_guessing_alarm: %d wrong booking codes from all addresses within %d minutes",
            count,
            int(FAIL_WINDOW.total_seconds() // 60),
        )
    return count


def add_metrics(rt: Runtime, registry: CollectorRegistry) -> None:
    """The guessing counters for ``/metrics`` (``outreach.web.health``)."""
    from prometheus_client import Counter, Gauge

    try:
        values = rt.redis().mget([_global_key(rt), _total_key(rt)])
    except Exception:  # /metrics still answers; /healthz reports Redis
        log.warning("booking metrics left out: Redis unreachable")
        return
    window, total = (int(v or 0) for v in values)
    Gauge(
        "outreach_booking_code_failures_window",
        "Wrong booking codes from all addresses in the current 15-minute window",
        registry=registry,
    ).set(window)
    Gauge(
        "outreach_booking_guessing_alarm",
        "1 while wrong booking codes in the window are at or above the alarm threshold",
        registry=registry,
    ).set(1 if window >= FAILS_GLOBAL else 0)
    Counter(
        "outreach_booking_code_failures",
        "Wrong booking codes from all addresses since the counter was created",
        registry=registry,
    ).inc(total)
