"""The OpenAPI document as a client generator reads it, and the offline /docs."""

from __future__ import annotations

import re

import jsonschema
import pytest
from openapi_spec_validator import validate

from tarot.config import Settings
from tarot.main import create_app
from tarot.schemas.examples import EXAMPLES

PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}
METHODS = {"get", "post", "put", "patch", "delete"}


def document(**settings) -> dict:
    return create_app(Settings(DATABASE_URL="sqlite+aiosqlite:///:memory:", **settings)).openapi()


@pytest.fixture(scope="module")
def doc() -> dict:
    return document(ops_token="ops")


def operations(doc: dict) -> dict[str, dict]:
    found = {}
    for path, item in doc["paths"].items():
        for method, operation in item.items():
            if method in METHODS:
                found[operation["operationId"]] = operation | {"_where": f"{method} {path}"}
    return found


def resolve(doc: dict, schema: dict) -> dict:
    while "$ref" in schema:
        schema = doc["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def has_examples(doc: dict, media: dict) -> bool:
    """An example on the media type or the schema, or on what a list or a page of it holds."""
    if "example" in media or "examples" in media:
        return True
    schema = resolve(doc, media["schema"])
    if schema.get("examples"):
        return True
    inner = schema.get("items") or schema.get("properties", {}).get("items", {}).get("items")
    return bool(inner) and bool(resolve(doc, inner).get("examples"))


def test_the_document_validates(doc):
    validate(doc)
    validate(document())


def test_operation_ids_read_well(doc):
    ids = operations(doc)
    assert {"listCards", "getCard", "createReading", "getReading", "streamReading"} <= set(ids)
    for name in ids:
        assert re.fullmatch(r"[a-z]+(?:[A-Z][a-z]*)*", name), name


def test_bearer_security_on_exactly_the_routes_that_take_it(doc):
    schemes = doc["components"]["securitySchemes"]
    assert schemes["bearer"] == schemes["bearer"] | {"type": "http", "scheme": "bearer"}
    ops = operations(doc)
    assert ops["getMe"]["security"] == [{"bearer": []}]
    assert ops["updateCard"]["security"] == [{"bearer": []}]
    assert ops["createReading"]["security"] == [{}, {"bearer": []}]
    assert ops["getReading"]["security"] == [{}, {"bearer": []}]
    assert ops["memoryReport"]["security"] == [{"opsToken": []}]
    for public in ("listCards", "getCard", "listSpreads", "getSharedReading", "health"):
        assert "security" not in ops[public], public
    for name, operation in ops.items():
        assert ("401" in operation["responses"]) == ("security" in operation), name


def test_each_route_lists_only_its_own_errors(doc):
    ops = operations(doc)
    assert set(ops["getDailyCard"]["responses"]) == {"200", "304", "422"}  # a malformed ?lang=
    assert set(ops["getCard"]["responses"]) == {"200", "304", "404", "422"}
    assert set(ops["health"]["responses"]) == {"200"}
    assert set(ops["createReading"]["responses"]) == {
        "201",
        "202",
        "400",
        "401",
        "404",
        "413",
        "422",
        "429",
        "503",
    }
    assert "403" in ops["updateCard"]["responses"] and "403" not in ops["getMe"]["responses"]


def test_catalog_routes_document_lang_and_vary(doc):
    ops = operations(doc)
    catalog = ("listCards", "getCard", "randomCards", "getDailyCard", "listSpreads", "getSpread")
    for name in catalog:
        params = {param["name"]: param for param in ops[name].get("parameters", [])}
        assert params["lang"]["in"] == "query", name
        assert "zh-TW" in params["lang"]["description"], name
        assert {"Vary", "Content-Language"} <= set(ops[name]["responses"]["200"]["headers"]), name


def test_one_shared_problem_component(doc):
    assert "Problem" in doc["components"]["schemas"]
    assert "HTTPValidationError" not in doc["components"]["schemas"]
    for name, operation in operations(doc).items():
        for status, response in operation["responses"].items():
            if status.startswith(("4", "5")) and name != "ready":
                assert response["content"] == {"application/problem+json": {"schema": PROBLEM_REF}}
    assert len(re.findall(r'"title": "Problem"', str(doc).replace("'", '"'))) == 1


def test_examples_on_bodies_and_main_responses_and_each_one_validates(doc):
    for name, operation in operations(doc).items():
        if body := operation.get("requestBody"):
            assert has_examples(doc, body["content"]["application/json"]), name
        for status, response in operation["responses"].items():
            content = response.get("content", {})
            if status.startswith("2") and "application/json" in content:
                assert has_examples(doc, content["application/json"]), (name, status)
    components = doc["components"]
    for component, example in EXAMPLES.items():
        schema = {"$ref": f"#/components/schemas/{component}", "components": components}
        jsonschema.Draft202012Validator(schema).validate(example)
        assert components["schemas"][component]["examples"] == [example]


def test_response_headers_and_the_202(doc):
    ops = operations(doc)
    accepted = ops["createReading"]["responses"]["202"]
    assert accepted["description"].startswith("Accepted")
    assert {"Location", "Idempotent-Replayed"} <= set(accepted["headers"])
    assert {"ETag", "Cache-Control", "Vary"} <= set(ops["getCard"]["responses"]["200"]["headers"])
    assert "Retry-After" in ops["createReading"]["responses"]["503"]["headers"]
    assert "Retry-After" in ops["createReading"]["responses"]["429"]["headers"]
    stream = ops["streamReading"]["responses"]["200"]
    assert "text/event-stream" in stream["content"] and "Cache-Control" in stream["headers"]
    keys = [p["name"] for p in ops["createReading"]["parameters"]]
    assert "idempotency-key" in keys


def test_switched_off_and_compat_routes_are_not_in_the_schema():
    paths = set(document()["paths"])
    assert not any(path.startswith("/api/v1/monitoring") for path in paths)
    assert "/metrics" not in paths
    assert not any(path.startswith(("/tarotapi", "/docs", "/openapi")) for path in paths)
    with_ops = set(document(ops_token="ops")["paths"])
    assert "/metrics" in with_ops and "/api/v1/monitoring/memory" in with_ops


async def test_served_lazily_as_bytes_with_an_etag(client):
    app = client.app
    assert app.state.tarot.openapi_body is None, "nothing is built at startup"
    first = await client.get("/openapi.json")
    assert first.status_code == 200
    assert first.json() == app.openapi()
    # 182 KB with inlined problems; ~82 KB now with sessions, follow-ups, notes and languages.
    assert len(first.content) < 100_000, "the document is lean"
    assert isinstance(app.state.tarot.openapi_body.body, bytes)
    assert app.openapi_schema is None, "no dict is kept"
    again = await client.get("/openapi.json", headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304


async def test_docs_load_only_local_assets(client):
    page = await client.get("/docs")
    assert page.status_code == 200
    html = page.text
    assert "http://" not in html and "https://" not in html
    urls = re.findall(r'(?:src|href)="([^"]+)"', html) + re.findall(r"url: '([^']+)'", html)
    assert len(urls) >= 4
    for url in urls:
        assert url.startswith("/") and not url.startswith("//"), url
        response = await client.get(url)
        assert response.status_code == 200, url
        assert response.content
    css = await client.get("/docs/assets/swagger-ui.css")
    assert css.headers["content-type"].startswith("text/css")
    assert (await client.get("/docs/assets/index.html")).status_code == 404
