"""Periodic housekeeping on apscheduler; this module is imported only when it is enabled."""

from __future__ import annotations

import asyncio
import logging
import zlib
from collections.abc import Awaitable, Callable
from datetime import timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from sqlalchemy import delete, text, update

from tarot.db.models import Reading, utcnow
from tarot.db.session import Database, rowcount
from tarot.llm.chain import ProviderChain
from tarot.services.cache import Cache
from tarot.services.cards import list_cards, load_deck
from tarot.services.idempotency import purge_expired
from tarot.services.memory import MemoryGuard
from tarot.services.pipeline.intake import wake_on_commit
from tarot.services.pipeline.workers import ReadingQueue
from tarot.services.sessions import purge_ended
from tarot.services.spreads import list_spreads
from tarot.statuses import ReadingStatus

log = logging.getLogger("tarot.scheduler")
_local_locks: dict[str, asyncio.Lock] = {}


async def run_locked(db: Database, name: str, job: Callable[[], Awaitable[object]]) -> bool:
    """Run `job` unless another instance (or task) holds its lock; True if it ran."""
    if not db.is_postgres:
        lock = _local_locks.setdefault(name, asyncio.Lock())
        if lock.locked():
            return False
        async with lock:
            await job()
        return True
    key = zlib.crc32(f"tarot:{name}".encode())
    async with db.engine.connect() as conn:
        # A session-level advisory lock lives as long as this connection holds it.
        got = await conn.scalar(text("SELECT pg_try_advisory_lock(:key)"), {"key": key})
        if not got:
            return False
        try:
            await job()
        finally:
            await conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": key})
            await conn.commit()
    return True


async def reclaim_stuck(*, db: Database, queue: ReadingQueue) -> int:
    """Hand readings whose lease ran out back to the queue."""
    async with db.sessionmaker.begin() as session:
        result = await session.execute(
            update(Reading)
            .where(Reading.status == ReadingStatus.running, Reading.lease_until < utcnow())
            # The claim counter moves on too, so the worker that lost the lease is fenced off.
            .values(
                status=ReadingStatus.pending,
                lease_until=None,
                interpretation="",
                claims=Reading.claims + 1,
            )
        )
        if rowcount(result):
            await wake_on_commit(session=session, db=db, queue=queue)
    return rowcount(result)


async def purge_old(*, db: Database, days: int) -> int:
    """Delete anonymous readings older than the retention period."""
    async with db.sessionmaker.begin() as session:
        result = await session.execute(
            delete(Reading).where(
                Reading.owner_id.is_(None), Reading.created_at < utcnow() - timedelta(days=days)
            )
        )
    return rowcount(result)


async def warm_catalog(*, db: Database, cache: Cache, image_base_url: str) -> None:
    """Load the most requested catalog responses into the cache."""
    await load_deck(db=db, cache=cache, image_base_url=image_base_url)
    await list_spreads(db=db, cache=cache)
    await list_cards(db=db, cache=cache, image_base_url=image_base_url, limit=100)


def start_scheduler(
    *,
    db: Database,
    queue: ReadingQueue,
    cache: Cache,
    guard: MemoryGuard,
    factory: ProviderChain,
    retention_days: int,
    image_base_url: str,
    idempotency_ttl_seconds: float = 24 * 3600,
) -> AsyncIOScheduler:
    """Start the housekeeping jobs; each takes its lock so one instance runs it at a time."""
    jobs: dict[str, tuple[int, Callable[[], Awaitable[object]]]] = {
        "reclaim-stuck": (30, lambda: reclaim_stuck(db=db, queue=queue)),
        "purge-old": (3600, lambda: purge_old(db=db, days=retention_days)),
        "warm-catalog": (
            600,
            lambda: warm_catalog(db=db, cache=cache, image_base_url=image_base_url),
        ),
        "purge-idempotency-keys": (
            3600,
            lambda: purge_expired(db=db, ttl_seconds=idempotency_ttl_seconds),
        ),
        "purge-sessions": (3600, lambda: purge_ended(db=db)),
    }
    scheduler = AsyncIOScheduler(timezone="UTC")
    for name, (seconds, job) in jobs.items():
        scheduler.add_job(
            run_locked,
            "interval",
            seconds=seconds,
            args=(db, name, job),
            id=name,
            replace_existing=True,
            coalesce=True,
            max_instances=1,
        )
    # Per-process jobs: every instance samples its own memory and its own providers.
    scheduler.add_job(guard.sample, "interval", seconds=10, id="sample-rss", replace_existing=True)
    scheduler.add_job(
        factory.close_recovered_cooldowns,
        "interval",
        seconds=15,
        id="close-cooldowns",
        replace_existing=True,
    )
    scheduler.start()
    log.info("scheduler started with jobs: %s", ", ".join(job.id for job in scheduler.get_jobs()))
    return scheduler
