"""A landlord's monthly arrears list: received, kept, reported on.

Both the portal and ``POST /api/v1/landlord/lists`` call ``receive_list``:
every row is read and checked on its own (``lists_parse``, then the same
schema as a single warning, ``load_warning``), and the list with its rows is
committed before the landlord gets an answer. The rows are turned into
warnings by a background job (``lists_run.process_list``); the landlord
follows the progress and downloads a report of the rows refused.

The same file sent twice is the same list (nothing new). A row is a
warning keyed by the landlord's own reference, so next month's list with the
same reference updates that warning instead of making a second one.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from dataclasses import dataclass
from typing import Any

from marshmallow import ValidationError
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from outreach.intake.landlord_schema import RESERVABLE_KIND, load_warning
from outreach.landlords import audit
from outreach.landlords.accounts import may_send
from outreach.landlords.lists_parse import ListRow, ParsedList, RefusedRow
from outreach.landlords.warnings import LandlordError
from outreach.models.landlord import Landlord
from outreach.models.landlord_lists import LandlordList, LandlordListRow
from outreach.runtime import Runtime

#: The schema's error paths, as the list's columns (the report names these).
_FIELDS = {
    ("reference",): "reference",
    ("tenant", "name"): "name",
    ("tenant", "birth_date"): "birth_date",
    ("tenant", "national_id"): "national_id",
    ("tenant", "address"): "address",
    ("tenant", "address", "street"): "address",
    ("tenant", "address", "postal_code"): "postal_code",
    ("tenant", "address", "city"): "city",
    ("tenant", "phone"): "phone",
    ("arrears_amount",): "arrears_amount",
}
REPORT_HEADER = ("row", "reference", "field", "reason")


def warning_document(row: ListRow) -> dict[str, Any]:
    """A list row as a single warning: the landlord declared § 9-11 once for the list."""
    months = row.months_in_arrears
    return {
        "kind": RESERVABLE_KIND,
        "reference": row.reference,
        "tenant": {
            "name": row.name,
            "birth_date": row.birth_date.isoformat() if row.birth_date else None,
            "national_id": row.national_id,
            "address": {"street": row.address, "postal_code": row.postal_code, "city": row.city},
            "phone": row.phone,
        },
        "arrears_amount": str(row.arrears_amount),
        "declarations": {"tenant_not_reserved": True, "tenant_informed": True},
        "notes": arrears_note(months),
    }


def arrears_note(months: int) -> str:
    unit = "måned" if months == 1 else "måneder"
    return f"Restanseliste fra utleier: {months} {unit} ubetalt husleie."


def _flatten(messages: Any, path: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], str]]:
    if isinstance(messages, dict):
        return [item for key, value in messages.items() for item in _flatten(value, (*path, key))]
    if isinstance(messages, list) and all(isinstance(m, str) for m in messages):
        return [(path, m) for m in messages]
    if isinstance(messages, list):
        return [item for m in messages for item in _flatten(m, path)]
    return [(path, str(messages))]


def check_row(row: ListRow) -> dict[str, Any] | list[dict[str, str]]:
    """The warning document, or the faults the single-warning schema finds, by column."""
    document = warning_document(row)
    try:
        load_warning(document)
    except ValidationError as exc:
        return [
            {"field": _FIELDS.get(path, "row"), "message": message}
            for path, message in _flatten(exc.messages)
        ]
    return document


@dataclass(frozen=True)
class Received:
    list: LandlordList
    duplicate: bool


def content_hmac(rt: Runtime, content: bytes) -> str:
    return rt.protector.lookup_hash("landlord-list:" + hashlib.sha256(content).hexdigest())


def receive_list(
    session: Session,
    rt: Runtime,
    landlord: Landlord,
    parsed: ParsedList,
    content: bytes,
    *,
    filename: str = "",
    via: str,
    account_id: int | None = None,
    token_id: int | None = None,
) -> Received:
    """Keep the list and its rows (commits); the same content again is the first list."""
    if not may_send(landlord):
        raise LandlordError("landlord_not_approved", "NAV has not approved this landlord.")
    digest = content_hmac(rt, content)
    earlier = _by_content(session, landlord, digest)
    if earlier is not None:
        return Received(earlier, duplicate=True)
    listing = LandlordList(
        landlord_id=landlord.id, content_hmac=digest, filename=filename[:200],
        format=parsed.format, via=via, account_id=account_id, token_id=token_id,
        uploaded_at=rt.now(), status="queued", total_rows=parsed.total, rows_done=0,
    )  # fmt: skip
    session.add(listing)
    session.flush()
    session.add_all(_rows(rt, listing.id, parsed))
    audit.record(
        session, landlord.id, "list_uploaded", account_id=account_id, key_id=token_id,
        detail=f"list {listing.id}, {parsed.total} rows, {via}", at=listing.uploaded_at,
    )  # fmt: skip
    try:
        session.commit()
    except IntegrityError:  # the same file, sent twice at once
        session.rollback()
        found = _by_content(session, landlord, digest)
        if found is None:
            raise
        return Received(found, duplicate=True)
    return Received(listing, duplicate=False)


def _by_content(session: Session, landlord: Landlord, digest: str) -> LandlordList | None:
    return session.scalar(
        select(LandlordList).where(
            LandlordList.landlord_id == landlord.id, LandlordList.content_hmac == digest
        )
    )


def _rows(rt: Runtime, list_id: int, parsed: ParsedList) -> list[LandlordListRow]:
    """Every row, refused ones done at once; a reference twice in one list is refused."""
    out: list[LandlordListRow] = []
    seen: dict[str, int] = {}
    for refused in parsed.refused:
        out.append(_refused(list_id, refused))
    for row in parsed.rows:
        if row.reference in seen:
            faults = [
                {"field": "reference", "message": f"Same reference as row {seen[row.reference]}."}
            ]
            out.append(_refused(list_id, RefusedRow(row.row, row.reference, ()), faults))
            continue
        seen[row.reference] = row.row
        checked = check_row(row)
        if isinstance(checked, list):
            out.append(_refused(list_id, RefusedRow(row.row, row.reference, ()), checked))
            continue
        payload = rt.protector.encrypt(json.dumps(checked, ensure_ascii=False))
        out.append(
            LandlordListRow(
                list_id=list_id, row_number=row.row, reference=row.reference,
                status="pending", payload_enc=payload,
            )
        )  # fmt: skip
    return out


def _refused(
    list_id: int, row: RefusedRow, faults: list[dict[str, str]] | None = None
) -> LandlordListRow:
    return LandlordListRow(
        list_id=list_id,
        row_number=row.row,
        reference=row.reference,
        status="refused",
        faults=faults
        if faults is not None
        else [{"field": f.field, "message": f.message} for f in row.faults],
    )


def find_list(session: Session, landlord: Landlord, list_id: int) -> LandlordList | None:
    found = session.get(LandlordList, list_id)
    return found if found is not None and found.landlord_id == landlord.id else None


def recent_lists(session: Session, landlord: Landlord, limit: int = 50) -> list[LandlordList]:
    return list(
        session.scalars(
            select(LandlordList)
            .where(LandlordList.landlord_id == landlord.id)
            .order_by(LandlordList.uploaded_at.desc(), LandlordList.id.desc())
            .limit(limit)
        )
    )


def counts(session: Session, listing: LandlordList) -> dict[str, int]:
    """Rows per outcome (``pending``, ``created``, ``updated``, ``unchanged``, ...)."""
    found = session.execute(
        select(LandlordListRow.status, func.count())
        .where(LandlordListRow.list_id == listing.id)
        .group_by(LandlordListRow.status)
    )
    result = {status: 0 for status in ("pending", "created", "updated", "unchanged")}
    result.update({"refused": 0, "reserved": 0})
    result.update({status: int(n) for status, n in found})
    return result


def status_json(session: Session, listing: LandlordList) -> dict[str, Any]:
    return {
        "id": listing.id,
        "status": listing.status,
        "format": listing.format,
        "filename": listing.filename,
        "uploaded_at": listing.uploaded_at.isoformat(),
        "finished_at": listing.finished_at.isoformat() if listing.finished_at else None,
        "total_rows": listing.total_rows,
        "rows_done": listing.rows_done,
        "rows": counts(session, listing),
    }


def _safe(value: str) -> str:
    """A cell a spreadsheet will not run as a formula (OWASP "CSV injection")."""
    if value and value[0] in "=+-@\t\r|%":
        return "'" + value
    return value


def refused_report(session: Session, listing: LandlordList) -> str:
    """CSV (semicolons, BOM: opens in a Norwegian Excel) of the rows refused and why.

    A reserved tenant's row says only its number, the landlord's reference and
    "reserved": nothing about the tenant is kept to say more.
    """
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(REPORT_HEADER)
    rows = session.scalars(
        select(LandlordListRow)
        .where(
            LandlordListRow.list_id == listing.id,
            LandlordListRow.status.in_(("refused", "reserved")),
        )
        .order_by(LandlordListRow.row_number)
    )
    for row in rows:
        reference = _safe(row.reference or "")
        if row.status == "reserved":
            writer.writerow((row.row_number, reference, "", "reserved"))
            continue
        for fault in row.faults or [{"field": "row", "message": "Refused."}]:
            writer.writerow(
                (row.row_number, reference, fault["field"], _safe(str(fault["message"])))
            )
    return out.getvalue()
