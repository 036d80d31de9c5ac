"""schemathesis over the whole OpenAPI document, against the real app (issue 13, item 15).

Every operation is called with each token kind its ``security`` names (staff,
system, landlord): schemathesis's coverage, examples and fuzzing phases, so the
document's own examples go in (a trigger opens a case, a landlord's warning is
received) besides generated bodies, ids and headers, valid and invalid. Each
answer must be no server error, a documented status with the documented content
type, headers and body; invalid input must be refused, a call without its token
too, and an undocumented method must be a 405. The database is seeded so the
example ids (1) name a real case, flag, task, print batch, match review and
reservation the staff user may see; ``test_every_example_is_accepted`` then
walks every example through its documented success.

Found by this run and fixed in the validation, not the check: ids between
2^31 and 2^63 were a 500 on PostgreSQL, 2.5 adults became 2, "yes" was a
protected address, routing errors and 413 came back as HTML.

Bounded for a 2-core machine (under a minute unloaded): 10 examples per
operation and phase, derandomized so every run sends the same requests.
schemathesis's pytest plugin needs the document at collection, so it is built
from ``document()`` (tests/test_openapi_document.py checks the served one is
the same) and each request goes to the running test's app.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from rq import Queue, SimpleWorker

from outreach.intake.accept import accept_trigger
from outreach.intake.schema import load_trigger
from outreach.jobs.tick import tick
from outreach.models import Case
from outreach.web.api.openapi import document
from tests.factories import trigger

CHECKS = [
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_schema_conformance",
    "response_headers_conformance",
    "negative_data_rejection",
    "ignored_auth",
    "unsupported_method",
    "allow_header_conformance",
]


# The notice names the landlord, so a copy of the tenant letter can go to it.
LANDLORD = {
    "counterpart": {
        "role": "landlord",
        "name": "Utleier Hansen AS",
        "address": {"street": "Postboks 77 Sentrum", "postal_code": "0101", "city": "Oslo"},
    }
}


@dataclass(frozen=True)
class Tokens:
    staff: str
    system: str
    landlord: str

    def for_operation(self, security: list[dict[str, Any]]) -> list[str]:
        """One token per kind the operation takes (``security`` alternatives)."""
        return [getattr(self, name) for requirement in security for name in requirement]


def _work(rt: Any) -> None:
    queue = Queue(rt.settings.queue_name, connection=rt.redis())
    SimpleWorker([queue], connection=rt.redis()).work(burst=True)


def _seed(rt: Any) -> Tokens:
    """Case 1 (with flag 1 and task 1), review 1, print batch 1, reservation 1, three tokens."""
    from outreach.demo import ensure_user
    from outreach.intake.landlord_schema import load_reservation
    from outreach.landlords.warnings import ensure_landlord, register_reservation
    from outreach.staff.tokens import issue_token

    with rt.session() as session:
        first = accept_trigger(session, rt, load_trigger(trigger(**LANDLORD), now=rt.now()))
        doubtful = trigger(
            source={"reference": "NF-2"},
            tenant={"address": {"street": "Grønlandsleiret 5", "postal_code": "0190"}},
            district="030101",
        )
        review = accept_trigger(session, rt, load_trigger(doubtful, now=rt.now())).review_id
        assert (first.case_id, review) == (1, 1)
    tick(rt)
    _work(rt)  # the letters join print batch 1
    with rt.session() as session:
        from outreach.cases.flags import raise_flag
        from outreach.cases.tasks import new_task
        from outreach.workdays import parse_offset

        case = session.get(Case, 1)
        assert case is not None
        task = new_task(
            session,
            rt,
            case,
            None,
            kind="phone_call",
            title="Ring leietaker",
            assignee_role="caseworker",
            due_at=rt.now() + timedelta(days=1),
        )
        flag = raise_flag(
            session, rt, case, "child_welfare_assessment", rt.now(), parse_offset("2wd")
        )
        session.flush()
        assert (task.id, flag.id if flag else None) == (1, 1)
        user = ensure_user(
            session,
            "kari",
            "Kari Saksbehandler",
            roles="caseworker,district_lead",
            districts="030101",
            phone="+4721000111",
        )
        landlord = ensure_landlord(session, "921184530", "Torshov Utleie AS")
        reservation = register_reservation(
            session,
            rt,
            landlord,
            load_reservation({"label": "K-1", "name": "Ola Nordmann", "birth_date": "1970-01-01"}),
        )
        assert reservation.id == 1
        tokens = Tokens(
            staff=issue_token(session, "contract staff", user),
            system=issue_token(session, "contract system", None),
            landlord=issue_token(session, "contract landlord", None, landlord_id=landlord.id),
        )
        session.commit()
    return tokens


@pytest.fixture
def tokens(rt: Any) -> Tokens:
    return _seed(rt)


class _TheTestsApp:
    """A WSGI app that passes each request to the app of the running test.

    schemathesis builds its tests when pytest collects this module, before any
    fixture exists; the app (on the test's own database and Redis) comes later.
    """

    app: Any = None

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        return self.app(environ, start_response)


THE_APP = _TheTestsApp()

schema = schemathesis.openapi.from_dict(
    document(),
    config=schemathesis.Config.from_dict(
        {
            "base-url": "http://localhost",
            "generation": {"max-examples": 10, "deterministic": True},
            "phases": {"stateful": {"enabled": False}},
        }
    ),
)
schema.app = THE_APP


@schema.parametrize()
@settings(
    max_examples=10,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_every_answer_matches_the_document(case: Any, app: Any, tokens: Tokens) -> None:
    from schemathesis.checks import CHECKS as REGISTRY

    THE_APP.app = app
    checks = REGISTRY.get_by_names(CHECKS)
    for token in tokens.for_operation(case.operation.definition.raw["security"]):
        case.call_and_validate(headers={"Authorization": f"Bearer {token}"}, checks=checks)


# The order a caseworker might take: the letter printed and posted before the tenant
# answers, closing last (a closed case refuses the rest).
HAPPY_PATH = (
    ("get", "/api/v1/cases/1", "200"),
    ("get", "/api/v1/cases/1/timeline", "200"),
    ("post", "/api/v1/cases/1/landlord-copy", "201"),
    ("get", "/api/v1/print-batches", "200"),
    ("post", "/api/v1/print-batches/1/render", "202"),
    ("get", "/api/v1/print-batches/1/pdf", "200"),
    ("post", "/api/v1/print-batches/1/posted", "200"),
    ("post", "/api/v1/cases/1/caseworker", "200"),
    ("post", "/api/v1/flags/1/decision", "200"),
    ("post", "/api/v1/tasks/1/outcome", "200"),
    ("post", "/api/v1/cases/1/contacts", "201"),
    ("post", "/api/v1/cases/1/district", "200"),
    ("get", "/api/v1/match-reviews", "200"),
    ("post", "/api/v1/match-reviews/1", "200"),
    ("post", "/api/v1/cases/1/close", "200"),
    ("post", "/api/v1/triggers", "201"),
    ("post", "/api/v1/landlord/warnings", "201"),
    ("get", "/api/v1/landlord/warnings", "200"),
    ("post", "/api/v1/landlord/reservations", "201"),
    ("get", "/api/v1/landlord/reservations", "200"),
    ("delete", "/api/v1/landlord/reservations/1", "200"),
    ("post", "/api/v1/landlord/lists", "202"),
    ("get", "/api/v1/landlord/lists", "200"),
    ("get", "/api/v1/landlord/lists/1", "200"),
    ("get", "/api/v1/landlord/lists/1/report", "200"),
    # Last: registering refuses case 1's warnings from landlord 1 (the case may close).
    ("get", "/api/v1/cases/1/reservations", "200"),
    ("post", "/api/v1/cases/1/reservations", "201"),
    ("delete", "/api/v1/cases/1/reservations/1", "200"),
)

#: Happy paths whose object the run made itself: the id comes from the answer before.
MADE_BY_THE_RUN = {"/api/v1/cases/1/reservations/1": "/api/v1/cases/1/reservations/{id}"}


def test_every_example_is_accepted(rt: Any, client: Any, tokens: Tokens) -> None:
    """Each request example, sent as documented, gets the documented success.

    So a client that copies an example gets what the document promises, and the
    contract run above really reaches each happy path.
    """
    spec = document()
    operations = {
        (method, re.sub(r"{\w+}", "1", path)): operation
        for path, item in spec["paths"].items()
        for method, operation in item.items()
        if method != "parameters"
    }
    assert {(m, p) for m, p, _ in HAPPY_PATH} == set(operations)
    made: dict[str, Any] = {}
    for method, path, status in HAPPY_PATH:
        operation = operations[(method, path)]
        body = operation.get("requestBody", {}).get("content", {}).get("application/json", {})
        url = MADE_BY_THE_RUN[path].format(**made) if path in MADE_BY_THE_RUN else path
        for token in tokens.for_operation(operation["security"]):
            with client.open(
                url,
                method=method.upper(),
                json=body.get("example"),
                headers={"Authorization": f"Bearer {token}"},
            ) as response:
                assert str(response.status_code) == status, (method, path, response.get_data())
                if method == "post" and response.is_json:
                    made = response.get_json() if isinstance(response.get_json(), dict) else {}
            if path.endswith("/render"):
                _work(rt)  # the render job
            if path == "/api/v1/triggers":
                break  # the system token's copy would be the same trigger again
