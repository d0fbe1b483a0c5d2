"""What the ops routes report: memory, providers, caches and the queue."""

from __future__ import annotations

import asyncio
import gc
import os
import resource
import sys
import time

from sqlalchemy import func, select

from tarot.db.models import Reading, utcnow
from tarot.db.session import Database
from tarot.llm.chain import SDK_MODULES, ProviderChain
from tarot.services.cache import Cache
from tarot.services.memory import MB, MemoryGuard
from tarot.services.pipeline.workers import ReadingQueue
from tarot.statuses import ReadingStatus

STARTED_AT = time.time()


def _process_snapshot() -> dict:
    import psutil  # first monitoring call only

    process = psutil.Process()
    with process.oneshot():
        info = process.memory_info()
        snapshot = {
            "rss_mb": round(info.rss / MB, 2),
            "vms_mb": round(info.vms / MB, 2),
            "threads": process.num_threads(),
            "open_fds": process.num_fds() if hasattr(process, "num_fds") else None,
        }
    try:
        snapshot["uss_mb"] = round(process.memory_full_info().uss / MB, 2)
    except (psutil.AccessDenied, AttributeError):
        snapshot["uss_mb"] = None
    return snapshot


async def memory_report(*, guard: MemoryGuard) -> dict:
    """RSS, peak, VMS, USS, threads, fds, gc counts, uptime, limits and recent history."""
    # psutil reads /proc files; keep that off the event loop.
    snapshot = await asyncio.to_thread(_process_snapshot)
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {
        **snapshot,
        "peak_rss_mb": round(peak_kb / 1024, 2),
        "gc_counts": list(gc.get_count()),
        "gc_collections": [generation["collections"] for generation in gc.get_stats()],
        "uptime_seconds": round(time.time() - STARTED_AT, 1),
        "pid": os.getpid(),
        "limits": guard.limits(),
        "history": [{"at": at, "rss_mb": rss} for at, rss in guard.history],
    }


def providers_report(*, factory: ProviderChain) -> dict:
    """Availability, what is really imported (sys.modules), stats and circuit state."""
    return {
        "chain": factory.chain,
        "available_providers": factory.available_providers(),
        "loaded_providers": factory.loaded_providers(),
        "sdk_modules_imported": {module: module in sys.modules for module in SDK_MODULES.values()},
        "providers": factory.describe(),
    }


def cache_report(*, caches: list[Cache]) -> dict:
    """Per cache: size, maxsize, TTL, hits, misses and hit ratio."""
    return {"caches": [cache.stats() for cache in caches]}


async def queue_report(*, db: Database, queue: ReadingQueue) -> dict:
    """Readings by status, the oldest pending one's age, and worker concurrency."""
    async with db.sessionmaker() as session:
        rows = await session.execute(select(Reading.status, func.count()).group_by(Reading.status))
        counts = {status: count for status, count in rows}
        oldest = await session.scalar(
            select(func.min(Reading.created_at)).where(Reading.status == ReadingStatus.pending)
        )
    if oldest is not None and oldest.tzinfo is None:
        oldest = oldest.replace(tzinfo=utcnow().tzinfo)
    return {
        "counts": {status: counts.get(status, 0) for status in ReadingStatus},
        "oldest_pending_age_seconds": round((utcnow() - oldest).total_seconds(), 1)
        if oldest
        else None,
        "workers": queue.settings.worker_concurrency,
        "active": queue.active,
        "processed": queue.processed,
        "generating_here": len(queue.live),
    }
