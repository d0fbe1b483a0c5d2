"""Checks of DATABASE_URL before a command runs: one plain line instead of a traceback."""

from __future__ import annotations

import asyncio
import socket

from sqlalchemy import text

from tarot.db import HEAD_REVISION

CONNECT_SECONDS = 10.0
EXAMPLES = "postgres://user:password@host:5432/name or sqlite:///path/to/tarot.db"
SUPPORTED_DRIVERS = ("postgresql+asyncpg", "sqlite+aiosqlite")


class SetupError(Exception):
    """A setup problem the operator must fix; its message is one line that says how."""


def check_url(url: str) -> None:
    """Refuse an empty, unparsable or unsupported DATABASE_URL."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    if not url.strip():
        raise SetupError(f"DATABASE_URL is empty; set it to {EXAMPLES}")
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise SetupError(f"DATABASE_URL is not a database URL; use {EXAMPLES}") from None
    if parsed.drivername not in SUPPORTED_DRIVERS:
        raise SetupError(
            f"DATABASE_URL uses {parsed.drivername!r}, which tarot does not support; use {EXAMPLES}"
        )


def _where(url: str) -> str:
    from sqlalchemy.engine import make_url

    parsed = make_url(url)  # named without user or password
    if parsed.get_backend_name() == "sqlite":
        return f"the SQLite file {parsed.database!r}"
    return f"{parsed.host or 'localhost'}:{parsed.port or 5432}/{parsed.database or ''}"


def describe_cause(error: BaseException) -> str:
    """The root cause in a few words, without the URL (it may hold a password)."""
    while (inner := getattr(error, "orig", None) or error.__cause__) is not None:
        error = inner
    name = type(error).__name__
    if isinstance(error, socket.gaierror):
        return "unknown host"
    if isinstance(error, ConnectionRefusedError):
        return "connection refused (nothing listens on that port)"
    if name == "InvalidCatalogNameError":
        return "the database does not exist (create it first)"
    if name in ("InvalidPasswordError", "InvalidAuthorizationSpecificationError"):
        return "the server refused the user or password"
    first_line = (str(error).strip().splitlines() or [name])[0]
    return first_line[:200]


async def check_connection(url: str) -> None:
    """Connect once, within CONNECT_SECONDS, or raise SetupError naming the cause."""
    from sqlalchemy.ext.asyncio import create_async_engine

    engine = create_async_engine(url, hide_parameters=True)
    try:
        async with asyncio.timeout(CONNECT_SECONDS):
            async with engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
    except TimeoutError:
        raise SetupError(
            f"DATABASE_URL: {_where(url)} did not answer within {CONNECT_SECONDS:g} s"
        ) from None
    except Exception as error:  # any driver or socket error: say which, in one line
        raise SetupError(
            f"DATABASE_URL: cannot connect to {_where(url)}: {describe_cause(error)}"
        ) from None
    finally:
        await engine.dispose()


async def check_schema(url: str) -> None:
    """Raise SetupError unless the schema is migrated to this version's head."""
    from sqlalchemy.exc import DBAPIError
    from sqlalchemy.ext.asyncio import create_async_engine

    engine = create_async_engine(url, hide_parameters=True)
    try:
        async with engine.connect() as conn:
            version = await conn.scalar(text("SELECT version_num FROM alembic_version"))
    except DBAPIError:  # no alembic_version table: never migrated
        version = None
    finally:
        await engine.dispose()
    if version is None:
        raise SetupError("the database has no tables yet; run `tarot db upgrade` first")
    if version != HEAD_REVISION:
        raise SetupError(
            f"the database schema is at {version} but this tarot expects {HEAD_REVISION};"
            " run `tarot db upgrade` first"
        )
