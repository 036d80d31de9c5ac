"""The OpenAPI document names every route of the JSON API, the caseworker action included."""

from __future__ import annotations

import re
from typing import Any


def test_every_api_route_is_in_the_openapi_document(app: Any, client: Any) -> None:
    documented = set(client.get("/api/v1/openapi.json").json["paths"])
    routes = {
        re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/v1/") and rule.rule != "/api/v1/openapi.json"
    }
    assert routes - documented == set()


def test_the_caseworker_action_is_described(client: Any) -> None:
    spec = client.get("/api/v1/openapi.json").json
    operation = spec["paths"]["/api/v1/cases/{case_id}/caseworker"]["post"]
    assert {"200", "403", "404", "422"} <= set(operation["responses"])
    body = operation["requestBody"]["content"]["application/json"]["schema"]
    assert body == {"$ref": "#/components/schemas/Caseworker"}
    assert "username" in spec["components"]["schemas"]["Caseworker"]["properties"]
