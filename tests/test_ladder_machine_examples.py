"""The state machine's counterexamples, reduced to short regular tests (issue 12).

``tests/test_ladder_machine.py`` finds these; each is kept here as the
shortest sequence that broke one invariant before issue 12's fixes (merges,
unrouted cases, pauses, crisis by the day, visibility); each failed then and
passes now. A new counterexample joins them the same way.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.ladder_machine_support import World
from tests.test_ladder_machine import database_url  # noqa: F401  (SQLite, as the machine)

# ADDRESSES in tests.ladder_machine_support: 0 Tøyengata 12 (Gamle Oslo),
# 1 Thorvald Meyers gate 20 (Grünerløkka), 4 Trondheimsveien 100 (not in the table).
UNROUTED = 4


def broken(world: World) -> dict[str, str]:
    return world.violations()


@pytest.fixture
def world(rt: Any, clock: Any) -> World:
    return World(rt, clock)


def test_a_letter_withdrawn_by_a_pause_goes_out_once_after_the_resume(world: World) -> None:
    """Found by the machine, fixed here: resuming re-batched the letter as try 1 again,
    the attempt's (step, try) was taken, the job crashed until the step failed, and
    the letter never went out."""
    case_id = world.notice(0, "unpaid_rent_warning", "bailiff")
    world.advance(1)  # the letter waits in the print batch
    world.pause(0)  # ... and is withdrawn
    world.resume(0)
    world.advance(8)  # posted at 16:00
    letters = [s for s in world.sends if s.channel == "letter" and s.case_id == case_id]
    assert [s.audience for s in letters] == ["tenant"]
    assert broken(world) == {}


def test_a_merge_does_not_send_the_same_letter_again(world: World) -> None:
    world.notice(0, "eviction_petition", "bailiff", with_id=False)
    world.notice(0, "eviction_petition", "bailiff", address=1, with_id=False)  # doubtful: review
    world.advance(8)  # both letters posted at 16:00
    world.resolve_review(0, same=True)
    world.advance(24)
    assert "letter_once" not in broken(world)


def test_after_a_merge_letters_go_to_the_newer_address(world: World) -> None:
    world.notice(0, "unpaid_rent_warning", "landlord", with_id=False)
    world.notice(0, "eviction_petition", "bailiff", address=1, with_id=False)  # moved: review
    world.resolve_review(0, same=True)
    world.advance(8)
    assert "current_data" not in broken(world)


def test_an_answer_on_the_doubtful_case_stops_the_merged_ladder(world: World) -> None:
    world.notice(0, "unpaid_rent_warning", "landlord")
    world.advance(8)
    world.notice(0, "eviction_petition", "bailiff", address=1, phone=1, with_id=False)  # review
    world.sms_reply(0)  # from the new number: the doubtful case's tenant answers
    world.resolve_review(0, same=True)
    world.advance(72)
    assert "quiet_after_response" not in broken(world)


def test_a_merged_notice_after_the_answer_still_gets_its_letter(world: World) -> None:
    world.notice(0, "unpaid_rent_warning", "landlord")
    world.advance(8)
    world.sms_reply(0)
    world.advance(1)
    world.notice(0, "eviction_petition", "bailiff", address=1, phone=1, with_id=False)  # review
    world.advance(1)
    world.resolve_review(0, same=True)
    world.advance(96)
    assert "letter_by_deadline" not in broken(world)


def test_an_unrouted_case_never_sends_an_sms_without_a_number(world: World) -> None:
    world.notice(0, "unpaid_rent_warning", "landlord", address=UNROUTED)
    for _ in range(4):
        world.advance(72)
    assert "contact_named" not in broken(world)


def test_an_unrouted_notice_gets_its_letter_or_an_overdue_item(world: World) -> None:
    world.notice(0, "unpaid_rent_warning", "landlord", address=UNROUTED)
    world.advance(96)
    assert "letter_by_deadline" not in broken(world)


def test_a_notice_on_a_paused_case_keeps_its_letter_deadline(world: World) -> None:
    world.notice(0, "unpaid_rent_warning", "landlord")
    world.advance(8)
    world.pause(0)
    world.notice(0, "eviction_petition", "bailiff")
    world.advance(120)
    assert "letter_by_deadline" not in broken(world)


def test_crisis_ends_when_the_eviction_date_has_passed(world: World) -> None:
    world.notice(0, "eviction_petition", "bailiff", eviction_days=1)
    assert "crisis_exact" not in broken(world)
    world.advance(48)
    assert "crisis_exact" not in broken(world)


def test_an_unrouted_case_stays_visible_to_whoever_registered_it(world: World) -> None:
    world.notice(0, "unpaid_rent_warning", "staff", address=UNROUTED)
    assert "visible" not in broken(world)


def test_a_held_eviction_completed_does_not_end_a_crisis(world: World) -> None:
    """Found after the trust fix: another landlord's eviction_completed is held for staff,
    so a bailiff's notice of an eviction today is still a crisis."""
    world.notice(0, "unpaid_rent_warning", "bailiff")
    world.notice(0, "eviction_completed", "landlord")
    world.notice(0, "unpaid_rent_warning", "bailiff", eviction_days=0)
    assert "crisis_exact" not in broken(world)


def test_two_doubtful_matches_of_a_closed_case_end_as_one_open_case(world: World) -> None:
    """Found by the machine: the second "same person" of a closed case's person joined
    the person rows while the first repeat case was open (one open case per person)."""
    world.notice(0, "unpaid_rent_warning", "bailiff")
    world.notice(0, "unpaid_rent_warning", "bailiff", address=1, phone=-1, with_id=False)
    world.notice(0, "unpaid_rent_warning", "bailiff", address=4, eviction_days=0, phone=0,
                 with_id=False)  # fmt: skip
    world.close(0)
    world.resolve_review(0, same=True)
    world.resolve_review(0, same=True)
    assert not broken(world)


def test_an_answer_before_a_new_notice_settles_the_earlier_notices_letter(world: World) -> None:
    """The tenant answered, then a new notice started a new round: the earlier notice's
    letter was rightly stopped by the answer, not missed."""
    world.notice(0, "unpaid_rent_warning", "bailiff")
    world.notice(0, "unpaid_rent_warning", "bailiff", address=1, with_id=False)  # review
    world.close(0)
    world.resolve_review(0, same=True)  # a repeat case
    world.sms_reply(0)
    world.notice(0, "unpaid_rent_warning", "bailiff", address=4)
    world.advance(120)
    assert not broken(world)
