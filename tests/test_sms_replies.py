"""What the SMS texts ask for and what a reply does; RTL isolation; one segment
counter; the pacing rate checked at start-up (issue 4 audit 6-9)."""

from __future__ import annotations

import re
import tomllib
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from channels.segments import count_segments
from outreach.config import ConfigError, load_settings
from outreach.inbound.keywords import DIGITS
from outreach.inbound.sms_replies import REPLY_TASK_TITLES, receive_sms
from outreach.letters import i18n
from outreach.messages import LRI, PDI, render_sms, sms_length
from outreach.models import Attempt, Task
from outreach.models.booking import BookingAppointment
from outreach.policy import DEFAULT_POLICY, PolicyError, parse_policy
from tests.test_jobs import _sms_ready, steps, work
from tests.test_sms_steps import add_sms_step, attempts_of, case_events, get_step

OSLO = ZoneInfo("Europe/Oslo")
TENANT_PHONE = "+4741234567"

OFFER = (
    "Hello from %(office)s. We would like to talk with you about your housing and can meet "
    "you on %(when)s. Reply 2 to confirm the appointment, or call %(phone)s."
)
FIRST = (
    "Hello from %(office)s. We would like to talk with you about your housing. "
    "Reply 1 and we will call you, or call %(phone)s."
)
REMINDER = (
    "Hello again from %(office)s. We would still like to talk with you about your housing. "
    "Reply 1 and we will call you, or call %(phone)s."
)


def _digits(text: str) -> set[str]:
    without_placeholders = re.sub(r"%\(\w+\)s", "", text)
    return {str(int(c)) for c in without_placeholders if c.isdigit()}


@pytest.mark.parametrize("language", sorted(i18n.LANGUAGES))
def test_every_catalog_asks_for_the_digit_the_reply_parser_reads(language: str) -> None:
    gettext = i18n.translations(language).gettext
    assert gettext(OFFER) != OFFER or language in ("en",), "appointment offer untranslated"
    assert _digits(gettext(OFFER)) == {"2"}
    assert _digits(gettext(FIRST)) == {"1"}
    assert _digits(gettext(REMINDER)) == {"1"}
    assert DIGITS == {"1": "call_me", "2": "appointment"}


# -- a reply to an appointment offer ---------------------------------------------------


def _with_offer_rule(rt: Any) -> None:
    document = tomllib.loads(DEFAULT_POLICY.read_text(encoding="utf-8"))
    document["rule"].append(
        {
            "name": "appointment_offer",
            "channel": "sms",
            "purpose": "appointment_offer",
            "anchor": "appointment_booked",
            "per": "case",
            "offset": "0",
            "window": "sms",
        }
    )
    rt.policy = parse_policy(document, source="test")


def _offer_sent(rt: Any, clock: Any) -> tuple[int, datetime]:
    _with_offer_rule(rt)
    case_id = _sms_ready(rt, clock)
    with rt.session() as s:
        for step in steps(rt, case_id).values():
            if step.rule == "sms":
                s.merge(step).status = "cancelled"  # only the offer is sent here
        s.commit()
    when = datetime(2026, 12, 11, 10, 0, tzinfo=OSLO)
    step_id = add_sms_step(rt, case_id, "appointment_offer", "offer:1", when=when.isoformat())
    from outreach.jobs.tick import tick

    tick(rt)
    work(rt)
    assert get_step(rt, step_id).status == "done"
    (attempt,) = attempts_of(rt, step_id)
    assert "Svar 2 for å bekrefte" in attempt.content, attempt.content  # the Norwegian half
    return case_id, when


def _reply(rt: Any, body: str) -> Any:
    session = rt.new_session()
    try:
        return receive_sms(session, rt, message_sid="SMreply", from_number=TENANT_PHONE, body=body)
    finally:
        session.close()


def _tasks(rt: Any, case_id: int) -> list[Task]:
    with rt.session() as s:
        return list(
            s.scalars(
                select(Task).where(Task.case_id == case_id, Task.kind == "sms_reply_followup")
            )
        )


def _appointments(rt: Any, case_id: int) -> list[BookingAppointment]:
    with rt.session() as s:
        return list(
            s.scalars(select(BookingAppointment).where(BookingAppointment.case_id == case_id))
        )


def test_a_2_reply_to_an_appointment_offer_books_the_offered_time(rt: Any, clock: Any) -> None:
    case_id, when = _offer_sent(rt, clock)
    clock.set(clock() + timedelta(minutes=20))
    result = _reply(rt, "2")
    assert result.outcome == "response"
    (appointment,) = _appointments(rt, case_id)
    assert appointment.starts_at == when and appointment.status == "booked"
    booked = [e.data for e in case_events(rt, case_id, "booking_appointment")]
    assert booked and booked[0]["starts_at"] == when.isoformat()
    assert [t.title for t in _tasks(rt, case_id)] == [REPLY_TASK_TITLES["appointment_booked"]]


def test_a_1_reply_to_an_appointment_offer_asks_for_a_call(rt: Any, clock: Any) -> None:
    case_id, _when = _offer_sent(rt, clock)
    result = _reply(rt, "1")
    assert result.outcome == "response"
    assert _appointments(rt, case_id) == []
    assert [t.title for t in _tasks(rt, case_id)] == [REPLY_TASK_TITLES["call_me"]]


def test_a_2_reply_to_a_first_contact_asks_for_an_appointment_but_books_nothing(
    rt: Any, clock: Any
) -> None:
    case_id = _sms_ready(rt, clock)
    from outreach.jobs.tick import tick

    tick(rt)
    work(rt)
    _reply(rt, "2")
    assert _appointments(rt, case_id) == []
    assert [t.title for t in _tasks(rt, case_id)] == [REPLY_TASK_TITLES["appointment"]]


def _policy_with(rule: dict[str, Any]) -> None:
    document = tomllib.loads(DEFAULT_POLICY.read_text(encoding="utf-8"))
    document["rule"].append(
        {"name": "extra", "channel": "sms", "per": "case", "offset": "0", **rule}
    )
    parse_policy(document, source="test")


def test_the_policy_refuses_an_sms_purpose_without_a_template() -> None:
    with pytest.raises(
        PolicyError, match=re.escape("extra.purpose: unknown SMS purpose 'appointment'")
    ):
        _policy_with({"purpose": "appointment", "anchor": "letter_sent"})


def test_the_policy_refuses_a_timed_purpose_the_planner_cannot_give_a_time() -> None:
    with pytest.raises(PolicyError, match="names a time"):
        _policy_with({"purpose": "appointment_offer", "anchor": "letter_sent"})
    _policy_with({"purpose": "reminder", "anchor": "letter_sent"})  # needs no time


# -- right-to-left ---------------------------------------------------------------------


@pytest.mark.parametrize("language", ["ar", "fa", "ur"])
def test_rtl_sms_isolate_the_phone_number_and_the_time(language: str) -> None:
    when = datetime(2026, 12, 9, 10, 0, tzinfo=OSLO)
    sms = render_sms(
        "visit_notice",
        language,
        contact_phone="+47 55 55 33 33",
        office_name="NAV Gamle Oslo",
        when=when,
    )
    own = sms.text.split("\n\n")[0]
    assert f"{LRI}+47 55 55 33 33{PDI}" in own
    assert own.count(LRI) == own.count(PDI) == 2  # the number and the time
    # The isolates are counted: UCS-2, one unit each.
    assert sms.length.encoding == "UCS-2"
    assert sms.length.units == len(sms.text.encode("utf-16-le")) // 2
    assert sms.length == count_segments(sms.text)


def test_ltr_sms_carry_no_isolates_and_stay_gsm7() -> None:
    sms = render_sms(
        "first_contact", "nb", contact_phone="+47 55 55 33 33", office_name="NAV Gamle Oslo"
    )
    assert LRI not in sms.text and PDI not in sms.text
    assert sms.length.encoding == "GSM-7"


# -- one segment counter ---------------------------------------------------------------


def test_outreach_counts_segments_with_the_channels_counter() -> None:
    assert sms_length is count_segments
    # At a part's edge an escape pair is never split: 152 plain + "€" needs 3 parts.
    text = "a" * 152 + "€" + "a" * 153
    assert sms_length(text).segments == 3


def test_the_outbox_records_segments_too(rt: Any, clock: Any) -> None:
    case_id = _sms_ready(rt, clock)
    from outreach.jobs.tick import tick

    tick(rt)
    work(rt)
    with rt.session() as s:
        (attempt,) = s.scalars(
            select(Attempt).where(Attempt.step_id == steps(rt, case_id)["sms"].id)
        ).all()
    assert attempt.segments is not None
    assert attempt.segments == count_segments(attempt.content).segments


# -- the pacing rate -------------------------------------------------------------------


@pytest.mark.parametrize("raw", ["fast", "0", "-1", "nan", "inf"])
def test_a_bad_sms_rate_is_refused_at_start_up(raw: str) -> None:
    with pytest.raises(ConfigError, match="SMS_RATE_PER_SECOND"):
        load_settings({"SMS_RATE_PER_SECOND": raw})


def test_a_good_sms_rate_is_accepted() -> None:
    assert (
        load_settings({"SMS_RATE_PER_SECOND": "2.5"}).provider_settings["SMS_RATE_PER_SECOND"]
        == "2.5"
    )
