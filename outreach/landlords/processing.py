"""What a landlord may know of its warning's processing: received, or passed on.

``received``: NAV has the warning. ``passed_on``: it is with the district
office that follows the tenant up (the case is routed to a district). That
is all (DESIGN.md principle 6, the circular's taushetsplikt, seeds/000): the
answer never depends on whether the tenant is a NAV client, on the case's
status or outcome, on contact made or not – only on where the warning is in
NAV's hands. A warning whose case was later closed is still ``passed_on``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from outreach.models import Case, Trigger
from outreach.models.landlord import LandlordWarning

RECEIVED, PASSED_ON = "received", "passed_on"
STATUSES: Final = (RECEIVED, PASSED_ON)


def status_from(district_code: str | None) -> str:
    """Pure: the only fact the status is made of is whether a district has the case."""
    return PASSED_ON if district_code else RECEIVED


def statuses(session: Session, warnings: Iterable[LandlordWarning]) -> dict[int, str]:
    """Each warning's status by its id, in one query."""
    ids = [row.id for row in warnings]
    if not ids:
        return {}
    found = session.execute(
        select(LandlordWarning.id, Case.district_code)
        .join(Trigger, Trigger.id == LandlordWarning.trigger_id)
        .join(Case, Case.id == Trigger.case_id)
        .where(LandlordWarning.id.in_(ids))
    )
    result = dict.fromkeys(ids, RECEIVED)
    for warning_id, district in found:
        result[warning_id] = status_from(district)
    return result
