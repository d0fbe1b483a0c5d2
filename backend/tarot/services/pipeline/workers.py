"""The reading queue: the `reading` table itself, worked by in-process async workers.

Idle workers cost nothing: they wait for a wake, one per pending reading (a NOTIFY on
Postgres, an in-process signal on SQLite), and each wake goes to one worker only. A slow
sweep (TAROT_QUEUE_SWEEP_SECONDS, sooner when a known lease ends first) finds what no wake
announced: leases that ran out, and readings inserted while this instance's listener was down.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid

from sqlalchemy import select

from tarot.config import Settings
from tarot.db.models import Reading
from tarot.db.outage import is_database_outage
from tarot.db.session import Database
from tarot.llm.chain import ProviderChain
from tarot.services.cache import Cache
from tarot.services.metrics import Metrics
from tarot.services.outage import OutageWatch
from tarot.services.pipeline import store
from tarot.services.pipeline.live import LiveReading
from tarot.services.pipeline.store import LeaseLost
from tarot.services.pipeline.writer import FLUSH_SECONDS, ReadingWriter
from tarot.statuses import TERMINAL

__all__ = ["FLUSH_SECONDS", "TERMINAL", "LeaseLost", "LiveReading", "ReadingQueue"]
log = logging.getLogger("tarot.queue")


class ReadingQueue(ReadingWriter):
    """Claims pending readings (SKIP LOCKED on Postgres) and writes their interpretations."""

    def __init__(
        self,
        *,
        db: Database,
        settings: Settings,
        factory: ProviderChain,
        cache: Cache,
        metrics: Metrics,
    ):
        self.db, self.settings, self.factory, self.cache = db, settings, factory, cache
        self.metrics = metrics
        self.live: dict[uuid.UUID, LiveReading] = {}
        self.active = 0
        self.processed = 0
        self.draining = False
        self.outage = OutageWatch()
        # One token per wake: a wake that lands while every worker is busy (or claiming) waits
        # here for the next worker to look, so none is lost.
        self._wakes = asyncio.Semaphore(0)
        self._sweeping = False
        self._done: dict[uuid.UUID, asyncio.Event] = {}
        self._workers: list[asyncio.Task] = []

    def start(self) -> None:
        """Spawn the workers and the sweep; the first sweep runs at once (work left over)."""
        if self.settings.worker_concurrency <= 0:
            return
        self._workers = [
            asyncio.create_task(self._work(), name=f"reading-worker-{index}")
            for index in range(self.settings.worker_concurrency)
        ]
        self._workers.append(asyncio.create_task(self._sweep(), name="reading-sweep"))

    def drain(self) -> None:
        """Stop claiming now; readings being written are handed back; followers are told."""
        if self.draining:
            return
        self.draining = True
        log.warning("stopping: no new claims; %d reading(s) handed back", self.active)
        for task in self._workers:
            task.cancel()  # each cancelled worker releases its reading (see process())
        for live in list(self.live.values()):
            live.wake()
        for done in self._done.values():
            done.set()

    async def stop(self) -> None:
        """Cancel the workers; a reading cut short is handed back to the queue."""
        self.drain()
        await asyncio.gather(*self._workers, return_exceptions=True)
        self._workers = []

    def wake(self, *, sweep: bool = False) -> None:
        """Send one idle worker to claim a reading; `sweep` passes it on while claims succeed."""
        if not self._workers:
            return  # an instance without workers (TAROT_WORKER_CONCURRENCY=0) keeps no tokens
        self._sweeping = self._sweeping or sweep
        self._wakes.release()

    def watch(self, reading_id: uuid.UUID) -> None:
        """Start listening for a reading's finish; call before committing so none is missed."""
        self._done.setdefault(reading_id, asyncio.Event())

    async def wait_done(self, reading_id: uuid.UUID, timeout: float) -> bool:
        """Wait until a watched reading is completed or failed; True if it is."""
        event = self._done.setdefault(reading_id, asyncio.Event())
        loop = asyncio.get_running_loop()
        end = loop.time() + timeout
        try:
            while (remaining := end - loop.time()) > 0:
                # Another instance may finish it, so look at the table now and then.
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(min(remaining, 1.0)):
                        await event.wait()
                        # Woken by a drain, the reading may well be unfinished.
                        return not self.draining or await self._status(reading_id) in TERMINAL
                if await self._status(reading_id) in TERMINAL:
                    return True
            return False
        finally:
            self._done.pop(reading_id, None)

    async def claim(self) -> Reading | None:
        """Atomically take the oldest pending (or lease-expired) reading."""
        return await store.claim(db=self.db, lease_seconds=self.settings.reading_lease_seconds)

    async def _status(self, reading_id: uuid.UUID) -> str | None:
        async with self.db.sessionmaker() as session:
            return await session.scalar(select(Reading.status).where(Reading.id == reading_id))

    async def _sweep(self) -> None:
        """Now and then, one worker looks for readings no wake announced.

        The next look comes sooner when a lease runs out before then: a dead worker's reading
        is taken over when its lease ends, not up to a sweep later.
        """
        while not self.draining:
            self.wake(sweep=True)
            delay = self.settings.queue_sweep_seconds
            try:
                lease_end = await store.next_lease_end(db=self.db)
            except Exception as exc:
                if not is_database_outage(exc):
                    log.exception("looking for leases failed")
                lease_end = None
            if lease_end is not None:
                delay = min(delay, max(0.1, lease_end + 0.05))
            await asyncio.sleep(delay)

    async def _work(self) -> None:
        while not self.draining:
            await self._wakes.acquire()
            swept, self._sweeping = self._sweeping, False
            try:
                reading = await self._claim_shielded()
                self.outage.succeeded()
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                if not is_database_outage(exc):
                    log.exception("claiming a reading failed; the next wake retries")
                    continue
                await asyncio.sleep(self.outage.failed(exc))
                self.wake(sweep=swept)  # the database is back, or soon: look again
                continue
            if reading is None:
                continue
            if swept:
                self.wake(sweep=True)  # the sweep found work: there may be more
            self.active += 1
            try:
                await self.process(reading)
            except asyncio.CancelledError:
                raise
            except Exception:
                # A worker must outlive any one reading; process() already stored what it could.
                log.exception("writing reading %s failed unexpectedly", reading.id)
            finally:
                self.active -= 1

    async def _claim_shielded(self) -> Reading | None:
        # Stopping mid-claim must not leave a committed claim that nobody holds.
        claiming = asyncio.ensure_future(self.claim())
        try:
            return await asyncio.shield(claiming)
        except asyncio.CancelledError:
            with contextlib.suppress(Exception):
                if (reading := await claiming) is not None:
                    await store.release(db=self.db, reading=reading)
            raise
