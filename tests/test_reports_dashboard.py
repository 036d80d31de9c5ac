"""The mapping's dashboard (issue 15): who reads which figures, CSV export, the printable report.

Generic over the figures: the checks walk whatever ``figures.compute`` returns
(the figures grow on their own branch), so they hold for every table.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import date
from html import unescape
from typing import Any

import pytest
from pypdf import PdfReader

from outreach.reports import figures, suppress
from outreach.reports.tables import ReportFilter
from tests.report_year import fill_year
from tests.test_staff_support import PASSWORD, csrf_token, login, make_user, new_case, text_of

OWN, OTHER = "030101", "030102"
SMALL_COUNTS = {"1", "2", "3", "4"}


def _sign_in(rt: Any, client: Any, roles: str, districts: str = OWN) -> Any:
    name = "u-" + roles.replace(",", "-")
    make_user(rt, name, roles=roles, districts=districts)
    response = login(client, name)
    assert response.status_code == 302
    return response


def _csrf(client: Any) -> dict[str, str]:
    return {"csrf_token": csrf_token(client, "/staff/rapporter")}


def login_next(client: Any, username: str, next_path: str) -> Any:
    token = csrf_token(client)
    return client.post(
        "/staff/logg-inn",
        data={"csrf_token": token, "username": username, "password": PASSWORD, "next": next_path},
    )


def _three_notices(rt: Any) -> None:
    """Three petitions in Gamle Oslo this month: under 5, so hidden when they leave it."""
    for n, (name, born) in enumerate(
        [("Amina Hassan", "1988-04-12"), ("Ola Nordmann", "1970-01-30"), ("Kari Li", "1955-06-01")]
    ):
        new_case(
            rt,
            tenant={"name": name, "birth_date": born, "phone": f"+474123456{n}"},
            source={"reference": f"NF-{n}"},
        )


def _table_cells(page: str) -> list[list[str]]:
    """The report tables' body rows as text."""
    rows = []
    for body in re.findall(r'<table class="report-table">.*?<tbody>(.*?)</tbody>', page, re.S):
        for row in re.findall(r"<tr>(.*?)</tr>", body, re.S):
            cells = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
            rows.append([unescape(re.sub(r"<[^>]+>", "", c)).strip() for c in cells])
    return rows


def _count_cells(rt: Any, filt: ReportFilter, rows: list[list[str]]) -> list[str]:
    """The cells of count columns, matched to the tables ``compute`` gives for ``filt``."""
    with rt.session() as session:
        tables = figures.compute(session, filt)
    cells: list[str] = []
    index = 0
    for table in tables:
        for _row in table.rows:
            cells += [rows[index][c] for c in table.counts]
            index += 1
    return cells


def test_a_lead_reads_their_own_district_as_it_is_and_no_other(client: Any, rt: Any) -> None:
    _three_notices(rt)
    _sign_in(rt, client, "caseworker,district_lead")
    page = client.get("/staff/rapporter")
    assert page.status_code == 200
    html = text_of(page)
    assert "Kartlegging: Gamle Oslo" in html
    # On screen, in their own district: no suppression, the 3 is a 3.
    filt = ReportFilter(date(2026, 1, 1), date(2027, 1, 1), OWN)
    counts = _count_cells(rt, filt, _table_cells(html))
    assert "3" in counts and suppress.SMALL not in counts
    assert client.get(f"/staff/rapporter?bydel={OTHER}").status_code == 403
    assert client.get("/staff/rapporter?bydel=").status_code == 403  # the city is not theirs
    assert (
        client.get(
            f"/staff/rapporter/kvartalsrapport.pdf?kvartal=2026-K4&bydel={OTHER}"
        ).status_code
        == 403
    )


def test_an_analyst_lands_on_the_dashboard_sees_the_city_suppressed_and_no_cases(
    client: Any, rt: Any
) -> None:
    _three_notices(rt)
    response = _sign_in(rt, client, "analyst", districts="")
    assert response.headers["Location"].endswith("/staff/rapporter")
    page = client.get("/staff/rapporter")
    assert page.status_code == 200
    html = text_of(page)
    assert "Kartlegging: Oslo" in html
    filt = ReportFilter(date(2026, 1, 1), date(2027, 1, 1), None)
    counts = _count_cells(rt, filt, _table_cells(html))
    assert not SMALL_COUNTS & set(counts)
    assert suppress.SMALL in counts
    # The menu offers only what the role may use.
    nav = html.split('aria-label="Hovedmeny"')[1].split("</nav>")[0]
    assert "/staff/rapporter" in nav
    for page_path in ("/staff/mitt-arbeid", "/staff/ny", "/staff/utskrift", 'href="/staff/"'):
        assert page_path not in nav
    assert client.get("/staff/").status_code == 403
    # Sent to the login from the site's root, they still land on the dashboard.
    client.post("/staff/logg-ut", data=_csrf(client))
    assert client.get("/").headers["Location"].endswith("/staff/")
    again = login_next(client, "u-analyst", "/staff/")
    assert again.headers["Location"].endswith("/staff/rapporter")
    # Any district, suppressed too (an analyst's view always leaves the district).
    district = text_of(client.get(f"/staff/rapporter?bydel={OWN}"))
    filt = ReportFilter(date(2026, 1, 1), date(2027, 1, 1), OWN)
    assert not SMALL_COUNTS & set(_count_cells(rt, filt, _table_cells(district)))


def test_a_caseworker_has_no_reports(client: Any, rt: Any) -> None:
    _sign_in(rt, client, "caseworker")
    assert client.get("/staff/rapporter").status_code == 403
    assert client.get("/staff/rapporter/notices_by_kind.csv").status_code == 403
    assert client.get("/staff/rapporter/kvartalsrapport.pdf?kvartal=2026-K4").status_code == 403
    assert "/staff/rapporter" not in text_of(client.get("/staff/"))


def test_an_administrator_reads_the_city_and_a_malformed_filter_names_its_field(
    client: Any, rt: Any
) -> None:
    _sign_in(rt, client, "admin", districts="")
    assert client.get("/staff/rapporter?bydel=").status_code == 200
    assert client.get(f"/staff/rapporter?bydel={OTHER}&inndeling=quarter").status_code == 200
    for query, field in (
        ("fra=2026-13", "fra"),
        ("til=mars", "til"),
        ("inndeling=uke", "inndeling"),
    ):
        bad = client.get(f"/staff/rapporter?{query}")
        assert bad.status_code == 400 and f"«{field}»" in text_of(bad)
    bad = client.get("/staff/rapporter/kvartalsrapport.pdf?kvartal=2026-K5")
    assert bad.status_code == 400 and "«kvartal»" in text_of(bad)
    assert client.get("/staff/rapporter?bydel=999999").status_code == 403
    assert client.get("/staff/rapporter/no_such_table.csv").status_code == 404


def test_every_table_exports_as_csv_that_leaves_the_district_suppressed(
    client: Any, rt: Any
) -> None:
    _three_notices(rt)
    with rt.session() as session:
        fill_year(session, year_start=date(2026, 1, 1), cases=60, districts=(OTHER,))
    _sign_in(rt, client, "caseworker,district_lead")
    filt = ReportFilter(date(2026, 1, 1), date(2027, 1, 1), OWN)
    with rt.session() as session:
        tables = figures.compute(session, filt)
    assert tables
    html = text_of(client.get("/staff/rapporter?fra=2026-01&til=2026-12"))
    for table in tables:
        link = f"/staff/rapporter/{table.key}.csv?fra=2026-01&amp;til=2026-12"
        assert link in html
        response = client.get(link.replace("&amp;", "&") + f"&inndeling=month&bydel={OWN}")
        assert response.status_code == 200
        assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
        assert f"{table.key}-{OWN}-2026-01-2026-12.csv" in response.headers["Content-Disposition"]
        body = response.get_data()
        assert body.startswith(b"\xef\xbb\xbf")
        rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))
        assert tuple(rows[0]) == table.columns
        assert len(rows) == len(table.rows) + 1
        for row in rows[1:]:
            assert not SMALL_COUNTS & {row[c] for c in table.counts}
    everything = b"".join(
        client.get(f"/staff/rapporter/{t.key}.csv?fra=2026-01&til=2026-12").get_data()
        for t in tables
    )
    assert suppress.SMALL.encode() in everything  # the lead's 3 left the district as "<5"


def test_the_quarterly_report_is_a_pdf_with_its_figures_suppressed(client: Any, rt: Any) -> None:
    _three_notices(rt)
    _sign_in(rt, client, "caseworker,district_lead")
    response = client.get("/staff/rapporter/kvartalsrapport.pdf?kvartal=2026-K4")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert "kvartalsrapport-030101-2026-K4.pdf" in response.headers["Content-Disposition"]
    reader = PdfReader(io.BytesIO(response.get_data()))
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "Kvartalsrapport 2026-K4 – Gamle Oslo" in text
    with rt.session() as session:
        tables = figures.compute(session, ReportFilter(date(2026, 10, 1), date(2027, 1, 1), OWN))
    for table in tables:
        assert table.title in text
    assert suppress.SMALL in text


@pytest.mark.parametrize("roles", ["analyst", "admin"])
def test_the_chart_styles_come_from_the_app_and_nothing_from_elsewhere(
    client: Any, rt: Any, roles: str
) -> None:
    _sign_in(rt, client, roles, districts="")
    html = text_of(client.get("/staff/rapporter"))
    assert "<svg" in html and 'role="img"' in html
    assert "<script" not in html and "<style" not in html  # the CSP allows neither inline
    assert not re.search(r"(src|href)=\"(https?:)?//", html)
    assert "kozea" not in html.lower() and "cdn" not in html.lower()
    css = client.get("/staff/rapporter/diagram.css")
    assert css.status_code == 200 and "svg.pygal-chart" in css.get_data(as_text=True)
