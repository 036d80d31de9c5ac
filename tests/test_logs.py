"""No national id, phone number or e-mail address reaches the logs."""

from __future__ import annotations

import logging

from outreach.logs import ScrubFilter, scrub
from tests.factories import national_id


def test_scrub_masks_identifiers() -> None:
    nid = national_id(12, 4, 1988)
    text = scrub(f"tenant {nid} phone +47 412 34 567 mail amina@example.no case 12 step 40")
    assert nid not in text and "412 34 567" not in text and "amina@" not in text
    assert "case 12 step 40" in text


def test_filter_masks_messages_and_tracebacks() -> None:
    nid = national_id(1, 2, 1970)
    record = logging.LogRecord("x", logging.ERROR, __file__, 1, "bad id %s", (nid,), None)
    try:
        raise ValueError(f"could not parse {nid}")
    except ValueError as exc:
        record.exc_info = (type(exc), exc, exc.__traceback__)
    ScrubFilter().filter(record)
    assert nid not in record.getMessage()
    assert record.exc_text is not None and nid not in record.exc_text
