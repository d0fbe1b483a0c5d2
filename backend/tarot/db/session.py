"""Engine and session factory, created in the app's lifespan."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import CursorResult, Result, event
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from tarot.config import Settings
from tarot.db.outage import quiet_dead_connections


def rowcount(result: Result[*tuple[Any, ...]]) -> int:
    """How many rows the UPDATE or DELETE that gave `result` touched."""
    # AsyncSession.execute is typed to return a Result for any statement; a DML statement's
    # result is a CursorResult, the one that has a rowcount.
    if not isinstance(result, CursorResult):
        raise TypeError(f"a rowcount needs an UPDATE or DELETE, not {type(result).__name__}")
    return result.rowcount


@dataclass(slots=True)
class Database:
    """An engine plus the session factory bound to it."""

    engine: AsyncEngine
    sessionmaker: async_sessionmaker[AsyncSession]
    # SQLite has one writer at a time: our writers queue here, in order, instead of spinning
    # on the file lock in SQLite's busy handler. Postgres needs no such thing.
    write_lock: asyncio.Lock | None = field(default=None)

    @property
    def is_postgres(self) -> bool:
        return self.engine.dialect.name == "postgresql"

    @contextlib.asynccontextmanager
    async def writing(self) -> AsyncIterator[None]:
        """Hold the SQLite write turn around a short write transaction; free on Postgres."""
        if self.write_lock is None:
            yield
            return
        async with self.write_lock:
            yield

    async def write_turn(self, session: AsyncSession) -> None:
        """Hold the SQLite write turn until `session`'s transaction ends (commit or rollback).

        For a request's session, which the route commits. The turn is taken before the
        session holds a pooled connection (a waiter holds none), and the release is tied to
        the transaction's end, which is certain once it has begun.
        """
        if self.write_lock is None or session.info.get("write_turn"):
            return
        await self.write_lock.acquire()
        try:
            await session.connection()
        except BaseException:
            self.write_lock.release()
            raise
        session.info["write_turn"] = True
        lock, sync = self.write_lock, session.sync_session

        def release(_session, transaction) -> None:
            if transaction.parent is None and sync.info.pop("write_turn", False):
                lock.release()

        event.listen(sync, "after_transaction_end", release)

    async def dispose(self) -> None:
        await self.engine.dispose()


def create_database(settings: Settings) -> Database:
    """Build a small-pooled engine for Postgres, or a SQLite one with sane pragmas."""
    if settings.is_sqlite:
        engine = create_async_engine(
            settings.database_url,
            echo=settings.db_echo,
            hide_parameters=True,
            connect_args={"timeout": 30},
        )
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
    else:
        engine = create_async_engine(
            settings.database_url,
            echo=settings.db_echo,
            # Parameters carry questions, reading texts and emails: keep them out of errors.
            hide_parameters=True,
            pool_size=settings.db_pool_size,
            max_overflow=settings.db_max_overflow,
            # One round trip per checkout; after a database restart the pool heals silently.
            pool_pre_ping=True,
            pool_recycle=1800,
            pool_timeout=settings.db_pool_timeout_seconds,
            # asyncpg's statement cache is per connection; a small one is plenty for our queries.
            connect_args={
                "timeout": settings.db_connect_timeout_seconds,
                "command_timeout": settings.db_command_timeout_seconds,
                "statement_cache_size": 64,
                "server_settings": {"application_name": "tarot"},
            },
        )
    lock = asyncio.Lock() if settings.is_sqlite else None
    quiet_dead_connections(engine.sync_engine.pool.logger)
    return Database(engine, async_sessionmaker(engine, expire_on_commit=False), lock)


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    # WAL lets readers proceed while a worker writes; busy_timeout rides out short write locks.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()
