"""The queue's writes to the `reading` table: claim, progress, outcome, restart, release.

The claim count is the generation: every write is fenced on it, so a worker whose lease
expired and was taken over (or whose generation was replaced) cannot overwrite newer work.
"""

from __future__ import annotations

from datetime import UTC, timedelta

from sqlalchemy import and_, func, or_, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from tarot.db.models import Reading, utcnow
from tarot.db.session import Database, rowcount
from tarot.llm.attempts import ChainRun
from tarot.statuses import ReadingStatus

# Every instance LISTENs here; a NOTIFY is sent by the transaction that makes a reading pending.
CHANNEL = "tarot_readings"


class LeaseLost(Exception):
    """Another worker reclaimed the reading; this one must stop writing."""


async def claim(*, db: Database, lease_seconds: float) -> Reading | None:
    """Atomically take the oldest pending (or lease-expired) reading."""
    now = utcnow()
    pick = (
        select(Reading.id)
        .where(
            or_(
                Reading.status == ReadingStatus.pending,
                and_(Reading.status == ReadingStatus.running, Reading.lease_until < now),
            )
        )
        .order_by(Reading.created_at)
        .limit(1)
    )
    if db.is_postgres:
        pick = pick.with_for_update(skip_locked=True)
    statement = (
        update(Reading)
        .where(Reading.id == pick.scalar_subquery())
        .values(
            status=ReadingStatus.running,
            claims=Reading.claims + 1,
            interpretation="",
            started_at=func.coalesce(Reading.started_at, now),
            lease_until=now + timedelta(seconds=lease_seconds),
        )
        .returning(Reading)
        .execution_options(synchronize_session=False)
    )
    async with db.writing(), db.sessionmaker.begin() as session:
        return (await session.scalars(statement)).one_or_none()


async def next_lease_end(*, db: Database) -> float | None:
    """Seconds until the first lease of a `running` reading runs out (None: nothing running)."""
    async with db.sessionmaker() as session:
        until = await session.scalar(
            select(func.min(Reading.lease_until)).where(Reading.status == ReadingStatus.running)
        )
    if until is None:
        return None
    if until.tzinfo is None:  # SQLite drops the zone; every stored time is UTC
        until = until.replace(tzinfo=UTC)
    return (until - utcnow()).total_seconds()


async def save(
    *,
    db: Database,
    reading: Reading,
    text: str,
    lease_seconds: float,
    run: ChainRun | None,
    status: str = ReadingStatus.running,
    error: str | None = None,
) -> None:
    """Persist progress (and renew the lease), or the final outcome when `run` is given."""
    now = utcnow()
    values: dict = {"interpretation": text}
    if run is None:
        values["lease_until"] = now + timedelta(seconds=lease_seconds)
    else:
        values |= {
            "status": status,
            "error": error,
            "provider": run.provider,
            "model": run.model,
            "attempts": [attempt.as_dict() for attempt in run.attempts],
            "usage": _usage(run),
            "completed_at": now,
            "lease_until": None,
        }
    await _fenced(db, reading, values)


async def new_generation(*, db: Database, reading: Reading, lease_seconds: float) -> None:
    """Start the text over under a new generation (the claim count), keeping the lease."""
    until = utcnow() + timedelta(seconds=lease_seconds)
    values = {"claims": reading.claims + 1, "interpretation": "", "lease_until": until}
    await _fenced(db, reading, values)
    reading.claims += 1


async def release(*, db: Database, reading: Reading) -> None:
    """Hand a reading back to the queue so any instance may claim it at once."""
    statement = (
        update(Reading)
        .where(Reading.id == reading.id, Reading.claims == reading.claims)
        .values(status=ReadingStatus.pending, interpretation="", lease_until=None)
        .execution_options(synchronize_session=False)
    )
    async with db.writing(), db.sessionmaker.begin() as session:
        await session.execute(statement)
        await notify_pending(session=session)


async def notify_pending(*, session: AsyncSession) -> None:
    """Tell every instance (this one too) that a reading waits; sent only if the caller commits."""
    if session.get_bind().dialect.name == "postgresql":
        await session.execute(text("SELECT pg_notify(:channel, '')"), {"channel": CHANNEL})


async def _fenced(db: Database, reading: Reading, values: dict) -> None:
    statement = (
        update(Reading)
        .where(Reading.id == reading.id, Reading.claims == reading.claims)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    async with db.writing(), db.sessionmaker.begin() as session:
        result = await session.execute(statement)
    if rowcount(result) == 0:
        raise LeaseLost(str(reading.id))


def _usage(run: ChainRun) -> dict | None:
    if run.usage is None:
        return None
    usage = run.usage
    return {
        "prompt_tokens": usage.prompt_tokens,
        "completion_tokens": usage.completion_tokens,
        "total_tokens": usage.total_tokens,
    }
