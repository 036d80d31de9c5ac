"""The site serves a small favicon with a long cache, instead of a 404 per page (point 12)."""

from __future__ import annotations

from typing import Any


def test_favicon_is_served_with_a_long_cache(client: Any) -> None:
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response.mimetype == "image/vnd.microsoft.icon"
    assert response.data[:4] == b"\x00\x00\x01\x00"  # an ICO header
    assert len(response.data) < 10_000
    cache = response.cache_control
    assert cache.max_age is not None and cache.max_age >= 30 * 24 * 3600
    assert cache.public and cache.immutable
