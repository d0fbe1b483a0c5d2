"""Catalog cache invalidation across instances, and the one LISTEN connection it rides on."""

from __future__ import annotations

import asyncio
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


class Listener:
    """One LISTEN connection per instance for every channel: each notice calls its channel's
    handler with `missed=False`. If the connection drops it reconnects, then calls every
    handler once with `missed=True`, for the notices it may have missed meanwhile."""

    def __init__(self, *, dsn: str, channels: dict[str, Callable[[bool], None]]):
        self.dsn = dsn
        self.channels = channels
        self.notices = 0
        self.reconnects = 0
        self._conn = None
        self._reconnecting: asyncio.Task | None = None
        self._stopping = False

    async def start(self) -> None:
        await self._connect()

    async def _connect(self) -> None:
        import asyncpg

        conn = await asyncpg.connect(self.dsn)
        conn.add_termination_listener(self._on_lost)
        for channel in self.channels:
            await conn.add_listener(channel, self._on_notice)
        self._conn = conn

    def _on_notice(self, _conn, _pid, channel, _payload) -> None:
        self.notices += 1
        self.channels[channel](False)

    def _on_lost(self, _conn) -> None:
        if not self._stopping and self._reconnecting is None:
            log.warning("the LISTEN connection dropped; reconnecting")
            self._reconnecting = asyncio.get_running_loop().create_task(self._reconnect())

    async def _reconnect(self) -> None:
        delay = 0.2
        try:
            while not self._stopping:
                try:
                    await self._connect()
                except Exception as exc:  # the database may still be restarting
                    log.warning("LISTEN reconnect failed (%s); retrying", type(exc).__name__)
                    await asyncio.sleep(delay)
                    delay = min(delay * 2, 30.0)
                    continue
                self.reconnects += 1
                for handler in self.channels.values():
                    handler(True)
                return
        finally:
            self._reconnecting = None

    async def stop(self) -> None:
        self._stopping = True
        if self._reconnecting is not None:
            self._reconnecting.cancel()
        if self._conn is not None:
            await self._conn.close()
            self._conn = None


def catalog_channel(invalidate: Callable[[], None]) -> dict[str, Callable[[bool], None]]:
    """The catalog's channel for a Listener: every notice, or a possible miss, clears."""
    return {CHANNEL: lambda _missed: invalidate()}
