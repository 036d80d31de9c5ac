"""Monthly arrears lists (issue 14; the peer review, seeds/004: "Kommunale utleiere bør
oversende månedlige restanselister"): kept before the answer, processed by a real RQ
worker, idempotent, reserved rows refused and not kept, a report that names the field.
"""

from __future__ import annotations

import contextlib
import csv
import io
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select

from outreach.landlords.lists_parse import MAX_BYTES
from outreach.landlords.lists_run import process_list
from outreach.landlords.warnings import register_reservation
from outreach.models import Case, Trigger
from outreach.models.landlord import Landlord, LandlordWarning
from outreach.models.landlord_lists import LandlordList, LandlordListRow
from tests.landlord_lists_support import csv_list, csv_row, get, landlord_token, upload, work


def count(rt: Any, model: Any) -> int:
    with rt.session() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def report_rows(client: Any, token: str, list_id: int) -> list[list[str]]:
    response = get(client, token, f"lists/{list_id}/report")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    text = response.get_data(as_text=True).lstrip("\ufeff")
    return list(csv.reader(io.StringIO(text), delimiter=";"))


def test_a_list_is_kept_then_processed_with_progress_and_a_report(client: Any, rt: Any) -> None:
    token = landlord_token(rt)
    content = csv_list(
        [csv_row(1), "", csv_row(2, amount="abc"), ";;;;;;;;", csv_row(3, months="0"), csv_row(4)]
    )
    response = upload(client, token, content)
    assert response.status_code == 202, response.get_json()
    body = response.get_json()
    assert body["total_rows"] == 4
    assert body["status"] == "queued"
    assert body["rows"]["refused"] == 2 and body["rows"]["pending"] == 2
    assert count(rt, LandlordWarning) == 0  # kept, not yet processed
    with rt.session() as session:
        assert session.scalar(select(func.count()).where(LandlordListRow.payload_enc.is_not(None)))
    work(rt)
    done = get(client, token, f"lists/{body['id']}").get_json()
    assert done["status"] == "done"
    assert done["rows_done"] == done["total_rows"] == 4
    assert done["rows"]["created"] == 2
    assert count(rt, LandlordWarning) == 2
    with rt.session() as session:  # the tenant data is gone once a row is done
        assert not session.scalar(
            select(func.count()).where(LandlordListRow.payload_enc.is_not(None))
        )
    rows = report_rows(client, token, body["id"])
    assert rows[0] == ["row", "reference", "field", "reason"]
    assert [(r[0], r[1], r[2]) for r in rows[1:]] == [
        ("4", "BB-2", "arrears_amount"),
        ("6", "BB-3", "months_in_arrears"),
    ]


def test_the_same_list_twice_creates_nothing_new(client: Any, rt: Any) -> None:
    token = landlord_token(rt)
    content = csv_list([csv_row(i) for i in range(5)])
    first = upload(client, token, content).get_json()
    work(rt)
    again = upload(client, token, content)
    assert again.status_code == 200
    assert again.get_json()["duplicate"] is True and again.get_json()["id"] == first["id"]
    # The same rows in another file (re-exported without the BOM): no new warning either.
    other = upload(client, token, csv_list([csv_row(i) for i in range(5)], bom=False))
    assert other.status_code == 202
    work(rt)
    assert (
        get(client, token, f"lists/{other.get_json()['id']}").get_json()["rows"]["unchanged"] == 5
    )
    assert count(rt, LandlordWarning) == 5
    assert count(rt, Trigger) == 5
    assert count(rt, LandlordList) == 2


def test_next_months_corrected_row_updates_the_notice(client: Any, rt: Any) -> None:
    token = landlord_token(rt)
    upload(client, token, csv_list([csv_row(1), csv_row(2)]))
    work(rt)
    december = csv_list([csv_row(1, amount="18.500,00", months="3"), csv_row(2)])
    later = upload(client, token, december).get_json()
    work(rt)
    status = get(client, token, f"lists/{later['id']}").get_json()
    assert status["rows"]["updated"] == 1 and status["rows"]["unchanged"] == 1
    assert count(rt, LandlordWarning) == 2 and count(rt, Trigger) == 2
    with rt.session() as session:
        warning = session.scalar(select(LandlordWarning).where(LandlordWarning.reference == "BB-1"))
        assert warning is not None and warning.arrears_amount == Decimal("18500.00")
        trigger = session.get(Trigger, warning.trigger_id)
        assert trigger is not None and trigger.arrears_amount == Decimal("18500.00")
        assert "3 måneder" in trigger.notes
        assert count(rt, Case) == 2


def test_a_reserved_tenants_row_is_refused_and_not_kept(client: Any, rt: Any) -> None:
    token = landlord_token(rt)
    with rt.session() as session:
        landlord = session.scalar(select(Landlord))
        assert landlord is not None
        register_reservation(
            session, rt, landlord,
            {"label": "K-77", "name": "Leietaker BA Hansen1", "birth_date": _born(1)},
        )  # fmt: skip
    listed = upload(client, token, csv_list([csv_row(1), csv_row(2)])).get_json()
    work(rt)
    status = get(client, token, f"lists/{listed['id']}").get_json()
    assert status["rows"]["reserved"] == 1 and status["rows"]["created"] == 1
    assert count(rt, Trigger) == 1
    with rt.session() as session:
        row = session.scalar(select(LandlordListRow).where(LandlordListRow.status == "reserved"))
        assert row is not None and row.payload_enc is None and row.faults is None
        assert row.warning_id is None
    assert report_rows(client, token, listed["id"])[1] == ["2", "BB-1", "", "reserved"]


def _born(i: int) -> Any:
    from datetime import date

    return date(1950 + i % 50, 1 + i % 12, 1 + i % 28)


def test_a_crashed_run_resumes_without_duplicates(client: Any, rt: Any) -> None:
    token = landlord_token(rt)
    listed = upload(client, token, csv_list([csv_row(i) for i in range(7)])).get_json()

    class Crash(Exception):
        pass

    def crash() -> None:
        raise Crash

    with contextlib.suppress(Crash):
        process_list(rt, listed["id"], chunk=3, after_chunk=crash)
    middle = get(client, token, f"lists/{listed['id']}").get_json()
    assert middle["rows_done"] == 3 and middle["status"] == "running"
    process_list(rt, listed["id"], chunk=3)  # the retry, and RQ's duplicate run after it
    process_list(rt, listed["id"], chunk=3)
    work(rt)
    done = get(client, token, f"lists/{listed['id']}").get_json()
    assert done["status"] == "done" and done["rows"]["created"] == 7
    assert count(rt, LandlordWarning) == 7 and count(rt, Trigger) == 7


def test_the_report_is_safe_to_open_in_a_spreadsheet(client: Any, rt: Any) -> None:
    token = landlord_token(rt)
    evil = csv_row(1, amount="=1+1").replace("BB-1", "-A1")
    listed = upload(client, token, csv_list([evil])).get_json()
    rows = report_rows(client, token, listed["id"])
    assert rows[1][:3] == ["2", "'-A1", "arrears_amount"]
    assert all(not cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)


def test_a_bad_upload_is_a_4xx_naming_the_field(client: Any, rt: Any) -> None:
    token = landlord_token(rt)
    cases = [
        (upload(client, token, b"x" * (MAX_BYTES + 10)), 413, "file"),
        (upload(client, token, b"PK\x03\x04rest-of-a-workbook", name="liste.xlsx"), 415, "file"),
        (upload(client, token, b""), 422, "file"),
        (upload(client, token, b"Navn;Adresse\r\nA;B\r\n"), 422, "file"),
        (upload(client, token, csv_list([csv_row(1)]), tenant_informed="false"), 422,
         "tenant_informed"),
        (upload(client, token, b"Referanse;Navn;Adresse;Restanse;Mnd\r\nK;A;B;1;1\r\n"), 422,
         "birth_date"),
    ]  # fmt: skip
    for response, status, field in cases:
        assert response.status_code == status, response.get_json()
        assert field in response.get_json()["errors"], response.get_json()
    auth = {"Authorization": f"Bearer {token}"}
    plain = client.post("/api/v1/landlord/lists", data="a;b", headers=auth)
    assert plain.status_code == 415 and "file" in plain.get_json()["errors"]
    no_file = client.post(
        "/api/v1/landlord/lists", data={"tenant_informed": "true"}, headers=auth,
        content_type="multipart/form-data",
    )  # fmt: skip
    assert no_file.status_code == 422 and "file" in no_file.get_json()["errors"]
    no_rows = client.post(
        "/api/v1/landlord/lists", headers=auth,
        json={"rows": [], "declarations": {"tenant_informed": True, "tenant_not_reserved": True}},
    )  # fmt: skip
    assert no_rows.status_code == 422 and "rows" in no_rows.get_json()["errors"]
    assert count(rt, LandlordList) == 0


def test_json_rows_through_the_api(client: Any, rt: Any) -> None:
    token = landlord_token(rt)
    body = {
        "declarations": {"tenant_informed": True, "tenant_not_reserved": True},
        "rows": [
            {"reference": "J-1", "name": "Nora Berg", "birth_date": "14.05.1979",
             "address": "Tøyengata 12", "postal_code": "0190", "city": "Oslo",
             "arrears_amount": "12 345,50", "months_in_arrears": 2},
            {"reference": "J-2", "name": "Per", "birth_date": "1979-05-14",
             "address": "Gata 1", "postal_code": "0190", "phone": "12",
             "arrears_amount": 100, "months_in_arrears": 1},
        ],
    }  # fmt: skip
    response = client.post(
        "/api/v1/landlord/lists", json=body, headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 202
    assert response.headers["Location"].endswith(f"/lists/{response.get_json()['id']}")
    work(rt)
    listed = get(client, token, f"lists/{response.get_json()['id']}").get_json()
    assert listed["rows"] | {} == listed["rows"]
    assert (listed["rows"]["created"], listed["rows"]["refused"]) == (1, 1)
    report = report_rows(client, token, listed["id"])
    assert report[1][:3] == ["2", "J-2", "phone"]
    other = landlord_token(rt, org="987654325")
    assert get(client, other, f"lists/{listed['id']}").status_code == 404
    assert get(client, other, f"lists/{listed['id']}/report").status_code == 404
