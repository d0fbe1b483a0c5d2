"""The pending-queue cap, checked and taken atomically with the insert that follows it."""

from __future__ import annotations

from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from tarot.db.models import Reading
from tarot.errors import Unavailable
from tarot.statuses import ReadingStatus

# Any fixed number: it names the one Postgres advisory lock that serializes admissions.
ADMISSION_LOCK = 0x7A207_0001


async def admit_pending(*, session: AsyncSession, limit: int) -> None:
    """Refuse with 503 when `limit` readings already wait; else hold the queue until commit.

    Without the lock two requests could both see 19 waiting and both insert, letting 21 in
    against 20. The lock lives until the caller's transaction ends, i.e. just after the
    reading is inserted and committed: on Postgres a transaction-scoped advisory lock, on
    SQLite the database write lock, taken by a write that changes nothing.

    Readings the offline reader writes at once never come here: the cap bounds work waiting
    for a worker, and they never wait (the memory guard and rate limits still apply).
    """
    if session.get_bind().dialect.name == "postgresql":
        await session.execute(select(func.pg_advisory_xact_lock(ADMISSION_LOCK)))
    else:
        await session.execute(text("UPDATE reading SET status = status WHERE 0 = 1"))
    if await queue_full(session=session, limit=limit):
        raise Unavailable("Too many readings are waiting; please retry shortly.", retry_after=5)


async def queue_full(*, session: AsyncSession, limit: int) -> bool:
    """Whether `limit` readings wait: a probe for the limit-th one, not a count of them all.

    It reads at most `limit` entries of the (status, created_at) index, however big the
    table grows.
    """
    if limit <= 0:
        return True
    probe = (
        select(Reading.id)
        .where(Reading.status == ReadingStatus.pending)
        .order_by(Reading.created_at)
        .offset(limit - 1)
        .limit(1)
    )
    return (await session.scalar(probe)) is not None
