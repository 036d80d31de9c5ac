"""The tenant's SMS about a visit: when it is, and that it is off.

A notice must never arrive after the visit; one that no SMS can carry is a
``visit_tenant_not_told`` event for the staff who go.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from outreach import timeline
from outreach.db import before_commit
from outreach.ladder import steps as ladder_steps
from outreach.models import Case, Step
from outreach.models.visits import HomeVisit
from outreach.policy import Rule
from outreach.reach.base import Unusable
from outreach.reach.sms.handler import SmsHandler
from outreach.reach.visit.calendar import OSLO
from outreach.runtime import Runtime

#: A visit notice later than this before the visit is not sent: it would tell
#: nobody anything in time (a retried or deferred SMS must not arrive after it).
NOTICE_LEAD = timedelta(hours=1)


NOTICE_RULES = ("visit_notice", "visit_cancelled_notice")

#: The notices are SMS (the policy's ``visit_notice`` rules): a letter takes days.
SMS = SmsHandler()


def _not_told(
    session: Session, case: Case, visit: HomeVisit, now: datetime, reason: str, what: str
) -> None:
    """The policy says tell the tenant, but no SMS can reach them: staff must know.

    There is no letter path for a notice (a letter takes days); the staff who
    visit see this on the timeline and can call or leave a card.
    """
    timeline.record(
        session,
        case.id,
        "visit_tenant_not_told",
        now,
        channel="visit",
        visit_id=visit.id,
        notice=what,
        reason=reason,
    )


def _plan_notice(
    session: Session, rt: Runtime, case: Case, visit: HomeVisit, rule: Rule, now: datetime
) -> str | None:
    """An SMS step telling the tenant the visit time; returns why not, or "planned"."""
    notice_rule = rt.policy.by_name.get("visit_notice")
    if not rule.notify_tenant or notice_rule is None:
        return None
    recipient = SMS.recipient(notice_rule, case, None, rt)
    if isinstance(recipient, Unusable):
        _not_told(session, case, visit, now, recipient.reason, "visit_notice")
        return recipient.reason
    ladder_steps.add_step(
        session,
        case.id,
        rule=notice_rule.name,
        key=f"{notice_rule.name}:v{visit.id}:s{visit.ical_sequence}",
        channel=notice_rule.channel,
        due_at=now,
        now=now,
        params={"visit_id": visit.id, "when": visit.starts_at.astimezone(OSLO).isoformat()},
        visit_id=visit.id,
    )
    return "planned"


def _plan_cancelled_notice(
    session: Session, rt: Runtime, case: Case, visit: HomeVisit, was: datetime, now: datetime
) -> str | None:
    """The tenant was told of the visit: a neutral SMS that it is off.

    The step is written just before the commit (:func:`_write_off_notices`),
    after everything else the cancelling action wrote, so its ``step_planned``
    comes last on the timeline.
    """
    rule = rt.policy.by_name.get("visit_cancelled_notice")
    if rule is None or case.status != "open":
        return None
    recipient = SMS.recipient(rule, case, None, rt)
    if isinstance(recipient, Unusable):
        _not_told(session, case, visit, now, recipient.reason, rule.name)
        return recipient.reason
    case_id, visit_id = case.id, visit.id
    before_commit(
        session,
        lambda: ladder_steps.add_step(
            session,
            case_id,
            rule=rule.name,
            key=f"{rule.name}:v{visit_id}",
            channel=rule.channel,
            due_at=now,
            now=now,
            params={"visit_id": visit_id, "when": was.astimezone(OSLO).isoformat()},
            visit_id=visit_id,
        ),
    )
    return "planned"


def notice_too_late(session: Session, rt: Runtime, step: Step, now: datetime) -> bool:
    """For the step runner: cancel a visit notice that could only arrive too late.

    A notice deferred to the SMS window or retried after provider errors must
    not reach the tenant after the visit (``NOTICE_LEAD`` before it, for the
    notice of the visit; the visit's time, for the notice that it is off).
    Commits and returns True when it cancelled the step.
    """
    if step.rule not in NOTICE_RULES:
        return False
    visit_id = (step.params or {}).get("visit_id")
    visit = session.get(HomeVisit, int(visit_id)) if visit_id is not None else None
    if visit is None:
        reason = "the visit is gone"
    elif step.rule == "visit_notice" and now >= visit.starts_at - NOTICE_LEAD:
        reason = "too late: the visit is about to start or has started"
    elif step.rule == "visit_cancelled_notice" and now >= visit.starts_at:
        reason = "too late: the visit time has passed"
    else:
        return False
    case = session.get(Case, step.case_id)
    assert case is not None
    ladder_steps.cancel_step(session, rt, case, step, now, reason, visit_id=visit_id)
    session.commit()
    return True


def _notice_steps(session: Session, visit: HomeVisit) -> list[Step]:
    with session.no_autoflush:
        steps = session.scalars(
            select(Step).where(Step.case_id == visit.case_id, Step.rule == "visit_notice")
        ).all()
    return [s for s in steps if (s.params or {}).get("visit_id") == visit.id]
