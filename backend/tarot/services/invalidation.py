"""Catalog cache invalidation across instances through Postgres LISTEN/NOTIFY."""

from __future__ import annotations

import logging
from collections.abc import Callable

from sqlalchemy import event, text
from sqlalchemy.ext.asyncio import AsyncSession

from tarot.db.session import Database

CHANNEL = "tarot_catalog"
log = logging.getLogger("tarot.invalidation")


async def invalidate_on_commit(
    *, session: AsyncSession, db: Database, invalidate: Callable[[], None]
) -> None:
    """Clear this instance's caches once the edit commits, and tell the other instances."""
    event.listen(session.sync_session, "after_commit", lambda _session: invalidate(), once=True)
    if db.is_postgres:
        # NOTIFY inside the transaction is delivered only if, and when, it commits.
        await session.execute(text("SELECT pg_notify(:channel, 'catalog')"), {"channel": CHANNEL})


class CatalogListener:
    """Holds one LISTEN connection per instance and clears the caches on each notice."""

    def __init__(self, *, dsn: str, invalidate: Callable[[], None]):
        self.dsn = dsn
        self.invalidate = invalidate
        self._conn = None
        self.notices = 0

    async def start(self) -> None:
        import asyncpg

        self._conn = await asyncpg.connect(self.dsn)
        await self._conn.add_listener(CHANNEL, self._on_notice)

    def _on_notice(self, _conn, _pid, _channel, _payload) -> None:
        self.notices += 1
        self.invalidate()

    async def stop(self) -> None:
        if self._conn is not None:
            await self._conn.close()
            self._conn = None
