"""The OpenAPI document: per-route errors and headers, auth read off dependencies, one Problem.

Routers declare what only they know (`problems(404)`, `cached()`, `headers(...)`). What a
dependency implies is added here when the document is built: a route that depends on
`OptionalUser` may be called with a bearer token and answers 401 to a bad one, an admin
route answers 403, a rate-limited one 429, a route with a body 400 and 413. Nothing here runs at
startup: the document is built on the first `/openapi.json` (or `app.openapi()`).
"""

from __future__ import annotations

from collections.abc import Callable
from http import HTTPStatus
from typing import Any

PROBLEM_JSON = "application/problem+json"
PROBLEM = {"$ref": "#/components/schemas/Problem"}

HEADERS: dict[str, str] = {
    "ETag": "Strong validator of this body; send it back as If-None-Match.",
    "Cache-Control": "How long a client or proxy may reuse the body.",
    "Vary": "Request headers the body depends on (catalog texts: also Accept-Language).",
    "Content-Language": "The language of the texts: `en`, `zh-TW` or `es`.",
    "Location": "URL of the reading.",
    "Retry-After": "Seconds to wait before trying again.",
    "WWW-Authenticate": "The authentication scheme to use: Bearer.",
    "Idempotent-Replayed": "`true` when an earlier request with this Idempotency-Key made it.",
}
INTEGER_HEADERS = {"Retry-After"}

ERRORS: dict[int, str] = {
    400: "The body could not be read (it is not UTF-8 JSON).",
    401: "A bearer token is missing, invalid or expired.",
    403: "The account may not do this.",
    404: "Nothing matches the path's id, or it is not yours.",
    409: "It conflicts with what exists.",
    413: "The request body is over the size limit.",
    422: "The request does not validate; `errors` lists each problem.",
    429: "Too many requests from this client; see Retry-After.",
    503: "Temporarily unable to take this request; see Retry-After.",
}
ERROR_HEADERS = {401: ("WWW-Authenticate",), 429: ("Retry-After",), 503: ("Retry-After",)}

SECURITY_SCHEMES = {
    "bearer": {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "JWT",
        "description": "The access_token from POST /api/v1/auth/login.",
    },
    "refreshCookie": {
        "type": "apiKey",
        "in": "cookie",
        "name": "tarot_refresh",
        "description": "Cookie mode (login with ?mode=cookie): set by the login, httpOnly.",
    },
    "opsToken": {
        "type": "http",
        "scheme": "bearer",
        "description": "The TAROT_OPS_TOKEN of the deployment.",
    },
}
SECURITY: dict[str, list[dict[str, list[str]]]] = {
    "optional": [{}, {"bearer": []}],
    "required": [{"bearer": []}],
    "ops": [{"opsToken": []}],
}


def headers(*names: str) -> dict[str, dict[str, Any]]:
    """Header objects for a response, from the shared descriptions."""
    return {
        name: {
            "description": HEADERS[name],
            "schema": {"type": "integer" if name in INTEGER_HEADERS else "string"},
        }
        for name in names
    }


def problem_response(status: int, description: str | None = None) -> dict[str, Any]:
    """One problem+json response referring to the shared Problem component."""
    entry: dict[str, Any] = {
        "description": description or ERRORS.get(status) or HTTPStatus(status).phrase,
        "content": {PROBLEM_JSON: {"schema": PROBLEM}},
    }
    if status in ERROR_HEADERS:
        entry["headers"] = headers(*ERROR_HEADERS[status])
    return entry


def problems(*statuses: int, **descriptions: str) -> dict[int | str, dict[str, Any]]:
    """`responses=` entries for the domain errors a route raises itself (404, 409, 503...).

    A description can be given per status as `e404="..."`.
    """
    return {status: problem_response(status, descriptions.get(f"e{status}")) for status in statuses}


def cached(
    description: str = "The resource.", *, localized: bool = False
) -> dict[int | str, dict[str, Any]]:
    """A cached catalog body: ETag, Cache-Control and Vary, and 304 on a matching ETag.

    `localized` bodies come in one version per language (`Content-Language`).
    """
    names = ("ETag", "Cache-Control", "Vary") + (("Content-Language",) if localized else ())
    return {
        200: {"description": description, "headers": headers(*names)},
        304: {
            "description": "Not Modified: the If-None-Match ETag still matches.",
            "headers": headers(*names),
        },
    }


def example(value: Any, description: str = "Successful Response") -> dict[int | str, dict]:
    """A 200 JSON example, for routes that answer a plain dict rather than a model."""
    return {200: {"description": description, "content": {"application/json": {"example": value}}}}


def operation_id(route: Any) -> str:
    """`list_cards` -> `listCards`: names that read well in generated clients."""
    head, *rest = route.name.split("_")
    return head + "".join(word.title() for word in rest)


def _dependency_docs() -> dict[Callable, tuple[str | None, tuple[int, ...]]]:
    from tarot import deps

    return {
        deps.get_optional_user: ("optional", (401,)),
        deps.get_current_user: ("required", (401,)),
        deps.get_admin_user: ("required", (403,)),
        deps.require_ops: ("ops", (401,)),
    }


def _calls(dependant: Any) -> list[Callable]:
    found = []
    for sub in dependant.dependencies:
        found.append(sub.call)
        found.extend(_calls(sub))
    return found


def _implied(route: Any, table: dict) -> tuple[str | None, set[int]]:
    """The security and error statuses a route's dependencies imply."""
    security: str | None = None
    statuses: set[int] = set()
    for call in _calls(route.dependant):
        kind, errors = table.get(call, (None, ()))
        statuses.update(errors, getattr(call, "documented_errors", ()))
        if kind == "ops" or (kind == "required" and security != "ops"):
            security = kind
        elif kind == "optional" and security is None:
            security = kind
    if route.body_field is not None:
        statuses.update((400, 413))
    return security, statuses


def _strip_titles(schema: Any) -> None:
    # Pydantic titles every property after its name; generators ignore them, readers too.
    if isinstance(schema, dict):
        properties = schema.get("properties")
        if isinstance(properties, dict):
            for value in properties.values():
                if isinstance(value, dict):
                    value.pop("title", None)
        for value in schema.values():
            _strip_titles(value)
    elif isinstance(schema, list):
        for value in schema:
            _strip_titles(value)


def build_document(app: Any) -> dict[str, Any]:
    """The whole document, freshly built; the caller decides whether to keep it."""
    from fastapi.openapi.utils import get_openapi
    from fastapi.routing import APIRoute, iter_route_contexts

    from tarot.schemas.common import Problem
    from tarot.schemas.examples import EXAMPLES

    document = get_openapi(
        title=app.title,
        version=app.version,
        summary=app.summary,
        description=app.description,
        routes=app.routes,
        tags=app.openapi_tags,
    )
    table = _dependency_docs()
    # Route contexts carry the prefix and the dependencies of the routers a route sits in.
    for route in iter_route_contexts(app.routes):
        if not isinstance(route.original_route, APIRoute) or not route.include_in_schema:
            continue
        security, statuses = _implied(route, table)
        if route.methods is None:  # every APIRoute has methods; None would be FastAPI's bug
            raise RuntimeError(f"{route.path_format} is an APIRoute without methods")
        for method in route.methods:
            operation = document["paths"][route.path_format][method.lower()]
            responses = operation["responses"]
            if "422" in responses:  # FastAPI's own validation entry, in its own shape
                responses["422"] = problem_response(422)
            for status in statuses:
                responses.setdefault(str(status), problem_response(status))
            operation["responses"] = dict(sorted(responses.items()))
            if security:
                operation["security"] = SECURITY[security]
    components = document.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    for unused in ("HTTPValidationError", "ValidationError"):
        schemas.pop(unused, None)
    schemas["Problem"] = Problem.model_json_schema()
    for name, example in EXAMPLES.items():
        if name in schemas:
            schemas[name]["examples"] = [example]
    components["schemas"] = dict(sorted(schemas.items()))
    components["securitySchemes"] = SECURITY_SCHEMES
    _strip_titles(components["schemas"])
    return document
