"""The table's invariants (issue 13, item 7), over every role combination."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from outreach.permissions import PERMISSIONS, ROLES, Action, Role, may, may_decide_flag

role_sets = st.sets(st.sampled_from(ROLES))
districts = st.sets(st.sampled_from(["030101", "030102", "030103"]))
ids = st.one_of(st.none(), st.integers(min_value=1, max_value=4))


@settings(max_examples=200, deadline=None)
@given(roles=role_sets, more=role_sets, action=st.sampled_from(list(Action)))
def test_a_role_more_never_takes_a_right_away(
    roles: set[str], more: set[str], action: Action
) -> None:
    assert may(roles, action) == any(r in PERMISSIONS[action] for r in roles)
    if may(roles, action):
        assert may(roles | more, action)


@settings(max_examples=300, deadline=None)
@given(
    user_id=st.integers(min_value=1, max_value=4),
    roles=role_sets,
    mine=districts,
    assignee=ids,
    caseworker=ids,
    district=st.one_of(st.none(), st.sampled_from(["030101", "030102", "030103"])),
)
def test_a_flag_is_decided_only_by_its_named_person_or_the_districts_lead(
    user_id: int,
    roles: set[str],
    mine: set[str],
    assignee: int | None,
    caseworker: int | None,
    district: str | None,
) -> None:
    decides = may_decide_flag(
        user_id=user_id,
        roles=roles,
        districts=mine,
        assignee_id=assignee,
        caseworker_id=caseworker,
        district=district,
    )
    named = Role.CASEWORKER in roles and user_id in {assignee, caseworker}
    lead = Role.DISTRICT_LEAD in roles and district is not None and district in mine
    assert decides == (named or lead)
    if decides:
        assert may(roles, Action.DECIDE_FLAG)
    assert not may_decide_flag(
        user_id=user_id,
        roles=roles - {Role.CASEWORKER, Role.DISTRICT_LEAD},
        districts=mine,
        assignee_id=user_id,
        caseworker_id=user_id,
        district=district,
    ), "no other role decides, even when named"
