"""Every branch of the ladder, through the real engine on a virtual clock.

``simulate`` runs intake, the planner, the step jobs and the outbox channels
exactly as production does; only the clock is virtual and human tasks go
unanswered unless a response is given.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from outreach.config import Settings
from outreach.simulate import simulate
from tests.factories import BOLIGBYGG, BOLIGBYGG_COUNTERPART, trigger

OSLO = ZoneInfo("Europe/Oslo")


@pytest.fixture
def sim_settings(tmp_path: Path) -> Settings:
    return Settings(env="test", var_dir=tmp_path, testing=True)


def run(settings: Settings, doc: dict[str, Any], **kw: Any) -> list[dict[str, Any]]:
    return simulate(settings, doc, **kw)


def at(events: list[dict[str, Any]], name: str, **match: Any) -> list[datetime]:
    return [
        datetime.fromisoformat(e["at"])
        for e in events
        if e["event"] == name and all(e.get(k) == v for k, v in match.items())
    ]


def names(events: list[dict[str, Any]]) -> list[str]:
    return [e["event"] for e in events]


def oslo(*args: int) -> datetime:
    return datetime(*args, tzinfo=OSLO)


def test_family_that_never_answers_walks_the_whole_ladder(sim_settings: Settings) -> None:
    events = run(sim_settings, trigger())  # received Tue 1 Dec 2026 10:00
    # The letter joins the day's print batch, which is posted at 16:00.
    assert at(events, "letter_batched") == [oslo(2026, 12, 1, 10, 0)] * 2
    assert at(events, "letter_sent") == [oslo(2026, 12, 1, 16, 0)]
    assert at(events, "letter_copy_sent") == [oslo(2026, 12, 1, 16, 0)]  # to the bailiff
    # One week after the letter was posted: SMS (inside the SMS window) and a
    # phone task (in working hours, so the next morning).
    assert at(events, "sms_sent", rule="sms") == [oslo(2026, 12, 8, 16, 0)]
    assert at(events, "phone_task_created") == [oslo(2026, 12, 9, 8, 0)]
    # No answer: two more tries on the next working days, at other times of day.
    assert at(events, "phone_task_outcome", outcome="no_answer") == [
        oslo(2026, 12, 9, 8, 0),
        oslo(2026, 12, 10, 14, 30),
        oslo(2026, 12, 11, 11, 30),
    ]
    # Two working days after contact attempts began: a home visit is planned.
    assert at(events, "home_visit_scheduled") == [oslo(2026, 12, 11, 8, 0)]
    visit = next(e for e in events if e["event"] == "home_visit_scheduled")
    assert datetime.fromisoformat(visit["scheduled_for"]) == oslo(2026, 12, 14, 10, 0)
    # The tenant is told of the visit by SMS (first minute of the SMS window).
    assert at(events, "sms_sent", rule="visit_notice")[0] == oslo(2026, 12, 11, 9, 0)
    # Not home: a contact card, and exactly one more visit the next working day.
    booked = [e["starts_at"] for e in events if e["event"] == "visit_booked"]
    assert [datetime.fromisoformat(b) for b in booked] == [
        oslo(2026, 12, 14, 10, 0),
        oslo(2026, 12, 15, 10, 0),
    ]
    assert len(at(events, "contact_card_left")) == 2
    # Seven days after step 3 began, unreachable: a child welfare *assessment*.
    unreachable = oslo(2026, 12, 15, 16, 0)
    assert at(events, "unreachable") == [unreachable]
    assert at(events, "flag_raised", flag="child_welfare_assessment") == [unreachable]
    assert at(events, "flag_raised", flag="special_followup") == []
    # Undecided after two working days: raised to the district lead.
    overdue = oslo(2026, 12, 17, 16, 0)
    assert at(events, "flag_overdue", flag="child_welfare_assessment") == [overdue]
    assert "letter_overdue" not in names(events)
    assert "report_sent" not in " ".join(names(events))  # nothing is reported by the system


def test_no_phone_skips_sms_and_call_and_moves_the_visit_forward(sim_settings: Settings) -> None:
    doc = trigger()
    doc["tenant"].pop("phone")
    events = run(sim_settings, doc)
    skipped = [e for e in events if e["event"] == "step_skipped"]
    assert {(e["rule"], e["reason"]) for e in skipped} == {
        ("sms", "no phone number"),
        ("phone_task", "no phone number"),
    }
    assert "sms_sent" not in names(events)
    assert "step_failed" not in names(events)  # a skip is not a failure
    # The visit does not wait two more working days for a rung that could not run.
    assert at(events, "home_visit_scheduled") == [oslo(2026, 12, 9, 8, 0)]


def test_landline_is_not_texted(sim_settings: Settings) -> None:
    events = run(sim_settings, trigger(tenant={"phone": "+4722222222"}))
    assert ("sms", "not a mobile number") in {
        (e.get("rule"), e.get("reason")) for e in events if e["event"] == "step_skipped"
    }
    assert at(events, "phone_task_created") == [oslo(2026, 12, 9, 8, 0)]


def test_elderly_tenant_gets_special_followup_not_child_welfare(sim_settings: Settings) -> None:
    doc = trigger(tenant={"birth_date": "1950-03-01"}, household={"children": [], "adults": 1})
    events = run(sim_settings, doc)
    assert at(events, "flag_raised", flag="special_followup") == [oslo(2026, 12, 15, 16, 0)]
    assert at(events, "flag_raised", flag="child_welfare_assessment") == []


def test_adult_household_unreachable_raises_no_flag(sim_settings: Settings) -> None:
    doc = trigger(household={"children": [19], "adults": 2})
    events = run(sim_settings, doc)
    assert at(events, "unreachable") == [oslo(2026, 12, 15, 16, 0)]
    assert "flag_raised" not in names(events)


def test_active_client_elsewhere_is_forwarded_and_assessed_at_once(sim_settings: Settings) -> None:
    doc = trigger(client={"status": "active", "district": "030105"})
    events = run(sim_settings, doc, days=1)
    forward = next(e for e in events if e["event"] == "forwarded")
    assert forward["to_district"] == "030105"
    assert next(e for e in events if e["event"] == "routed")["district"] == "030105"
    tasks = [e for e in events if e["event"] == "task_created"]
    assert [t["task_kind"] for t in tasks] == ["assess_followup"]
    assert at(events, "task_created") == [oslo(2026, 12, 1, 10, 0)]


def test_passive_client_elsewhere_follows_the_address(sim_settings: Settings) -> None:
    events = run(sim_settings, trigger(client={"status": "passive", "district": "030105"}), days=1)
    transfer = next(e for e in events if e["event"] == "client_file_transfer")
    assert (transfer["from_district"], transfer["to_district"]) == ("030105", "030101")
    assert next(e for e in events if e["event"] == "routed")["district"] == "030101"


def test_crisis_compresses_the_ladder_to_finish_before_the_eviction(sim_settings: Settings) -> None:
    doc = trigger(eviction_date="2026-12-09")  # six working days after receipt
    events = run(sim_settings, doc, days=10)
    assert at(events, "crisis") == [oslo(2026, 12, 1, 10, 0)]
    # Letter, SMS and phone task at once; visit within two working days.
    assert at(events, "sms_sent", rule="sms") == [oslo(2026, 12, 1, 10, 0)]
    assert at(events, "phone_task_created") == [oslo(2026, 12, 1, 10, 0)]
    visit = next(e for e in events if e["event"] == "home_visit_scheduled")
    assert datetime.fromisoformat(visit["scheduled_for"]) <= oslo(2026, 12, 3, 15, 30)
    flags = at(events, "flag_raised", flag="child_welfare_assessment")
    assert flags and flags[0] < oslo(2026, 12, 4, 0, 0)  # three working days before the 9th


def test_crisis_flags_as_soon_as_attempts_fail(sim_settings: Settings) -> None:
    """Rule 6: eviction on Mon 7 Dec, received Tue 1 Dec. The normal crisis
    offset would raise the flag on Thu 3 Dec, two working days before; the
    visit that finds nobody home on Wed 2 Dec pulls the check forward so the
    ladder ends at least three working days before the eviction."""
    from outreach.workdays import WorkCalendar

    events = run(sim_settings, trigger(eviction_date="2026-12-07"), days=8)
    assert at(events, "crisis") == [oslo(2026, 12, 1, 10, 0)]
    not_home = at(events, "home_visit_outcome", outcome="not_home")
    [flag] = at(events, "flag_raised", flag="child_welfare_assessment")
    assert flag == not_home[0] == oslo(2026, 12, 2, 10, 0)
    rescheduled = [e for e in events if e["event"] == "step_rescheduled"]
    assert [e["reason"] for e in rescheduled if e["rule"] == "unreachable_check"] == [
        "crisis: contact attempts failed"
    ]
    three_before = WorkCalendar().add_working_days(oslo(2026, 12, 7, 0, 0), -3)
    assert flag.date() <= three_before.date()


def test_far_eviction_date_is_no_crisis(sim_settings: Settings) -> None:
    events = run(sim_settings, trigger(eviction_date="2027-02-15"), days=3)
    assert "crisis" not in names(events)


@pytest.mark.parametrize(
    ("respond_at", "sent", "not_sent"),
    [
        # After the letter, before the SMS: nothing more goes out.
        (
            oslo(2026, 12, 3, 12, 0),
            ["letter_sent"],
            ["sms_sent", "phone_task_created", "home_visit_scheduled", "flag_raised"],
        ),
        # After SMS and call, before the visit.
        (
            oslo(2026, 12, 9, 12, 0),
            ["sms_sent", "phone_task_created"],
            ["home_visit_scheduled", "flag_raised"],
        ),
        # After the visit was planned, before the unreachable check.
        (oslo(2026, 12, 14, 12, 0), ["home_visit_scheduled"], ["unreachable", "flag_raised"]),
    ],
    ids=["after-letter", "after-sms", "after-visit"],
)
def test_a_response_stops_the_ladder_at_every_stage(
    sim_settings: Settings, respond_at: datetime, sent: list[str], not_sent: list[str]
) -> None:
    events = run(sim_settings, trigger(), respond_at=respond_at)
    assert at(events, "response_registered") == [respond_at]
    for name in sent:
        assert name in names(events)
    after = [e["event"] for e in events if datetime.fromisoformat(e["at"]) > respond_at]
    for name in not_sent:
        assert name not in after, (name, after)
    cancelled = [e for e in events if e["event"] == "step_cancelled"]
    assert cancelled and all(e["reason"] == "tenant responded" for e in cancelled)


def test_sms_waits_for_the_sending_window(sim_settings: Settings) -> None:
    events = run(sim_settings, trigger(received_at="2026-12-17T10:00:00+01:00"), days=12)
    assert at(events, "letter_sent") == [oslo(2026, 12, 17, 16, 0)]
    # A week later is Christmas Eve, a closed day: the first allowed minute
    # is Monday 28 December at 09:00.
    assert at(events, "sms_sent", rule="sms") == [oslo(2026, 12, 28, 9, 0)]


def test_letter_received_after_posting_goes_out_the_next_working_day(
    sim_settings: Settings,
) -> None:
    events = run(sim_settings, trigger(received_at="2026-12-04T17:45:00+01:00"), days=4)
    assert at(events, "letter_sent") == [oslo(2026, 12, 7, 16, 0)]  # Friday evening -> Monday


def test_letter_deadline_counts_working_days_across_christmas(sim_settings: Settings) -> None:
    events = run(sim_settings, trigger(received_at="2026-12-23T11:00:00+01:00"), days=1)
    planned = [
        e for e in events if e["event"] == "step_planned" and e["rule"] == "letter_overdue_check"
    ]
    # 24, 25, 26, 27 Dec are not working days (24 Dec is an office closure).
    assert datetime.fromisoformat(planned[0]["due_at"]) == oslo(2026, 12, 30, 11, 0)


def test_eviction_completed_asks_for_a_review_not_letters(sim_settings: Settings) -> None:
    doc = trigger(
        kind="eviction_completed",
        source={"type": "municipal_landlord", "name": "Boligbygg Oslo KF"},
    )
    events = run(sim_settings, doc)
    assert [e["task_kind"] for e in events if e["event"] == "task_created"] == ["eviction_review"]
    assert "letter_sent" not in names(events)
    assert "sms_sent" not in names(events)


CONTACT_EVENTS = ["sms_sent", "phone_task_created", "home_visit_scheduled", "flag_raised"]


@pytest.mark.parametrize("kind", ["eviction_completed", "lacks_capacity"])
def test_an_eviction_date_already_past_is_no_crisis_and_runs_no_contact_ladder(
    sim_settings: Settings, kind: str
) -> None:
    """Issue 2 audit: an eviction carried out yesterday got SMS, three calls,
    two visits at the old address and a child welfare flag. 000 gives these
    notices their own routine: a review, or the district medical officer."""
    doc = trigger(
        kind=kind,
        eviction_date="2026-11-30",  # the day before receipt
        source={"type": "municipal_landlord", "name": "Boligbygg Oslo KF"},
    )
    events = run(sim_settings, doc, days=30)
    assert "crisis" not in names(events)
    for name in CONTACT_EVENTS:
        assert name not in names(events), name
    expected = "eviction_review" if kind == "eviction_completed" else "medical_officer_followup"
    assert expected in [e["task_kind"] for e in events if e["event"] == "task_created"]


def test_eviction_carried_out_mid_ladder_cancels_the_visit_at_the_old_address(
    sim_settings: Settings,
) -> None:
    """A petition's ladder is running when Boligbygg reports the eviction done
    (Wed 9 Dec): the review task comes, no home visit goes to the old address."""
    done = trigger(
        kind="eviction_completed",
        received_at="2026-12-09T12:00:00+01:00",
        eviction_date="2026-12-09",
        source=BOLIGBYGG | {"reference": "B-9"},
    )
    petition = trigger(counterpart=BOLIGBYGG_COUNTERPART)  # Boligbygg is party to the case
    events = run(sim_settings, petition, extra_triggers=[done], days=21)
    assert "crisis" not in names(events)
    assert "home_visit_scheduled" not in names(events)
    cancelled = [e for e in events if e["event"] == "step_cancelled" and e["rule"] == "home_visit"]
    assert [e["reason"] for e in cancelled] == ["no longer applies: not_evicted"]
    assert "eviction_review" in [e["task_kind"] for e in events if e["event"] == "task_created"]
    assert at(events, "sms_sent", rule="sms") == [oslo(2026, 12, 8, 16, 0)]  # before it


def test_eviction_completed_today_alone_is_no_crisis(sim_settings: Settings) -> None:
    doc = trigger(
        kind="eviction_completed",
        eviction_date="2026-12-01",
        source={"type": "municipal_landlord", "name": "Boligbygg Oslo KF"},
    )
    events = run(sim_settings, doc, days=21)
    assert "crisis" not in names(events)
    assert "sms_sent" not in names(events)


def test_a_petition_whose_date_is_already_past_is_no_crisis(sim_settings: Settings) -> None:
    """A date before receipt cannot be compressed for; the normal ladder runs."""
    events = run(sim_settings, trigger(eviction_date="2026-11-20"), days=3)
    assert "crisis" not in names(events)
    assert at(events, "letter_sent") == [oslo(2026, 12, 1, 16, 0)]


def test_eviction_scheduled_tomorrow_is_a_crisis(sim_settings: Settings) -> None:
    doc = trigger(
        kind="eviction_scheduled",
        eviction_date="2026-12-02",
        source={"type": "municipal_landlord", "name": "Boligbygg Oslo KF"},
    )
    events = run(sim_settings, doc, days=2)
    assert at(events, "crisis") == [oslo(2026, 12, 1, 10, 0)]
    assert "eviction_review" in [e["task_kind"] for e in events if e["event"] == "task_created"]


def test_lacks_capacity_goes_to_the_medical_officer_and_reminds_to_tell_the_bailiff(
    sim_settings: Settings,
) -> None:
    events = run(sim_settings, trigger(kind="lacks_capacity"), days=10)
    tasks = [
        (e["task_kind"], datetime.fromisoformat(e["at"]))
        for e in events
        if e["event"] == "task_created"
    ]
    assert tasks == [
        ("medical_officer_followup", oslo(2026, 12, 1, 10, 0)),
        ("inform_bailiff", oslo(2026, 12, 8, 10, 0)),
    ]


def test_protected_address_goes_to_manual_handling(sim_settings: Settings) -> None:
    events = run(sim_settings, trigger(tenant={"protected_address": True}))
    assert "letter_sent" not in names(events)
    assert [e["task_kind"] for e in events if e["event"] == "task_created"] == ["manual_letter"]
    assert "home_visit_scheduled" not in names(events)


def test_protected_family_is_still_reached_when_the_manual_letter_is_not_marked_sent(
    sim_settings: Settings,
) -> None:
    """Issue 2 audit: with no posted letter the one-week clock never started,
    so a protected-address family got no SMS, call or flag in 30 days. The
    clock now runs from the letter's deadline (Fri 4 Dec); no automatic home
    visit is planned (manual handling), but SMS, call and flags come."""
    doc = trigger(tenant={"protected_address": True})
    events = run(sim_settings, doc, days=30)
    assert at(events, "letter_overdue") == [oslo(2026, 12, 4, 10, 0)]
    assert at(events, "sms_sent", rule="sms") == [oslo(2026, 12, 11, 10, 0)]
    assert at(events, "phone_task_created") == [oslo(2026, 12, 11, 10, 0)]
    assert "home_visit_scheduled" not in names(events)
    assert at(events, "flag_raised", flag="child_welfare_assessment") == [oslo(2026, 12, 18, 10, 0)]


def test_petition_after_rent_warning_joins_the_case_and_pulls_the_plan_forward(
    sim_settings: Settings,
) -> None:
    warning = trigger(
        kind="unpaid_rent_warning",
        received_at="2026-12-01T10:00:00+01:00",
        source={"type": "landlord", "name": "Utleier AS", "reference": "W-1"},
    )
    petition = trigger(
        received_at="2026-12-03T10:00:00+01:00",
        eviction_date="2026-12-11",
        source={"reference": "NF-2"},
    )
    events = simulate(sim_settings, warning, days=10, extra_triggers=[petition])
    assert names(events).count("case_opened") == 1
    assert names(events).count("trigger_received") == 2
    assert at(events, "letter_sent") == [oslo(2026, 12, 1, 16, 0), oslo(2026, 12, 3, 16, 0)]
    assert at(events, "crisis") == [oslo(2026, 12, 3, 10, 0)]
    # The SMS planned for the 8th comes at once instead.
    assert at(events, "sms_sent", rule="sms") == [oslo(2026, 12, 3, 10, 0)]
    assert any(e["event"] == "step_rescheduled" and e["rule"] == "sms" for e in events)


def test_policy_is_data_a_municipality_can_change_sending_hours(tmp_path: Path) -> None:
    from outreach.policy import DEFAULT_POLICY

    text = DEFAULT_POLICY.read_text(encoding="utf-8").replace(
        'purpose = "first_contact"', 'purpose = "first_contact"\nsms_hours = "10:00-12:00"'
    )
    policy_file = tmp_path / "policy.toml"
    policy_file.write_text(text, encoding="utf-8")
    settings = Settings(env="test", var_dir=tmp_path, testing=True, policy_file=policy_file)
    events = run(settings, trigger(), days=9)
    # Posted Tue 1 Dec 16:00; a week later is outside 10-12: the next morning.
    assert at(events, "sms_sent", rule="sms") == [oslo(2026, 12, 9, 10, 0)]


@pytest.mark.parametrize(
    ("broken", "message"),
    [
        ('offset = "7d"', 'offset = "7x"'),
        ('anchor = "letter_sent"', 'anchor = "whenever"'),
        ('channel = "sms"', 'channel = "pigeon"'),
        ('purpose = "first_contact"', 'purpose = "first_contact"\nsms_hours = "9-5"'),
    ],
)
def test_a_broken_policy_fails_at_start_naming_the_rule(
    tmp_path: Path, broken: str, message: str
) -> None:
    from outreach.policy import DEFAULT_POLICY, PolicyError, load_policy

    text = DEFAULT_POLICY.read_text(encoding="utf-8")
    assert broken in text
    policy_file = tmp_path / "policy.toml"
    policy_file.write_text(text.replace(broken, message, 1), encoding="utf-8")
    with pytest.raises(PolicyError, match="rule "):
        load_policy(policy_file)


def test_simulate_gives_times_inside_event_data_in_oslo_time(sim_settings: Settings) -> None:
    events = run(sim_settings, trigger(), days=14)
    times = [
        (e["event"], key, value)
        for e in events
        for key, value in e.items()
        if isinstance(value, str) and value[:4] == "2026" and "T" in value
    ]
    assert any(key == "scheduled_for" for _, key, _ in times)  # the home visit
    assert all(value.endswith("+01:00") for _, _, value in times), times
