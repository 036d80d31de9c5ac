"""The app's runtime and the request's database session, for every HTTP surface.

The API, the staff pages, the landlord portal, the booking page and the
webhooks all reach the database the same way; keeping that here (and not in
one of them) lets each surface import it without importing another surface.
"""

from __future__ import annotations

from flask import current_app, g
from sqlalchemy.orm import Session

from outreach.runtime import Runtime

#: The largest id a URL can name: ids are ``INTEGER`` columns, 32-bit in
#: PostgreSQL (SQLite's are 64-bit), so a larger number is no such row, not a
#: query the database refuses with a 500 (issue 13, item 14).
MAX_ID = 2**31 - 1


def rt() -> Runtime:
    runtime: Runtime = current_app.extensions["outreach_runtime"]
    return runtime


def db_session() -> Session:
    """One session per request, closed by the app's teardown (``web.app``)."""
    if "db_session" not in g:
        g.db_session = rt().new_session()
    session: Session = g.db_session
    return session
