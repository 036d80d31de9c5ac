"""Issue 13, item 7: every route x role x own/other district x token kind, from the URL map.

The expectations come from ``outreach.permissions`` (the one table) and
nothing else: a role the table refuses gets 403 before any object is looked
at; an allowed role gets 404 for another district's object (its existence is
not revealed) and neither 401, 403 nor 404 for its own. A route added without
a rule stops the app from starting, and ``test_every_route_names_a_rule``
says which. A staff session opens no landlord page, and no token a staff page.
Runs on SQLite only: who may do what does not depend on the database.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from werkzeug.routing import Rule

from outreach.models import Case, Flag, MatchReview, PrintBatch, Task
from outreach.models.staff import FollowUpItem
from outreach.models.visits import HomeVisit
from outreach.permissions import (
    PERMISSIONS,
    ROLES,
    Action,
    Audience,
    Role,
    may,
    rule_of,
)
from outreach.web.app import FILE_ENDPOINTS, UNMARKED_DOCUMENTS
from tests.factories import national_id
from tests.test_staff_support import csrf_token, login, make_user, new_case

OWN, OTHER = "030101", "030102"
ABSENT = 9_999_999  # no such row: the route's rule is still checked first

# The objects a URL parameter names, built in each district; "absent" ones
# (an SMS reply, a stored letter, a landlord's receipt) have no row, so only
# the role rule is checked for them (404 is then the right answer).
BUILT = ("case_id", "flag_id", "task_id", "document_id", "visit_id", "batch_id", "review_id")


@pytest.fixture
def database_url(sqlite_database: str) -> str:
    from tests.conftest import _truncate

    _truncate(sqlite_database)
    return sqlite_database


@dataclass
class World:
    ids: dict[str, dict[str, int]]  # district -> parameter -> id


def _district_objects(rt: Any, district: str, caseworker_id: int, n: int) -> dict[str, int]:
    from outreach.cases import documents

    result = new_case(
        rt,
        source={"reference": f"NF-{n}"},
        tenant={
            "name": f"Person Nummer{n}",
            "national_id": national_id(12, 4, 1980 + n),
            "birth_date": f"{1980 + n}-04-12",
        },
    )
    with rt.session() as session:
        case = session.get(Case, result.case_id)
        assert case is not None
        case.district_code = district
        case.caseworker_id = caseworker_id
        now = rt.now()
        flag = Flag(
            case_id=case.id,
            kind="child_welfare_assessment",
            raised_at=now,
            assignee_id=caseworker_id,
            due_at=now + timedelta(days=2),
        )
        task = Task(
            case_id=case.id, kind="phone_call", title="Ring", district_code=district, due_at=now
        )
        visit_task = Task(
            case_id=case.id, kind="home_visit", title="Besøk", district_code=district, due_at=now
        )
        followup = FollowUpItem(case_id=case.id, kind="debt_counselling", due_on=now.date())
        batch = PrintBatch(district_code=district)
        review = MatchReview(
            trigger_id=result.trigger_id,
            case_id=case.id,
            candidate_case_id=case.id,
            confidence=0.8,
        )
        session.add_all([flag, task, visit_task, followup, batch, review])
        session.flush()
        visit = HomeVisit(
            task_id=visit_task.id,
            case_id=case.id,
            district_code=district,
            starts_at=now + timedelta(days=3),
            ends_at=now + timedelta(days=3, hours=1),
            ical_uid=f"visit-{n}@test",
        )
        session.add(visit)
        user = session.get(type(case.caseworker), caseworker_id) if case.caseworker else None
        assert user is not None
        document = documents.add_document(
            session, rt, case, filename="begjaering.pdf", data=one_page_pdf(), actor=user
        )
        session.flush()
        ids = {
            "case_id": case.id,
            "flag_id": flag.id,
            "task_id": task.id,
            "item_id": followup.id,
            "document_id": document.id,
            "visit_id": visit.id,
            "batch_id": batch.id,
            "review_id": review.id,
        }
        session.commit()
    return ids


def one_page_pdf() -> bytes:
    from io import BytesIO

    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    out = BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.fixture
def world(rt: Any) -> World:
    own_cw = make_user(rt, "cw-own", roles="caseworker", districts=OWN)
    other_cw = make_user(rt, "cw-other", roles="caseworker", districts=OTHER)
    return World(
        {
            OWN: _district_objects(rt, OWN, own_cw, 1),
            OTHER: _district_objects(rt, OTHER, other_cw, 2),
        }
    )


def _routes(app: Any) -> Iterator[tuple[Rule, str, Any]]:
    for rule in app.url_map.iter_rules():
        if rule.endpoint in FILE_ENDPOINTS or rule.endpoint in UNMARKED_DOCUMENTS:
            continue
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            yield rule, method, rule_of(app.view_functions[rule.endpoint])


def _url(app: Any, rule: Rule, method: str, ids: dict[str, int]) -> str:
    values: dict[str, Any] = {}
    for name in rule.arguments:
        if name == "action":
            values[name] = "notat"
        elif name == "receipt":
            values[name] = "ukjent"
        elif name == "item_id" and rule.endpoint != "staff.complete_followup":
            values[name] = ABSENT  # a stored letter: none printed here
        else:
            values[name] = ids.get(name, ABSENT)
    adapter = app.url_map.bind("localhost")
    return str(adapter.build(rule.endpoint, values, method=method))


def _sees_other_district(role: str, rule: Rule) -> bool:
    """Who sees another district's objects: an administrator; central intake settles
    every doubtful match (cases.match_review.may_review_match)."""
    if role == Role.ADMIN:
        return True
    return role == Role.CENTRAL_INTAKE and "review_id" in rule.arguments


# Files the world does not render (a batch's PDF, a posted letter): the rule
# and the district are checked, then "no such file" is a fair 404.
# A reservation staff registered for the case is not built either: the world's case
# has none, so withdrawing one is a fair 404 once the rule and the district passed.
UNRENDERED = {
    "staff.print_pdf",
    "api.print_batch_pdf",
    "staff.stored_letter",
    "api.delete_reservation",
    "staff.withdraw_reservation",
}


def _expected(role: str, action: Action, rule: Rule, district: str) -> str:
    if not may([role], action):
        return "forbidden"
    built = any(name in BUILT for name in rule.arguments)
    if built and district == OTHER and not _sees_other_district(role, rule):
        return "hidden"
    if rule.endpoint in UNRENDERED or (not built and set(rule.arguments) - {"action"}):
        return "allowed-or-absent"
    return "allowed"


def _check(expected: str, response: Any, *, api: bool) -> bool:
    status = response.status_code
    if status >= 500:
        return False
    if expected == "forbidden":
        return status == 403
    if expected == "hidden":
        return status == 404
    location = response.headers.get("Location", "")
    if "logg-inn" in location:
        return False
    if expected == "allowed-or-absent":
        return status not in (401, 403)
    return status not in (401, 403, 404)


def test_every_route_names_a_rule(app: Any) -> None:
    """A new route without a rule fails here (and the app refuses to start)."""
    unmarked = [rule.endpoint for rule, _m, found in _routes(app) if found is None]
    assert unmarked == []
    used = {found for _r, _m, found in _routes(app) if isinstance(found, Action)}
    assert used == set(Action), f"actions in the table no route takes: {set(Action) - used}"
    assert set(PERMISSIONS) == set(Action)


def _post_data(client: Any) -> dict[str, str]:
    return {"csrf_token": csrf_token(client, "/staff/")}


@pytest.mark.parametrize("role", ROLES)
def test_staff_pages_and_api_follow_the_table(app: Any, rt: Any, world: World, role: str) -> None:
    from outreach.staff.tokens import issue_token

    username = f"u-{role}"
    make_user(rt, username, roles=role, districts=OWN)
    with rt.session() as session:
        from outreach.staff.users import find_user

        user = find_user(session, username)
        token = issue_token(session, f"t-{role}", user)
        session.commit()
    if role == Role.CASEWORKER:
        # The named caseworker of the own district's flag: the one who decides it.
        with rt.session() as session:
            for district, objects in world.ids.items():
                if district == OWN:
                    case = session.get(Case, objects["case_id"])
                    assert case is not None and user is not None
                    case.caseworker_id = user.id
                    flag = session.get(Flag, objects["flag_id"])
                    assert flag is not None
                    flag.assignee_id = user.id
            session.commit()
    client = app.test_client()
    login(client, username)
    form = _post_data(client)
    failures = []
    for rule, method, found in _routes(app):
        if not isinstance(found, Action):
            continue
        api = rule.rule.startswith("/api/")
        for district in (OWN, OTHER):
            url = _url(app, rule, method, world.ids[district])
            expected = _expected(role, found, rule, district)
            if api:
                response = client.open(
                    url, method=method, json={}, headers={"Authorization": f"Bearer {token}"}
                )
            else:
                response = client.open(url, method=method, data=form if method == "POST" else None)
            if not _check(expected, response, api=api):
                failures.append((method, url, district, expected, response.status_code))
            response.close()
    assert failures == [], "\n".join(map(str, failures))


def test_tokens_of_the_wrong_kind_are_refused_everywhere(
    app: Any, rt: Any, world: World, system_token: str, staff_token: str
) -> None:
    """A landlord's or a system's token reads no case; a staff cookie opens no API;
    a bearer token opens no staff page."""
    from tests.test_landlords import landlord_token as make_landlord_token

    landlord_token = make_landlord_token(rt)
    make_user(rt, "kari-cookie", roles="caseworker,district_lead", districts=OWN)
    cookie = app.test_client()
    login(cookie, "kari-cookie")
    bare = app.test_client()
    failures = []
    for rule, method, found in _routes(app):
        if rule.rule.startswith("/utleier/") and found is Audience.LANDLORD:
            # A staff session is no landlord's: the landlord portal's login.
            response = cookie.open(_url(app, rule, method, {}), method=method)
            response.close()
            if not (
                "/utleier/logg-inn" in response.headers.get("Location", "")
                or (method == "POST" and response.status_code == 400)
            ):
                failures.append(("cookie", method, rule.rule, response.status_code))
            continue
        if not rule.rule.startswith(("/api/", "/staff/")) or found is Audience.ANYONE:
            continue
        url = _url(app, rule, method, world.ids[OWN])
        tokens = [("landlord", landlord_token), ("system", system_token)]
        if rule.rule.startswith("/staff/"):
            tokens.append(("staff", staff_token))  # a token is no staff session either
        for kind, token in tokens:
            response = bare.open(
                url, method=method, json={}, headers={"Authorization": f"Bearer {token}"}
            )
            if rule.rule.startswith("/staff/"):
                # No session: the login page, or (a POST) the CSRF check before it.
                to_login = "logg-inn" in response.headers.get("Location", "")
                ok = to_login or (method == "POST" and response.status_code == 400)
            elif found is Audience.LANDLORD:
                ok = (kind == "landlord") == (response.status_code not in (401, 403))
            elif found is Action.REGISTER_TRIGGER and kind == "system":
                ok = response.status_code in (400, 422)
            else:
                ok = response.status_code == 403
            response.close()
            if not ok:
                failures.append((kind, method, url, response.status_code))
        if rule.rule.startswith("/api/"):
            response = cookie.open(url, method=method, json={})
            response.close()
            if response.status_code != 401:
                failures.append(("cookie", method, url, response.status_code))
    assert failures == [], "\n".join(map(str, failures))


def test_only_the_named_caseworker_or_the_lead_decides_a_flag(
    app: Any, rt: Any, world: World
) -> None:
    """Another caseworker of the district reads the flag but does not decide it."""
    make_user(rt, "kollega", roles="caseworker", districts=OWN)
    make_user(rt, "leder", roles="district_lead", districts=OWN)
    flag_id = world.ids[OWN]["flag_id"]
    body = {f"flag{flag_id}-decision": "no_report", f"flag{flag_id}-reason": "Familien svarte"}
    # The named caseworker may decide too: the lead's decision stands, so 400 "already decided".
    for username, status in (("kollega", 403), ("leder", 302), ("cw-own", 400)):
        client = app.test_client()
        login(client, username)
        response = client.post(f"/staff/vurderinger/{flag_id}", data={**_post_data(client), **body})
        assert response.status_code == status, username


def test_an_outreach_team_member_can_neither_decide_nor_close(
    app: Any, rt: Any, world: World
) -> None:
    """The issue's reproduction: the team reads the case, but decisions are not theirs."""
    make_user(rt, "team", roles="outreach_team", districts=OWN)
    client = app.test_client()
    login(client, "team")
    case_id, flag_id = world.ids[OWN]["case_id"], world.ids[OWN]["flag_id"]
    page = client.get(f"/staff/saker/{case_id}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)  # nor offered: the page asks the same table
    assert "Avslutt saken" not in html and "Lagre vurderingen" not in html
    data = _post_data(client)
    closing = {"close-outcome": "resolved", "close-note": "Betalt", **data}
    assert client.post(f"/staff/saker/{case_id}/avslutt", data=closing).status_code == 403
    assert client.post(f"/staff/vurderinger/{flag_id}", data=data).status_code == 403
    with rt.session() as session:
        case = session.get(Case, case_id)
        assert case is not None and case.status != "closed"
