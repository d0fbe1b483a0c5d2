"""A new reading into the table: written at once when the offline reader would write it.

The offline reader takes a fraction of a millisecond, so queueing its readings only bought
bookkeeping: a claim, saves and an outcome, each its own transaction. When the chain's first
usable provider is the offline reader (no key, or every provider before it cooling down), or
the question is a crisis (which only the reader answers), the reading is inserted already
`completed`, in the one transaction that stores it: still never lost, never half written.
Every other reading is inserted `pending`, under the queue cap, with a wake for one worker.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession

from tarot.db.models import Reading, utcnow
from tarot.db.session import Database
from tarot.llm.attempts import Attempt
from tarot.llm.chain import ProviderChain
from tarot.services.admission import admit_pending
from tarot.services.cache import Cache
from tarot.services.pipeline.context import context_for
from tarot.services.pipeline.store import notify_pending
from tarot.services.reader import structured_from
from tarot.statuses import ReadingStatus

if TYPE_CHECKING:
    from tarot.services.pipeline.workers import ReadingQueue

CRISIS = "crisis"


def writes_offline(factory: ProviderChain) -> bool:
    """Whether the chain would hand a reading written now to the offline reader."""
    for name in factory.chain:
        if not factory.is_configured(name):
            continue
        if name == "offline":
            return True
        if factory.stats[name].cooldown_until <= time.time():
            return False  # a healthy provider comes first
    return False


async def enqueue(
    *, session: AsyncSession, db: Database, cache: Cache, queue: ReadingQueue, reading: Reading
) -> None:
    """Run the reader once; store the reading written (offline, crisis) or pending for a worker."""
    from tarot.llm.reader.compose import write  # the reader's data loads on first use

    settings = queue.settings
    context = await context_for(
        db=db, cache=cache, image_base_url=settings.image_base_url, reading=reading, session=session
    )
    began = time.monotonic()
    written = write(context, crisis_text=settings.crisis_text)
    reader = structured_from(written)
    reading.safety_class, reading.reader = reader["safety_class"], reader
    reading.attempts, reading.claims = [], 0
    inline = reading.safety_class == CRISIS or writes_offline(queue.factory)
    if inline and settings.reading_inline_offline:
        await _written_now(session, db, queue, reading, written.text, began)
        return
    reading.status, reading.interpretation = ReadingStatus.pending, ""
    # Last before the insert: the cap holds its lock until the route commits, and nothing in
    # between may need a second pooled connection.
    await db.write_turn(session)
    await admit_pending(session=session, limit=settings.queue_max_pending)
    session.add(reading)
    await session.flush()
    await wake_on_commit(session=session, db=db, queue=queue)


async def wake_on_commit(*, session: AsyncSession, db: Database, queue: ReadingQueue) -> None:
    """One worker somewhere is told once the pending reading commits (never before)."""
    if db.is_postgres:
        await notify_pending(session=session)  # echoed to this instance's listener too
    else:
        event.listen(session.sync_session, "after_commit", lambda _s: queue.wake(), once=True)


async def _written_now(
    session: AsyncSession,
    db: Database,
    queue: ReadingQueue,
    reading: Reading,
    text: str,
    began: float,
) -> None:
    # Not under the queue cap: the cap bounds work waiting for a worker, and this reading
    # never waits. The memory guard and the rate limits still applied to it.
    provider = await queue.factory.get("offline")
    latency_ms = round((time.monotonic() - began) * 1000, 1)
    now = utcnow()
    reading.status, reading.interpretation = ReadingStatus.completed, text
    reading.provider, reading.model = provider.name, provider.model
    reading.attempts = [Attempt("offline", "ok", latency_ms).as_dict()]
    reading.created_at = reading.started_at = reading.completed_at = now
    await db.write_turn(session)
    session.add(reading)
    await session.flush()

    def observe(sync_session) -> None:
        if reading not in sync_session:  # rolled back (an idempotent replay won the race)
            return
        queue.metrics.observe_reading(provider.name, ReadingStatus.completed)
        queue.metrics.observe_provider(provider.name, latency_ms / 1000)
        stats = queue.factory.stats.get(provider.name)
        if stats is not None:
            stats.calls += 1
            stats.successes += 1
            stats.total_latency_ms += latency_ms

    event.listen(session.sync_session, "after_commit", observe, once=True)
