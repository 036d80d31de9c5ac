"""Print batches through the API: list, render (a real RQ job), PDF, posted."""

from __future__ import annotations

from typing import Any

from rq import Queue, SimpleWorker

from outreach.intake.accept import accept_trigger
from outreach.intake.schema import load_trigger
from outreach.jobs.tick import tick
from tests.factories import trigger


def _auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _work(rt: Any) -> None:
    queue = Queue(rt.settings.queue_name, connection=rt.redis())
    SimpleWorker([queue], connection=rt.redis()).work(burst=True)


def test_render_and_post_a_batch_through_the_api(rt: Any, client: Any, staff_token: str) -> None:
    session = rt.new_session()
    case_id = accept_trigger(session, rt, load_trigger(trigger(), now=rt.now())).case_id
    session.close()
    tick(rt)
    _work(rt)
    batches = client.get("/api/v1/print-batches", headers=_auth(staff_token)).json
    assert len(batches) == 1 and batches[0]["letters"] == {"queued": 2}
    batch_id = batches[0]["id"]
    early = client.post(
        f"/api/v1/print-batches/{batch_id}/posted", json={}, headers=_auth(staff_token)
    )
    assert early.status_code == 422  # not rendered yet
    response = client.post(f"/api/v1/print-batches/{batch_id}/render", headers=_auth(staff_token))
    assert response.status_code == 202
    _work(rt)  # the render job
    with client.get(f"/api/v1/print-batches/{batch_id}/pdf", headers=_auth(staff_token)) as pdf:
        assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    posted = client.post(
        f"/api/v1/print-batches/{batch_id}/posted", json={}, headers=_auth(staff_token)
    )
    assert posted.status_code == 200, posted.json
    assert posted.json["letters"] == {"posted": 2}
    case = client.get(f"/api/v1/cases/{case_id}", headers=_auth(staff_token)).json
    assert case["ladder"]["letter_sent_at"] is not None
    assert any(s["rule"] == "sms" and s["status"] == "planned" for s in case["steps"])


def test_another_districts_batch_is_404(rt: Any, client: Any, staff_token: str) -> None:
    session = rt.new_session()
    doc = trigger(
        district="030105", tenant={"address": {"street": "Bygdøy allé 5", "postal_code": "0257"}}
    )
    accept_trigger(session, rt, load_trigger(doc, now=rt.now()))
    session.close()
    tick(rt)
    _work(rt)
    assert client.get("/api/v1/print-batches", headers=_auth(staff_token)).json == []
    assert (
        client.post("/api/v1/print-batches/1/render", headers=_auth(staff_token)).status_code == 404
    )
