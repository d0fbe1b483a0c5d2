"""The pending-queue cap, checked and taken atomically with the insert that follows it."""

from __future__ import annotations

from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from tarot.db.models import Reading
from tarot.errors import Unavailable

# Any fixed number: it names the one Postgres advisory lock that serializes admissions.
ADMISSION_LOCK = 0x7A207_0001


async def admit_pending(*, session: AsyncSession, limit: int) -> None:
    """Refuse with 503 when `limit` readings already wait; else hold the queue until commit.

    Without the lock two requests could both count 19 and both insert, letting 21 in
    against 20. The lock lives until the caller's transaction ends, i.e. just after the
    reading is inserted and committed: on Postgres a transaction-scoped advisory lock, on
    SQLite the database write lock, taken by a write that changes nothing.
    """
    if session.bind.dialect.name == "postgresql":
        await session.execute(select(func.pg_advisory_xact_lock(ADMISSION_LOCK)))
    else:
        await session.execute(text("UPDATE reading SET status = status WHERE 0 = 1"))
    waiting = await session.scalar(
        select(func.count()).select_from(Reading).where(Reading.status == "pending")
    )
    if (waiting or 0) >= limit:
        raise Unavailable("Too many readings are waiting; please retry shortly.", retry_after=5)
