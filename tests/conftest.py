"""Shared fixtures: a fresh Postgres database and a SQLite file, migrated and seeded once."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager

import asyncpg
import httpx
import pytest
from sqlalchemy import delete

from fakes.catalog import catalog_restored
from tarot.config import Settings, normalize_database_url
from tarot.db.migrate import seed, upgrade
from tarot.db.models import Reading, User
from tarot.db.session import create_database
from tarot.main import create_app

DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/test"

# The suite must not pick up a developer's keys or settings.
for _name in list(os.environ):
    if (_name.startswith("TAROT_") and _name != "TAROT_TEST_DATABASE_URL") or _name in (
        "GEMINI_API_KEY",
        "OPENAI_API_KEY",
        "DATABASE_URL",
    ):
        del os.environ[_name]

BACKENDS = ("postgres", "sqlite")


def _test_server_url() -> str:
    url = os.environ.get("TAROT_TEST_DATABASE_URL", DEFAULT_PG)
    return normalize_database_url(url).replace("postgresql+asyncpg://", "postgresql://")


def pytest_configure(config) -> None:
    """Stop at once, in one line, when the Postgres the suite needs does not answer."""
    import asyncio

    async def ping() -> None:
        conn = await asyncpg.connect(_test_server_url(), timeout=5)
        await conn.close()

    try:
        asyncio.run(ping())
    except Exception as error:  # any reason at all: the suite cannot run without it
        cause = (str(error).strip() or type(error).__name__).splitlines()[0]
        where = _test_server_url().rpartition("@")[2]  # no user or password
        raise pytest.UsageError(
            f"PostgreSQL at TAROT_TEST_DATABASE_URL ({where}) is unreachable: {cause}"
        ) from None


async def _prepare(url: str) -> None:
    await upgrade(url)
    db = create_database(Settings(DATABASE_URL=url))
    async with db.sessionmaker.begin() as session:
        await seed(session)
    await db.dispose()


@pytest.fixture(scope="session")
async def pg_server_url() -> str:
    """The Postgres server the suite may create databases on (asyncpg DSN)."""
    return _test_server_url()


@pytest.fixture(scope="session")
async def database_urls(pg_server_url: str, tmp_path_factory) -> AsyncIterator[dict[str, str]]:
    """A fresh Postgres database and a SQLite file for this session, both at head and seeded."""
    name = f"tarot_test_{uuid.uuid4().hex[:10]}"
    admin = await asyncpg.connect(pg_server_url)
    await admin.execute(f'CREATE DATABASE "{name}"')
    base, _, _ = pg_server_url.rpartition("/")
    urls = {
        "postgres": f"postgresql+asyncpg://{base.removeprefix('postgresql://')}/{name}",
        "sqlite": f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('db') / 'tarot.db'}",
    }
    try:
        for url in urls.values():
            await _prepare(url)
        yield urls
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


@pytest.fixture
async def restore_catalog(database_urls: dict[str, str]) -> AsyncIterator[None]:
    """Put the catalog back after a test that edits it, on both backends, however it ended.

    A restore at the end of a test body is skipped when an assertion fails first, and every
    later test would then see the edited card.
    """
    async with catalog_restored(database_urls.values()):
        yield


@pytest.fixture
def make_settings(database_urls: dict[str, str]) -> Callable[..., Settings]:
    """Settings for one backend, with explicit overrides and nothing from a developer's env."""

    def build(backend: str = "postgres", **overrides) -> Settings:
        values = {
            "DATABASE_URL": database_urls[backend],
            "llm_providers": "offline",
            "secret_key": "test-secret-key-that-is-long-enough-0123456789",
            # Generous limits by default; the abuse-limit tests set their own.
            "rate_readings_anonymous": "10000/minute",
            "rate_readings_user": "10000/minute",
            "rate_auth": "10000/minute",
            # The shared test server is loaded by parallel runs; the outage tests run their
            # own cluster with the production timeouts.
            "db_command_timeout_seconds": 15,
            "db_pool_timeout_seconds": 15,
            "db_connect_timeout_seconds": 15,
        }
        return Settings(**(values | overrides))

    return build


@pytest.fixture
def make_client(
    make_settings: Callable[..., Settings],
) -> Callable[..., AbstractAsyncContextManager[httpx.AsyncClient]]:
    """Start an app (lifespan included) and yield a client bound to it."""

    @asynccontextmanager
    async def start(backend: str = "postgres", **overrides) -> AsyncIterator[httpx.AsyncClient]:
        app = create_app(make_settings(backend, **overrides))
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
                client.app = app  # type: ignore[attr-defined]
                try:
                    yield client
                finally:
                    async with app.state.tarot.db.sessionmaker.begin() as session:
                        await session.execute(delete(Reading))  # shares go with them
                        await session.execute(delete(User))

    return start


@pytest.fixture(params=BACKENDS)
async def client(request, make_client) -> AsyncIterator[httpx.AsyncClient]:
    """A client for a fresh app, once on Postgres and once on SQLite."""
    async with make_client(request.param) as client:
        yield client


@pytest.fixture
async def pg_client(make_client) -> AsyncIterator[httpx.AsyncClient]:
    """A client for a fresh app on Postgres only."""
    async with make_client("postgres") as client:
        yield client
