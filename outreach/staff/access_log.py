"""The access log: every opening of a case and every search for a person.

Principle 6 and issue 5: who, when and why, visible to the district lead.
Confidentiality (NAV-loven § 7, sosialtjenesteloven § 44) makes even the
fact that someone is in contact with NAV sensitive, so looking is recorded
like acting. Rows are written in the request's own transaction; a view that
fails to log is a view that fails.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from outreach.models import Case, User
from outreach.models.staff import CaseAccess

# Why a case was opened: where the user came from, or what they chose when searching.
VIEW_PURPOSES = ("queue", "search", "my_work", "lead", "intake", "link", "action", "api")
# Pages that show a case's personal data other than the case page itself: the
# reason logged is the page (issue 5: the source document, the letter, the
# preview, the call sheet and the visit page are openings too).
PAGE_PURPOSES = (
    "document",
    "letter",
    "letter_preview",
    "call_sheet",
    "visit",
    "match_review",
    "inbound_sms",
)
SEARCH_PURPOSES = ("case_work", "inquiry", "new_notice", "other")
QUERY_KINDS = ("name", "national_id", "reference")


def log_view(session: Session, user: User, case: Case, purpose: str, now: datetime) -> CaseAccess:
    row = CaseAccess(
        at=now,
        user_id=user.id,
        action="view",
        case_id=case.id,
        district_code=case.district_code,
        purpose=purpose if purpose in VIEW_PURPOSES + PAGE_PURPOSES else "link",
    )
    session.add(row)
    return row


def log_search(
    session: Session,
    user: User,
    *,
    query_kind: str,
    hits: int,
    purpose: str,
    district: str | None,
    now: datetime,
) -> CaseAccess:
    row = CaseAccess(
        at=now,
        user_id=user.id,
        action="search",
        case_id=None,
        district_code=district,
        purpose=purpose if purpose in SEARCH_PURPOSES else "other",
        query_kind=query_kind,
        hits=hits,
    )
    session.add(row)
    return row


def log_user_search(
    session: Session, user: User, *, query_kind: str, hits: int, purpose: str, now: datetime
) -> None:
    """One row per district of the searcher, so each lead sees it; one district-less row
    for a user with no district (central intake, admin), shown to central intake and admins."""
    districts: list[str | None] = [*sorted(user.district_set)] or [None]
    for district in districts:
        log_search(
            session,
            user,
            query_kind=query_kind,
            hits=hits,
            purpose=purpose,
            district=district,
            now=now,
        )


@dataclass(frozen=True)
class AccessEntry:
    row: CaseAccess
    user: User
    case_reference: str | None


def entries_for(
    session: Session,
    districts: set[str],
    *,
    include_unrouted: bool = False,
    case_reference: str | None = None,
    username: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> list[AccessEntry]:
    """Log rows for a lead's districts, newest first (an admin passes every district).

    ``include_unrouted`` adds the rows with no district: searches by users
    without one and openings of unrouted cases (central intake, admins).
    Filters narrow to one case or one user; ``limit``/``offset`` page.
    """
    scope = [CaseAccess.district_code.in_(sorted(districts))]
    if include_unrouted:
        scope.append(CaseAccess.district_code.is_(None))
    query = (
        select(CaseAccess, User, Case.reference)
        .join(User, User.id == CaseAccess.user_id)
        .outerjoin(Case, Case.id == CaseAccess.case_id)
        .where(or_(*scope))
    )
    if case_reference:
        query = query.where(Case.reference == case_reference.strip().upper())
    if username:
        query = query.where(User.username == username.strip().casefold())
    query = query.order_by(CaseAccess.at.desc(), CaseAccess.id.desc()).limit(limit).offset(offset)
    return [AccessEntry(row, user, ref) for row, user, ref in session.execute(query)]
