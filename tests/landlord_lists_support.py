"""What the arrears-list tests share: a landlord with a token, a list, a real RQ worker."""

from __future__ import annotations

import io
from typing import Any

from rq import Queue, SimpleWorker

from outreach.landlords.warnings import ensure_landlord
from outreach.staff.tokens import issue_token

ORG = "921184530"
HEADER = "Referanse;Navn;Fødselsdato;Adresse;Postnr;Poststed;Telefon;Restanse;Måneder"


def landlord_token(rt: Any, org: str = ORG) -> str:
    with rt.session() as session:
        landlord = ensure_landlord(session, org, "Boligbygg Oslo KF")
        return issue_token(session, "Boligbygg API", None, landlord_id=landlord.id)


def csv_row(i: int, *, amount: str = "12 345,50", months: str = "2", name: str = "") -> str:
    """A tenant per ``i``: a distinct name and birth date, so no two are the same person."""
    name = name or f"Leietaker {chr(65 + i % 26)}{chr(65 + i // 26 % 26)} Hansen{i}"
    born = f"{1 + i % 28:02d}.{1 + i % 12:02d}.{1950 + i % 50}"
    return f"BB-{i};{name};{born};Tøyengata {1 + i % 90};0190;Oslo;;{amount};{months}"


def csv_list(rows: list[str], *, bom: bool = True) -> bytes:
    text = "\r\n".join([HEADER, *rows]) + "\r\n"
    return ("\ufeff" if bom else "").encode() + text.encode()


def multipart(content: bytes, name: str, **form: str) -> tuple[bytes, str]:
    """The body a browser sends, built here: the test client would spool a large one to a
    temporary file it never closes (a ResourceWarning, an error under filterwarnings)."""
    boundary = "----outreach-list-test"
    out = io.BytesIO()
    for key, value in form.items():
        out.write(f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n'.encode())
        out.write(value.encode() + b"\r\n")
    out.write(
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
        "Content-Type: text/csv\r\n\r\n".encode()
    )
    out.write(content + f"\r\n--{boundary}--\r\n".encode())
    return out.getvalue(), f"multipart/form-data; boundary={boundary}"


def upload(client: Any, token: str, content: bytes, *, name: str = "liste.csv", **form: str) -> Any:
    fields = {"tenant_not_reserved": "true", "tenant_informed": "true", **form}
    body, content_type = multipart(content, name, **fields)
    return client.post(
        "/api/v1/landlord/lists",
        data=body,
        content_type=content_type,
        headers={"Authorization": f"Bearer {token}"},
    )


def get(client: Any, token: str, path: str) -> Any:
    return client.get(f"/api/v1/landlord/{path}", headers={"Authorization": f"Bearer {token}"})


def work(rt: Any) -> None:
    """A real RQ worker (burst) on the test's queue and Redis."""
    queue = Queue(rt.settings.queue_name, connection=rt.redis())
    SimpleWorker([queue], connection=rt.redis()).work(burst=True)
