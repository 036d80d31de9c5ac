"""The OpenAPI document is valid OpenAPI 3.1 and says what the API does (issue 13, item 13).

It was invalid (a ``Decimal`` field's bounds came out as strings, so validators
and schemathesis refused the two main operations), described no response body
and left 400/403 undocumented. tests/test_api_contract.py checks the API
against it; these tests check the document itself.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from openapi_schema_validator import OAS31Validator
from openapi_spec_validator import validate

from outreach.web.api.openapi import COMPONENTS, document

METHODS = {"get", "post", "put", "patch", "delete"}


def _operations(spec: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            if method in METHODS:
                yield path, method, operation


def _resolve(spec: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        *_, kind, name = node["$ref"].split("/")
        node = spec["components"][kind][name]
    return node


def test_the_served_document_is_valid_openapi(client: Any) -> None:
    served = client.get("/api/v1/openapi.json")
    assert served.status_code == 200
    spec = served.get_json()
    validate(spec)  # raises on anything OpenAPI 3.1 does not allow
    assert spec["openapi"] == "3.1.0"
    assert spec == document()


def test_every_bound_is_a_number() -> None:
    # "maximum": "10000000.00" (a string) made validators refuse the document.
    def bounds(node: Any) -> Iterator[Any]:
        if isinstance(node, dict):
            for key, value in node.items():
                if key in ("minimum", "maximum", "minLength", "maxLength", "maxItems"):
                    yield value
                else:
                    yield from bounds(value)
        elif isinstance(node, list):
            for item in node:
                yield from bounds(item)

    found = list(bounds(document()))
    assert found and all(isinstance(value, int | float) for value in found)
    amount = document()["components"]["schemas"]["Trigger"]["properties"]["arrears_amount"]
    assert (amount["minimum"], amount["maximum"]) == (0, 10_000_000)
    assert {"number", "string"} <= set(amount["type"])  # marshmallow takes "38500.00" too


def test_the_token_kinds_are_the_security_schemes() -> None:
    schemes = document()["components"]["securitySchemes"]
    assert set(schemes) == {"staff", "system", "landlord"}
    assert all(s["type"] == "http" and s["scheme"] == "bearer" for s in schemes.values())


def test_every_operation_says_who_may_call_and_how_it_answers() -> None:
    spec = document()
    for path, method, operation in _operations(spec):
        kinds = {name for requirement in operation["security"] for name in requirement}
        if path.startswith("/api/v1/landlord/"):
            assert kinds == {"landlord"}, path
        elif path == "/api/v1/triggers":
            assert kinds == {"staff", "system"}
        else:
            assert kinds == {"staff"}, path
        responses = operation["responses"]
        assert {"401", "403"} <= set(responses), (method, path)
        if "requestBody" in operation:
            assert {"400", "413", "422"} <= set(responses), (method, path)
        if "{" in path:
            assert "404" in responses, (method, path)
        assert any(status.startswith("2") for status in responses), (method, path)
        for status, response in responses.items():
            content = _resolve(spec, response)["content"]
            assert all("schema" in media for media in content.values()), (method, path, status)
        assert "WWW-Authenticate" in _resolve(spec, responses["401"])["headers"]


def test_path_parameters_are_declared_as_database_ids() -> None:
    spec = document()
    for path, item in spec["paths"].items():
        names = {p["name"] for p in item.get("parameters", []) if p["in"] == "path"}
        assert names == {part[1:-1] for part in path.split("/") if part.startswith("{")}
        for parameter in item.get("parameters", []):
            assert parameter["schema"]["type"] == "integer"
            assert parameter["schema"]["maximum"] == 2**31 - 1  # PostgreSQL's INTEGER


def _examples(spec: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any], Any]]:
    for path, method, operation in _operations(spec):
        bodies = [("request", operation.get("requestBody", {}))]
        bodies += [(status, _resolve(spec, r)) for status, r in operation["responses"].items()]
        for where, holder in bodies:
            for media in holder.get("content", {}).values():
                if "example" in media:
                    yield f"{method} {path} {where}", media["schema"], media["example"]


def test_every_example_matches_its_schema() -> None:
    spec = document()
    checked = 0
    for label, schema, example in _examples(spec):
        # The components ride along so "#/components/schemas/..." resolves.
        validator = OAS31Validator({**schema, "components": spec["components"]})
        errors = [error.message for error in validator.iter_errors(example)]
        assert errors == [], label
        checked += 1
    assert checked > 40


@pytest.mark.parametrize(("name", "schema"), COMPONENTS)
def test_each_component_is_its_marshmallow_schema(name: str, schema: Any) -> None:
    described = document()["components"]["schemas"][name]
    fields = schema().fields
    assert set(described["properties"]) == {f.data_key or key for key, f in fields.items()}
    required = {f.data_key or key for key, f in fields.items() if f.required}
    assert set(described.get("required", [])) == required
