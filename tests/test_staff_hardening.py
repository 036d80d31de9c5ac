"""Staff and landlord pages: security headers, the body limit, error pages in Norwegian."""

from __future__ import annotations

import io
from typing import Any

import pytest
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from outreach.web.app import MAX_CONTENT_LENGTH
from tests.test_staff_support import csrf_token, login, make_user, text_of

PAGE_HEADERS = {
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


def _assert_page_headers(response: Any) -> None:
    for name, value in PAGE_HEADERS.items():
        assert response.headers.get(name) == value, name
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp


def test_staff_and_landlord_pages_carry_the_headers(client: Any, rt: Any) -> None:
    make_user(rt)
    _assert_page_headers(client.get("/staff/logg-inn"))
    login(client)
    _assert_page_headers(client.get("/staff/"))
    _assert_page_headers(client.get("/staff/finnes-ikke"))
    _assert_page_headers(client.get("/utleier/logg-inn"))
    # The stylesheet may be cached, but is still not sniffed.
    css = client.get("/staff/static/staff.css")
    assert css.status_code == 200
    assert css.headers.get("Cache-Control") != "no-store"
    assert css.headers["X-Content-Type-Options"] == "nosniff"
    css.close()


def test_the_booking_page_keeps_its_own_stricter_policy(client: Any) -> None:
    response = client.get("/b")
    assert "default-src 'none'" in response.headers["Content-Security-Policy"]


def test_login_fields_tell_password_managers_what_they_are(client: Any) -> None:
    page = text_of(client.get("/staff/logg-inn"))
    assert 'autocomplete="username"' in page
    assert 'autocomplete="current-password"' in page


def _post_too_big(client: Any, token: str, **headers: str) -> Any:
    # Encoded by hand: the test client would spool a body this big to a temporary
    # file that nobody closes when the app refuses to read it (a ResourceWarning).
    boundary, body = encode_multipart(
        MultiDict(
            {
                "csrf_token": token,
                "kind": "eviction_petition",
                "document": FileStorage(
                    io.BytesIO(b"%PDF-1.4\n" + b"0" * MAX_CONTENT_LENGTH), "b.pdf"
                ),
            }
        )
    )
    return client.post(
        "/staff/ny",
        data=body,
        content_type=f"multipart/form-data; boundary={boundary}",
        headers=headers,
    )


def test_a_body_over_the_limit_gets_a_norwegian_413(client: Any, rt: Any) -> None:
    make_user(rt)
    login(client)
    token = csrf_token(client, "/staff/ny")
    response = _post_too_big(client, token)
    assert response.status_code == 413
    page = text_of(response)
    assert "Filen er for stor" in page and "20 MB" in page
    _assert_page_headers(response)
    english = _post_too_big(client, token, **{"Accept-Language": "en"})
    assert english.status_code == 413
    assert "too large" in text_of(english)


def test_unknown_staff_url_gets_the_staff_404(client: Any, rt: Any) -> None:
    response = client.get("/staff/finnes/ikke")
    assert response.status_code == 404
    assert "Fant ikke siden" in text_of(response)
    english = client.get("/staff/finnes/ikke", headers={"Accept-Language": "en"})
    assert "Page not found" in text_of(english)


def test_unknown_landlord_url_gets_the_portal_404(client: Any) -> None:
    response = client.get("/utleier/finnes-ikke")
    assert response.status_code == 404
    assert "Fant ikke siden" in text_of(response)
    assert "/utleier" in text_of(response)


def test_wrong_method_gets_a_norwegian_405_with_allow(client: Any) -> None:
    response = client.get("/staff/logg-ut")
    assert response.status_code == 405
    assert "Siden kan ikke brukes slik" in text_of(response)
    assert "POST" in response.headers["Allow"]


def test_a_crash_gets_a_norwegian_500(app: Any, rt: Any) -> None:
    def boom() -> Any:
        raise RuntimeError("a bug")

    app.add_url_rule("/staff/_test-boom", "test_boom", boom)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    response = app.test_client().get("/staff/_test-boom")
    assert response.status_code == 500
    assert "Noe gikk galt" in text_of(response)
    _assert_page_headers(response)


@pytest.mark.parametrize("path", ["/api/v1/finnes-ikke", "/finnes-ikke"])
def test_other_paths_keep_their_own_errors(client: Any, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 404
    assert "Fant ikke siden" not in text_of(response)
    assert "Content-Security-Policy" not in response.headers
