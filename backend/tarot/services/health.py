"""Readiness checks."""

from __future__ import annotations

import asyncio

from sqlalchemy import text

from tarot.db.session import Database

PING_TIMEOUT_SECONDS = 2.0


async def database_problem(*, db: Database) -> str | None:
    """None when the database answers a ping in time, else why not."""
    try:
        async with asyncio.timeout(PING_TIMEOUT_SECONDS):
            async with db.engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
    except TimeoutError:
        return f"database did not answer within {PING_TIMEOUT_SECONDS:g}s"
    except Exception as exc:  # any driver error means "not ready", never a 500
        return f"database unreachable: {type(exc).__name__}"
    return None
