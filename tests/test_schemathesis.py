"""Schemathesis against the app's own OpenAPI schema, in process: every route, twice.

Each operation runs once anonymously and once authenticated (an admin's bearer token, or the
ops token for the monitoring routes and `/metrics`). The checks: no 5xx, and every documented
response matches its schema. Schemathesis reaches the app over ASGI, no server: its transport
starts the app's lifespan (database, caches, queue) on a test's first request and its pytest
plugin stops it when the test ends.

Path parameters are sometimes swapped for ids that exist (seeded cards and spreads, readings
and a share made for the test), so success responses get validated too, not only 404s; and
integers and strings sometimes come from a small dictionary of edge values (int64 bounds, NUL,
non-ASCII digits, LIKE wildcards).

`status_code_conformance` and `content_type_conformance` are on: each route documents exactly
the error statuses it can return, all as `application/problem+json` (see `tarot/api/openapi.py`).

The run is bounded and reproducible: a fixed seed, derandomized Hypothesis, a small
`max-examples`, no example database and a per-request timeout (an event stream is cut after a
few events or at that timeout, so nothing hangs).
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable
from typing import Any

import asyncpg
import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from sqlalchemy import select

from tarot.config import Settings
from tarot.db.migrate import seed, upgrade
from tarot.db.models import Card, Spread
from tarot.db.session import Database, create_database
from tarot.main import create_app
from tarot.services.accounts import create_admin

OPS_TOKEN = "ops-token"
ADMIN_EMAIL = "schemathesis-admin@example.com"
ADMIN_PASSWORD = "schemathesis-admin-password"
OPS_PATHS = ("/api/v1/monitoring/", "/metrics")
BASE_URL = "http://testserver"

CONFIG = schemathesis.Config.from_dict(
    {
        "seed": 20250101,
        # No Hypothesis example database and no schemathesis cache: runs do not depend on history.
        "cache": {"enabled": False},
        "generation": {
            "max-examples": 25,
            "deterministic": True,
            "database": "none",
            # Now and then, a value from the edges instead of a random one.
            "dictionaries": {
                "integer": {"dictionary": "edge-integers", "probability": 0.2},
                "string": {"dictionary": "edge-strings", "probability": 0.2},
            },
        },
        "dictionaries": {
            "edge-integers": {"values": [0, -1, 2**31, 2**53 + 1, 2**63 - 1, 2**63, 2**64]},
            # NUL, a superscript and other non-ASCII digits, LIKE wildcards, quotes, an astral char.
            "edge-strings": {
                "values": ["\x00", "a\x00b", "\u00b2", "\u0661", "%", "_", "\\", "'", "\U0001f0a1"]
            },
        },
        "phases": {"stateful": {"enabled": False}},
        "checks": {
            "enabled": False,
            "not_a_server_error": {"enabled": True},
            "response_schema_conformance": {"enabled": True},
            "status_code_conformance": {"enabled": True},
            "content_type_conformance": {"enabled": True},
        },
        "request-timeout": 10,
        "max-stream-events": 5,
    }
)

# The document the app serves at /openapi.json; building an app connects to nothing.
# `test_served_schema_is_the_tested_one` checks that the running app serves exactly this.
# The ops token is set, as for the server below: without it the ops routes are not in the schema.
OPENAPI = create_app(
    Settings(DATABASE_URL="sqlite+aiosqlite:///:memory:", ops_token=OPS_TOKEN)
).openapi()
schema = schemathesis.openapi.from_dict(OPENAPI, config=CONFIG)

# Ids that exist, by path parameter name; filled by fixtures, drawn from while generating.
KNOWN: dict[str, list[str]] = {"card_id": [], "slug": [], "reading_id": [], "token": []}


@schema.hook
def flatmap_path_parameters(context, path_parameters: dict[str, Any] | None) -> st.SearchStrategy:
    """Keep the generated path parameters, or put an id that exists in one of them."""
    options = [st.just(path_parameters)]
    for name in path_parameters or {}:
        if KNOWN.get(name):
            known = st.sampled_from(KNOWN[name])
            options.append(known.map(lambda v, n=name: {**path_parameters, n: v}))
    return st.one_of(options)


class AsServer:
    """The app as a server runs it: an error re-raised after its 500 went out stays in the server.

    Starlette answers an unhandled error with 500 (the app logs it) and then re-raises it for the
    server. Raised into the test, it would hide the 500 from `not_a_server_error` and its curl
    reproducer; anything else (a crash mid-stream, an error before any answer) still raises.
    """

    def __init__(self, app: FastAPI) -> None:
        self.app = app

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        status = None

        async def tracked(message: dict) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, tracked)
        except Exception:
            if scope["type"] != "http" or status is None or status < 500:
                raise


@pytest.fixture(scope="module")
async def st_database_url(pg_server_url: str) -> AsyncIterator[str]:
    """A database of its own: fuzzed edits, users and readings stay out of other tests."""
    name = f"tarot_st_{uuid.uuid4().hex[:10]}"
    server = await asyncpg.connect(pg_server_url)
    await server.execute(f'CREATE DATABASE "{name}"')
    base = pg_server_url.rpartition("/")[0].removeprefix("postgresql://")
    url = f"postgresql+asyncpg://{base}/{name}"
    try:
        await upgrade(url)
        db = create_database(Settings(DATABASE_URL=url))
        async with db.sessionmaker.begin() as session:
            await seed(session)
        await db.dispose()
        yield url
    finally:
        await server.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await server.close()


@pytest.fixture(scope="module")
async def side_db(st_database_url: str) -> AsyncIterator[Database]:
    """That database from the test's own event loop (the app's runs in schemathesis' thread)."""
    db = create_database(Settings(DATABASE_URL=st_database_url))
    try:
        yield db
    finally:
        await db.dispose()


@pytest.fixture(scope="module")
async def known_catalog(side_db: Database) -> None:
    """A few cards (by slug and by code) and every spread, as seeded."""
    async with side_db.sessionmaker() as session:
        cards = (await session.execute(select(Card.id, Card.code).limit(3))).all()
        KNOWN["card_id"][:] = [value for row in cards for value in row]
        KNOWN["slug"][:] = list(await session.scalars(select(Spread.slug)))


@pytest.fixture(scope="module")
def token_cache() -> dict[uuid.UUID, str]:
    """Admin access tokens by user id, so each test does not pay for a password check."""
    return {}


@pytest.fixture
def server(make_settings, st_database_url: str) -> AsServer:
    return AsServer(
        create_app(
            make_settings(
                "postgres",
                DATABASE_URL=st_database_url,
                ops_token=OPS_TOKEN,
                worker_concurrency=1,
                reading_wait_seconds=2.0,
            )
        )
    )


@pytest.fixture
async def admin_id(side_db: Database) -> uuid.UUID:
    """The admin account, (re)created: `DELETE /me` with the admin's token removes it."""
    async with side_db.sessionmaker.begin() as session:
        user = await create_admin(session=session, email=ADMIN_EMAIL, password=ADMIN_PASSWORD)
        return user.id


def call(server: AsServer, method: str, path: str, **kwargs: Any) -> Any:
    """One request through the schema's own operation, outside generation."""
    response = schema[path][method].Case(**kwargs).call(app=server, base_url=BASE_URL)
    assert response.status_code < 300, f"{method} {path}: {response.status_code} {response.text}"
    return response.json()


def _still_valid(server: AsServer, token: str) -> bool:
    # A fuzzed POST /auth/logout or DELETE /me/sessions/{id} may have ended the cached session.
    case = schema["/api/v1/me"]["GET"].Case(headers={"Authorization": f"Bearer {token}"})
    return case.call(app=server, base_url=BASE_URL).status_code == 200


@pytest.fixture
def admin_headers(server: AsServer, admin_id: uuid.UUID, token_cache: dict) -> dict[str, str]:
    if admin_id not in token_cache or not _still_valid(server, token_cache[admin_id]):
        body = {"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD}
        token_cache[admin_id] = call(server, "POST", "/api/v1/auth/login", body=body)[
            "access_token"
        ]
    return {"Authorization": f"Bearer {token_cache[admin_id]}"}


@pytest.fixture
def known_ids(
    request: pytest.FixtureRequest, known_catalog: None, server: AsServer, admin_headers: dict
) -> None:
    """The catalog, and fresh readings for the routes that take one: anonymous, owned, shared."""
    label = getattr(request.node, "operation_label", None) or "{reading_id}"
    if "{reading_id}" not in label and "{token}" not in label:
        KNOWN["reading_id"][:], KNOWN["token"][:] = [], []
        return
    create = "/api/v1/readings"
    body = {"question": "What should I focus on?"}
    anonymous = call(server, "POST", create, body=body)["id"]
    owned = call(server, "POST", create, body=body, headers=admin_headers)["id"]
    share = "/api/v1/readings/{reading_id}/share"
    token = call(
        server, "POST", share, path_parameters={"reading_id": owned}, headers=admin_headers
    )
    KNOWN["reading_id"][:] = [anonymous, owned]
    KNOWN["token"][:] = [token["token"]]


@pytest.fixture
def auth_headers(identity: str, admin_headers: dict) -> Callable[[str], dict[str, str]]:
    """Headers for a path under `identity`: none, or the ops token or an admin's bearer token."""
    if identity == "anonymous":
        return lambda _path: {}
    ops = {"Authorization": f"Bearer {OPS_TOKEN}"}
    return lambda path: ops if path.startswith(OPS_PATHS) else admin_headers


@pytest.mark.parametrize("identity", ["anonymous", "authenticated"])
@schema.parametrize()
# Per test on purpose: one app (lifespan) and one login serve all of a test's examples.
# Generation time depends on the machine's load; it must not fail the run.
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
def test_api(
    case: schemathesis.Case, identity: str, server: AsServer, auth_headers, known_ids: None
) -> None:
    case.call_and_validate(app=server, base_url=BASE_URL, headers=auth_headers(case.path))


def test_served_schema_is_the_tested_one(server: AsServer) -> None:
    """The running app serves, at /openapi.json, exactly the document the run is built from."""
    served = schemathesis.openapi.from_asgi("/openapi.json", server, config=CONFIG)
    assert served.raw_schema == OPENAPI
