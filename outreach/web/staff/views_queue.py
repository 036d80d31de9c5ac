"""The queue: the district's open cases, most urgent first, with the reason shown.

The search is a POST (with the CSRF token), answered with the result page:
a tenant's name or national id in a GET's query string would land in the
web server's and proxies' access logs and in the browser's history (issue 13,
item 10). A reload asks before sending again; a ``?q=`` in a URL searches nothing.
"""

from __future__ import annotations

from typing import Any

from flask import render_template, request

from outreach.permissions import Action
from outreach.staff import access_log, queries
from outreach.vocabulary import TRIGGER_KINDS
from outreach.web.context import db_session, rt
from outreach.web.staff import bp, labels
from outreach.web.staff.auth import allowed, current_user
from outreach.web.staff.timeline_view import district_name


@bp.get("/")
@allowed(Action.SEE_WORK)
def queue() -> Any:
    return _queue(text="", purpose="case_work")


@bp.post("/sok")
@allowed(Action.SEE_WORK)
def search() -> Any:
    form = request.form
    return _queue(text=(form.get("q") or "").strip(), purpose=form.get("formal") or "case_work")


def _queue(*, text: str, purpose: str) -> Any:
    user = current_user()
    assert user is not None
    session = db_session()
    args = request.args
    reason = args.get("grunn") or None
    status = args.get("status") or "active"
    kind = args.get("type") or None
    district_choices = queries.district_choices(user, session)
    district = args.get("bydel") or None
    filters = queries.QueueFilter(
        reason=reason if reason in queries.REASONS else None,
        status=status if status in {"active", "paused", "closed"} else "active",
        kind=kind if kind in TRIGGER_KINDS else None,
        mine=args.get("mine") == "1",
        district=district if district in district_choices else None,
    )
    searched = None
    if text:
        query_kind, ids = queries.search_cases(session, user, text, rt().protector.lookup_hash)
        access_log.log_user_search(
            session, user, query_kind=query_kind, hits=len(ids), purpose=purpose, now=rt().now()
        )
        session.commit()
        # A search looks in closed cases too: the person may be a repeat case.
        filters = queries.QueueFilter(status="all", case_ids=frozenset(ids))
        searched = query_kind
    rows = queries.queue(
        session, user, rt().now(), elderly_age=rt().policy.elderly_age, filters=filters
    )
    return render_template(
        "staff/queue.html",
        rows=rows,
        filters=filters,
        text=text,
        purpose=purpose,
        searched=searched,
        labels=labels,
        reasons=queries.REASONS,
        trigger_kinds=TRIGGER_KINDS,
        search_purposes=access_log.SEARCH_PURPOSES,
        district_choices=district_choices,
        unrouted=queries.UNROUTED,
        district_name=district_name,
        now=rt().now(),
    )
