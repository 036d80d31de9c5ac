"""The tenant's booking page under ``/b`` (issue 4): no login, a code from the letter.

Server-rendered, no JavaScript, one small inline stylesheet: it must work on a
cheap phone. Text comes from the tenants' ``messages`` catalogs (the letters'
gettext domain) in the case's language once the code is known, before that in
the browser's language; Norwegian and English are always one tap away, and
right-to-left languages get ``dir="rtl"``.

Flow: ``GET /b`` asks for the code; ``POST /b`` checks it (rate-limited in
Redis) and remembers the code's row id – never the code – in the signed
session cookie for ``VERIFIED_FOR``; the three answers are POSTs that each call
one action in ``outreach.inbound.booking`` and commit, then redirect to ``/b/done``.
Every POST carries a CSRF token, checked for this blueprint like the staff
blueprint does (``validate_csrf`` in ``before_request``).

What the page shows: the office (name, address, phone) and free times. Never
the tenant's name, the case, the sender of the notice, an amount or a date of
eviction – someone else may be holding the letter.
"""

from __future__ import annotations

import functools
import logging
import secrets
from collections.abc import Callable
from datetime import datetime, timedelta
from itertools import groupby
from typing import Any
from zoneinfo import ZoneInfo

from flask import (
    Blueprint,
    Response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_wtf.csrf import CSRFError, generate_csrf, validate_csrf
from markupsafe import Markup, escape
from wtforms.validators import ValidationError

from outreach.cases.errors import CaseActionError
from outreach.inbound.booking import answers as booking_answers
from outreach.inbound.booking import limits
from outreach.inbound.booking import slots as booking_slots
from outreach.models import Case
from outreach.models.booking import BookingAppointment, BookingCode
from outreach.permissions import Audience, open_to
from outreach.reach.letter import codes
from outreach.web.context import db_session, rt

log = logging.getLogger("outreach.booking")
OSLO = ZoneInfo("Europe/Oslo")

bp = Blueprint("booking", __name__, url_prefix="/b")

SESSION_KEY = "booking"
DONE_KEY = "booking_done"
LANG_KEY = "booking_lang"
BROWSER_KEY = "booking_browser"
#: How long a typed code stays good in this browser: long enough to read and
#: choose, short enough for a shared or borrowed phone.
VERIFIED_FOR = timedelta(minutes=30)
#: The page's own two languages besides the tenant's (issue 4: Norwegian and English).
SWITCH_LANGUAGES = ("nb", "en")

# Content-Security-Policy: no scripts at all, styles only inline, forms only to us.
_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)


@functools.cache
def _i18n() -> Any:
    # Imported on first use: ``outreach.letters`` pulls in WeasyPrint. The
    # compiled catalogs are build products; compile any that are stale.
    from outreach.letters import i18n

    i18n.ensure_compiled()
    return i18n


# --- the verified code in this browser --------------------------------------------------


def _verified() -> BookingCode | None:
    data = session.get(SESSION_KEY)
    if not isinstance(data, dict):
        return None
    try:
        code_id, since = int(data["id"]), float(data["at"])
    except (KeyError, TypeError, ValueError):
        return None
    if rt().now().timestamp() - since > VERIFIED_FOR.total_seconds():
        session.pop(SESSION_KEY, None)
        return None
    code = codes.active_code(db_session(), rt(), code_id)
    if code is None:
        session.pop(SESSION_KEY, None)
    return code


def _case(code: BookingCode | None) -> Case | None:
    return db_session().get(Case, code.case_id) if code is not None else None


# --- language ---------------------------------------------------------------------------


def _language(case: Case | None) -> str:
    i18n = _i18n()
    chosen = session.get(LANG_KEY)
    if chosen in i18n.LANGUAGES:
        return str(chosen)
    own = _own_language(case)
    if own is not None:
        return own
    aliases = {"no": "nb", "nb": "nb", "nn": "nn", "fa-AF": "prs", "prs": "prs"}
    best = request.accept_languages.best_match([*i18n.LANGUAGES, "no", "fa-AF"], default="nb")
    return aliases.get(best, best if best in i18n.LANGUAGES else "nb")


def _gettext(language: str) -> Callable[..., str]:
    translations = _i18n().translations(language)

    def gettext(msgid: str, **values: Any) -> str:
        text: str = translations.gettext(msgid)
        # Values are escaped unless they are markup of ours (a time kept whole).
        return escape(text) % values if values else text

    return gettext


def _isolate(text: str, *, whole: bool = False) -> Markup:
    """A date or time as its own bidi run; ``whole`` keeps "9:00 ص" on one line."""
    # Constant markup; ``%`` escapes the text (markupsafe).
    template = '<bdi class="nw">%s</bdi>' if whole else "<bdi>%s</bdi>"
    return Markup(template) % text  # noqa: S704


def _phone(number: str) -> str:
    """``+4721000101`` -> ``+47 21 00 01 01``: easier to read and to type into a phone."""
    digits = number.removeprefix("+47")
    if number.startswith("+47") and len(digits) == 8 and digits.isdigit():
        return "+47 " + " ".join(digits[i : i + 2] for i in range(0, 8, 2))
    return number


def _own_language(case: Case | None) -> str | None:
    """The tenant's catalog: the person keeps a full BCP 47 tag (``ar-SY``)."""
    from outreach.identity import nearest_language

    if case is None:
        return None
    return nearest_language(case.person.language, _i18n().LANGUAGES)


def _page(template: str, case: Case | None, status: int = 200, **context: Any) -> Any:
    i18n = _i18n()
    language = _language(case)
    others = [lang for lang in SWITCH_LANGUAGES if lang != language]
    own = _own_language(case)
    if own is not None and own != language and own not in others:
        others.insert(0, own)
    district = case.district if case is not None else None
    html = render_template(
        f"booking/{template}",
        _=_gettext(language),
        gettext=_gettext(language),
        lang=language,
        html_lang="fa-AF" if language == "prs" else language,
        dir="rtl" if i18n.is_rtl(language) else "ltr",
        switch=[(lang, i18n.language_name(lang)) for lang in others],
        all_languages=[(lang, i18n.language_name(lang)) for lang in i18n.LANGUAGES],
        office=district,
        fmt_day=lambda at: _isolate(i18n.fmt_weekday_date(at.astimezone(OSLO), language)),
        fmt_time=lambda at: _isolate(i18n.fmt_time(at.astimezone(OSLO), language), whole=True),
        fmt_clock=lambda t: _isolate(
            i18n.fmt_time(datetime.combine(rt().now().date(), t, OSLO), language), whole=True
        ),
        fmt_phone=_phone,
        csrf_token=generate_csrf,
        here=request.path if request.method == "GET" else url_for("booking.start"),
        **context,
    )
    return Response(html, status=status, mimetype="text/html")


@bp.before_request
def _before() -> Any:
    if request.method == "POST":
        try:
            validate_csrf(request.form.get("csrf_token"))
        except ValidationError as exc:
            raise CSRFError(str(exc)) from exc
        return None
    lang = request.args.get("lang")
    if lang is not None:
        if lang in _i18n().LANGUAGES:
            session[LANG_KEY] = lang
        return redirect(request.path, code=303)
    return None


@bp.after_request
def _headers(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = _CSP
    return response


@bp.errorhandler(CSRFError)
def _csrf_error(_exc: CSRFError) -> Any:
    return _page("message.html", None, 400, message="expired_form")


# --- pages ------------------------------------------------------------------------------


def _code_page(error: str | None = None, status: int = 200) -> Any:
    return _page("code.html", None, status, error=error)


def _choices_page(code: BookingCode, error: str | None = None, status: int = 200) -> Any:
    s = db_session()
    case = _case(code)
    assert case is not None
    appointment = booking_slots.current_appointment(s, case.id)
    slots = [] if appointment else booking_slots.offered_slots(s, rt(), case)
    days = [(day, list(items)) for day, items in groupby(slots, key=lambda x: x.local.date())]
    return _page(
        "choices.html",
        case,
        status,
        error=error,
        appointment=appointment,
        days=days,
        call_times=booking_answers.CALL_TIMES,
        call_windows=booking_answers.CALL_WINDOWS,
        form=request.form if error else {},
    )


@bp.get("")
@open_to(Audience.TENANT)
def start() -> Any:
    code = _verified()
    if code is None:
        return _code_page()
    return _choices_page(code)


@bp.post("")
@open_to(Audience.TENANT)
def enter_code() -> Any:
    client = request.remote_addr or "unknown"
    typed = request.form.get("code", "")
    if not typed.strip():
        return _code_page("code_missing", 400)
    browser = _browser_id()
    try:
        allowed = limits.take_try(rt(), client, browser)
    except Exception:  # Redis unreachable: refuse rather than drop the limit
        log.exception("booking code refused: the rate-limit store is unreachable")
        return _code_page("unavailable", 503)
    if not allowed:
        log.warning("booking code refused: too many tries from this browser or address")
        response = _code_page("too_many", 429)
        response.headers["Retry-After"] = str(int(limits.FAIL_WINDOW.total_seconds()))
        return response
    s = db_session()
    code = codes.verify_code(s, rt(), typed)
    if code is None:
        s.rollback()
        limits.note_failure(rt())
        log.info("booking code not accepted")
        return _code_page("code_wrong", 400)
    s.commit()
    limits.give_back_try(rt(), client, browser)
    session.pop(DONE_KEY, None)
    session[SESSION_KEY] = {"id": code.id, "at": rt().now().timestamp()}
    log.info("booking code accepted code_id=%s", code.id)
    return redirect(url_for("booking.start"), code=303)


def _browser_id() -> str:
    """A random id for this browser's booking session: the unit of the guessing
    limit (``inbound.booking.limits``), so people behind one address keep apart."""
    browser = session.get(BROWSER_KEY)
    if not isinstance(browser, str) or not browser:
        browser = secrets.token_urlsafe(16)
        session[BROWSER_KEY] = browser
    return browser


def _answer(action: Callable[[BookingCode], dict[str, Any]]) -> Any:
    code = _verified()
    if code is None:
        return _code_page("session_expired", 400)
    s = db_session()
    try:
        done = action(code)
    except booking_answers.BookingError as exc:
        s.rollback()
        status = 409 if exc.reason in {"taken", "already_booked"} else 400
        return _choices_page(code, exc.reason, status)
    except CaseActionError:  # the case closed in the meantime
        s.rollback()
        session.pop(SESSION_KEY, None)
        return _code_page("session_expired", 400)
    s.commit()
    session[DONE_KEY] = done
    return redirect(url_for("booking.done"), code=303)


@bp.post("/slot")
@open_to(Audience.TENANT)
def book_slot() -> Any:
    def action(code: BookingCode) -> dict[str, Any]:
        starts_at = booking_slots.parse_slot(request.form.get("slot", ""))
        if starts_at is None:
            raise booking_answers.BookingError("choose_slot")
        appointment = booking_answers.book_slot(db_session(), rt(), code, starts_at)
        log.info("booking: appointment booked code_id=%s", code.id)
        return {"kind": "appointment", "id": appointment.id}

    return _answer(action)


@bp.post("/call")
@open_to(Audience.TENANT)
def call_me() -> Any:
    def action(code: BookingCode) -> dict[str, Any]:
        when = request.form.get("when", "any")
        booking_answers.request_call(
            db_session(), rt(), code, when=when, phone=request.form.get("phone", "")[:40]
        )
        log.info("booking: call requested code_id=%s", code.id)
        return {"kind": "call", "when": when}

    return _answer(action)


@bp.post("/sorted")
@open_to(Audience.TENANT)
def sorted_out() -> Any:
    def action(code: BookingCode) -> dict[str, Any]:
        booking_answers.report_sorted(db_session(), rt(), code)
        log.info("booking: reported sorted code_id=%s", code.id)
        return {"kind": "sorted"}

    return _answer(action)


@bp.get("/done")
@open_to(Audience.TENANT)
def done() -> Any:
    code = _verified()
    data = session.get(DONE_KEY)
    if code is None or not isinstance(data, dict):
        return redirect(url_for("booking.start"), code=303)
    appointment = None
    if data.get("kind") == "appointment":
        appointment = db_session().get(BookingAppointment, int(data.get("id") or 0))
        if appointment is None or appointment.case_id != code.case_id:
            return redirect(url_for("booking.start"), code=303)
    return _page(
        "done.html",
        _case(code),
        kind=data.get("kind"),
        appointment=appointment,
        when=data.get("when"),
        call_windows=booking_answers.CALL_WINDOWS,
    )


@bp.post("/end")
@open_to(Audience.TENANT)
def end() -> Any:
    """Forget the code in this browser (a borrowed phone, a library computer)."""
    session.pop(SESSION_KEY, None)
    session.pop(DONE_KEY, None)
    return _page("message.html", None, message="ended")
