"""The portal's arrears lists: upload, a progress page that refreshes itself, the report."""

from __future__ import annotations

from typing import Any

from tests.landlord_lists_support import csv_list, csv_row, multipart, work
from tests.test_landlord_portal import login, make_landlord
from tests.test_staff_support import csrf_token

PAGE = "/utleier/restanselister"


def send(client: Any, content: bytes, **form: str) -> Any:
    fields = {"csrf_token": csrf_token(client, PAGE), **form}
    body, content_type = multipart(content, "desember.csv", **fields)
    return client.post(PAGE, data=body, content_type=content_type)


def test_upload_watch_the_progress_and_download_the_refused_rows(client: Any, rt: Any) -> None:
    make_landlord(rt)
    login(client)
    page = client.get(PAGE)
    assert page.status_code == 200 and "Slik lager dere listen" in page.get_data(as_text=True)
    template = client.get(f"{PAGE}/mal.csv")
    assert template.mimetype == "text/csv" and "Referanse;Navn" in template.get_data(as_text=True)
    content = csv_list([csv_row(1), csv_row(2, amount="tolv")])
    sent = send(client, content, tenant_not_reserved="y", tenant_informed="y")
    assert sent.status_code == 302, sent.get_data(as_text=True)
    progress = client.get(sent.headers["Location"])
    html = progress.get_data(as_text=True)
    assert 'http-equiv="refresh"' in html and "1 av 2 rader behandlet" in html
    work(rt)
    done = client.get(sent.headers["Location"]).get_data(as_text=True)
    assert 'http-equiv="refresh"' not in done and "2 av 2 rader behandlet" in done
    report = client.get(sent.headers["Location"] + "/avviste-rader.csv")
    assert "3;BB-2;arrears_amount" in report.get_data(as_text=True)


def test_the_form_names_what_is_missing(client: Any, rt: Any) -> None:
    make_landlord(rt)
    login(client)
    refused = send(client, csv_list([csv_row(1)]), tenant_informed="y")
    assert refused.status_code == 422 and "Må bekreftes" in refused.get_data(as_text=True)
    workbook = send(client, b"PK\x03\x04workbook", tenant_informed="y", tenant_not_reserved="y")
    assert workbook.status_code == 422
    assert "ikke en CSV- eller JSON-fil" in workbook.get_data(as_text=True)
