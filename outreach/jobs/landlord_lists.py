"""The RQ job that turns a landlord's arrears list into warnings, and its recovery.

Only the list id travels through Redis (the rows wait, encrypted, in the
database). The job may run twice or after a crash: ``process_list`` takes only
pending rows. If Redis lost the job or it failed for good, the tick enqueues
the list again (principle 1: the database is the record, Redis transport).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from redis.exceptions import RedisError
from sqlalchemy import select
from sqlalchemy.orm import Session

from outreach import runtime
from outreach.jobs import queue
from outreach.landlords.lists import Received, receive_list
from outreach.landlords.lists_parse import ParsedList
from outreach.landlords.lists_run import process_list
from outreach.models.landlord import Landlord
from outreach.models.landlord_lists import LandlordList
from outreach.runtime import Runtime

log = logging.getLogger(__name__)

#: A list uploaded a moment ago may not have its job yet (enqueued after commit).
REQUEUE_GRACE = timedelta(seconds=30)


def run_landlord_list(list_id: int) -> str:
    return process_list(runtime.current(), list_id)


def recover_lists(rt: Runtime, now: datetime) -> list[int]:
    """Lists not done whose job is gone or failed: enqueue them again."""
    with rt.session() as session:
        waiting = session.execute(
            select(LandlordList.id, LandlordList.uploaded_at).where(LandlordList.status != "done")
        ).all()
    recovered: list[int] = []
    for list_id, uploaded_at in waiting:
        if now - uploaded_at < REQUEUE_GRACE:
            continue
        state = queue.job_state(rt, queue.list_job_id(rt, list_id))
        if state in {"missing", "failed", "stopped", "canceled"}:
            queue.enqueue_list(rt, list_id)
            recovered.append(list_id)
    return recovered


def submit_list(
    session: Session,
    rt: Runtime,
    landlord: Landlord,
    parsed: ParsedList,
    content: bytes,
    **how: Any,
) -> Received:
    """Keep the list (committed), then hand it to the queue.

    Redis down is no reason to refuse a list that is already kept: the tick
    enqueues it later (``recover_lists``). A duplicate that is not done yet is
    enqueued again too – harmless, the job takes only pending rows.
    """
    received = receive_list(session, rt, landlord, parsed, content, **how)
    if received.list.status != "done":
        try:
            queue.enqueue_list(rt, received.list.id)
        except RedisError:
            log.warning("list %d kept; enqueue failed, the tick will retry", received.list.id)
    return received
