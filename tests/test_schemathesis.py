"""Schemathesis against the app's own OpenAPI schema, in process: every route, twice.

Each operation runs once anonymously and once authenticated (an admin's bearer token, or
the ops token for the monitoring routes and `/metrics`). The checks are "no 5xx" and "every
documented response matches its schema". The app is reached over ASGI by schemathesis'
own transport, which starts the app's lifespan on the first request of a test and stops it
when the test ends, so each test gets a live app (database, caches, queue) with no server.

The run is bounded and reproducible: a fixed seed, derandomized Hypothesis, a small
`max-examples`, no example database on disk and a per-request timeout (an event stream
that never ends is cut there instead of hanging the suite).
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable

import asyncpg
import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, settings

from tarot.config import Settings
from tarot.db.migrate import seed, upgrade
from tarot.db.session import Database, create_database
from tarot.main import create_app
from tarot.services.accounts import create_admin

OPS_TOKEN = "ops-token"
ADMIN_EMAIL = "schemathesis-admin@example.com"
ADMIN_PASSWORD = "schemathesis-admin-password"
OPS_PATHS = ("/api/v1/monitoring/", "/metrics")
BASE_URL = "http://testserver"
IDENTITIES = ("anonymous", "authenticated")

CONFIG = schemathesis.Config.from_dict(
    {
        "seed": 20250101,
        # Nothing is written to the tree: no Hypothesis example database, no schemathesis cache.
        "cache": {"enabled": False},
        "generation": {"max-examples": 15, "deterministic": True, "database": "none"},
        "phases": {"stateful": {"enabled": False}},
        "checks": {
            "enabled": False,
            "not_a_server_error": {"enabled": True},
            "response_schema_conformance": {"enabled": True},
        },
        "request-timeout": 10,
        "max-stream-events": 5,
    }
)

# The document the app serves at /openapi.json; building the app connects to nothing.
# `test_served_schema_is_the_tested_one` checks the running app serves exactly this.
OPENAPI = create_app(Settings(DATABASE_URL="sqlite+aiosqlite:///:memory:")).openapi()
schema = schemathesis.openapi.from_dict(OPENAPI, config=CONFIG)


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
    """A connection to that database from the test's own event loop, for setup."""
    db = create_database(Settings(DATABASE_URL=st_database_url))
    try:
        yield db
    finally:
        await db.dispose()


@pytest.fixture(scope="module")
def token_cache() -> dict[uuid.UUID, str]:
    """Admin access tokens by user id, so each test does not pay for a password check."""
    return {}


@pytest.fixture
def app(make_settings, st_database_url: str) -> FastAPI:
    return create_app(
        make_settings(
            "postgres",
            DATABASE_URL=st_database_url,
            ops_token=OPS_TOKEN,
            worker_concurrency=1,
            reading_wait_seconds=2.0,
        )
    )


@pytest.fixture
async def admin_id(side_db: Database) -> uuid.UUID:
    """The admin account, (re)created: `DELETE /me` with the admin's token removes it."""
    async with side_db.sessionmaker.begin() as session:
        user = await create_admin(session=session, email=ADMIN_EMAIL, password=ADMIN_PASSWORD)
        return user.id


@pytest.fixture
def auth_headers(
    request: pytest.FixtureRequest, identity: str, app: FastAPI, token_cache: dict
) -> Callable[[str], dict[str, str]]:
    """Headers for a path under `identity`: none, the ops token, or an admin's bearer token."""
    if identity == "anonymous":
        return lambda _path: {}
    user_id = request.getfixturevalue("admin_id")
    if user_id not in token_cache:
        login = schema["/api/v1/auth/login"]["POST"].Case(
            body={"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD}
        )
        response = login.call(app=app, base_url=BASE_URL)
        assert response.status_code == 200, response.text
        token_cache[user_id] = response.json()["access_token"]
    admin = {"Authorization": f"Bearer {token_cache[user_id]}"}
    ops = {"Authorization": f"Bearer {OPS_TOKEN}"}
    return lambda path: ops if path.startswith(OPS_PATHS) else admin


@pytest.mark.parametrize("identity", IDENTITIES)
@schema.parametrize()
# `app` and `auth_headers` are per test on purpose: one app and one login serve all its examples.
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_api(case: schemathesis.Case, identity: str, app: FastAPI, auth_headers) -> None:
    r = case.call_and_validate(app=app, base_url=BASE_URL, headers=auth_headers(case.path))
    import os
    if os.environ.get("ST_DEBUG"):
        with open("/tmp/st_status.log", "a") as f:
            f.write(f"{case.operation.label}\t{identity}\t{r.status_code}\n")


def test_served_schema_is_the_tested_one(app: FastAPI) -> None:
    """The running app serves, at /openapi.json, exactly the document the run is built from."""
    served = schemathesis.openapi.from_asgi("/openapi.json", app, config=CONFIG)
    assert served.raw_schema == OPENAPI
