"""Idle database traffic: what the server's database does while the server has nothing to do.

`pg_stat_database` counts every transaction in the database, an autovacuum worker's visit
included, so pg_stat_activity is sampled through the window too: a window that an
autovacuum worker visited is flagged (the caller measures it again), and statements the
server's own connections ran are counted from their state changes as a second view.
The probe connects to another database, so its own queries never count.
"""

from __future__ import annotations

import asyncio
import time

import asyncpg

XACTS = "SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = $1"
ACTIVITY = "SELECT pid, backend_type, state_change FROM pg_stat_activity WHERE datname = $1"


def count_changes(samples: list[list[tuple[int, str, object]]]) -> tuple[int, bool]:
    """(client-backend state changes after the first sample, an autovacuum worker seen)."""
    if not samples:
        return 0, False
    first = {(pid, at) for pid, kind, at in samples[0] if kind == "client backend"}
    seen = {(pid, at) for rows in samples for pid, kind, at in rows if kind == "client backend"}
    autovacuum = any(kind == "autovacuum worker" for rows in samples for _, kind, _ in rows)
    return len(seen - first), autovacuum


async def _window(dsn: str, database: str, seconds: float, every: float) -> dict[str, float]:
    conn = await asyncpg.connect(dsn)
    try:
        before = int(await conn.fetchval(XACTS, database) or 0)
        samples = []
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            rows = await conn.fetch(ACTIVITY, database)
            samples.append([(r["pid"], r["backend_type"], r["state_change"]) for r in rows])
            await asyncio.sleep(every)
        after = int(await conn.fetchval(XACTS, database) or 0)
    finally:
        await conn.close()
    statements, autovacuum = count_changes(samples)
    return {"xacts": after - before, "statements_seen": statements, "autovacuum": autovacuum}


def window(dsn: str, database: str, seconds: float, every: float = 0.05) -> dict[str, float]:
    """Transactions of `database` over `seconds`, statements seen, whether autovacuum came."""
    return asyncio.run(_window(dsn, database, seconds, every))
