"""The reading queue: the `reading` table itself, worked by in-process async workers."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from collections.abc import Awaitable, Callable

from sqlalchemy import func, select

from tarot.config import Settings
from tarot.db.models import Reading
from tarot.db.outage import is_database_outage
from tarot.db.session import Database
from tarot.llm.base import ReadingContext
from tarot.llm.factory import (
    RESTART,
    Attempt,
    ChainExhausted,
    ChainRun,
    ProviderFactory,
    StreamCut,
)
from tarot.llm.prompt import build_prompt
from tarot.services import queue_store as store
from tarot.services.cache import Cache
from tarot.services.live import LiveReading
from tarot.services.metrics import Metrics
from tarot.services.outage import OutageWatch
from tarot.services.queue_store import LeaseLost
from tarot.services.reader import stored_context

__all__ = ["TERMINAL", "LeaseLost", "LiveReading", "ReadingQueue"]
log = logging.getLogger("tarot.queue")
FLUSH_SECONDS = 0.5
TERMINAL = frozenset({"completed", "failed"})


class ReadingQueue:
    """Claims pending readings (SKIP LOCKED on Postgres) and writes their interpretations."""

    def __init__(
        self,
        *,
        db: Database,
        settings: Settings,
        factory: ProviderFactory,
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
        self._wake = asyncio.Event()
        self._done: dict[uuid.UUID, asyncio.Event] = {}
        self._workers: list[asyncio.Task] = []

    def start(self) -> None:
        """Spawn the workers; readings left `running` past their lease get picked up too."""
        self._workers = [
            asyncio.create_task(self._work(), name=f"reading-worker-{index}")
            for index in range(self.settings.worker_concurrency)
        ]

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

    def wake(self) -> None:
        """Tell idle workers that a new reading is waiting."""
        self._wake.set()

    def watch(self, reading_id: uuid.UUID) -> None:
        """Start listening for a reading's finish; call before wake() so none is missed."""
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

    async def pending_count(self) -> int:
        """How many readings wait for a worker."""
        async with self.db.sessionmaker() as session:
            return (
                await session.scalar(
                    select(func.count()).select_from(Reading).where(Reading.status == "pending")
                )
                or 0
            )

    async def claim(self) -> Reading | None:
        """Atomically take the oldest pending (or lease-expired) reading."""
        return await store.claim(db=self.db, lease_seconds=self.settings.reading_lease_seconds)

    async def _status(self, reading_id: uuid.UUID) -> str | None:
        async with self.db.sessionmaker() as session:
            return await session.scalar(select(Reading.status).where(Reading.id == reading_id))

    async def _work(self) -> None:
        while not self.draining:
            # Cleared before claiming, so a wake() that lands during the claim is not lost.
            self._wake.clear()
            try:
                reading = await self._claim_shielded()
                self.outage.succeeded()
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                if not is_database_outage(exc):
                    log.exception("claiming a reading failed; retrying shortly")
                    reading = None
                else:
                    await asyncio.sleep(self.outage.failed(exc))
                    continue
            if reading is None:
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(self.settings.queue_poll_seconds):
                        await self._wake.wait()
                continue
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

    async def process(self, reading: Reading) -> None:
        """Write one claimed reading's interpretation and store the outcome."""
        live = self.live[reading.id] = LiveReading(generation=reading.claims)
        run = ChainRun()
        status, error = "pending", None
        keeper = asyncio.create_task(self._keep_lease(reading, live))
        try:
            try:
                status, error = await self._generate(reading, live, run)
            finally:
                keeper.cancel()
                await asyncio.gather(keeper, return_exceptions=True)
            # Shielded: a stop arriving now must not roll back a finished reading.
            outcome = dict(run=run, status=status, error=error)
            await asyncio.shield(self._retrying(lambda: self._save(reading, live.text, **outcome)))
            self.processed += 1
            self._observe(run, status)
        except LeaseLost:
            log.warning("reading %s was taken over by another worker", reading.id)
            status = "pending"
        except asyncio.CancelledError:
            if status == "pending":
                with contextlib.suppress(Exception):
                    await asyncio.shield(store.release(db=self.db, reading=reading))
            raise
        except Exception:
            status, error = "failed", "an internal error stopped this reading"
            # If the database is reachable, record the failure; if not, the lease runs out
            # and the reading is claimed again.
            with contextlib.suppress(Exception):
                await self._save(reading, live.text, run=run, status=status, error=error)
            raise
        finally:
            live.provider = run.provider
            self._forget(reading.id, live, status, error=error)

    async def _keep_lease(self, reading: Reading, live: LiveReading) -> None:
        """Renew the lease on a clock, so a provider that is slow but alive keeps its reading."""
        every = self.settings.reading_lease_seconds / 3
        try:
            while True:
                await asyncio.sleep(every)
                await self._progress(reading, live)
        except LeaseLost:
            log.warning("reading %s: lease lost while writing", reading.id)

    async def _generate(self, reading: Reading, live: LiveReading, run: ChainRun) -> tuple:
        """Stream the chain's text into `live`, saving progress; (status, error)."""
        deadline = time.monotonic() + self.settings.reading_deadline_seconds
        context = await self._context(reading)
        prompt = build_prompt(context)
        last_flush = time.monotonic()
        # A crisis question gets the reader's care text and never an LLM's verdict.
        crisis = prompt.plan is not None and prompt.plan.safety_class == "crisis"
        texts = self._offline(prompt, run) if crisis else None
        try:
            stream = texts or self.factory.stream(
                prompt, run, deadline=deadline, pinned=lambda: live.delivered
            )
            async for piece in stream:
                if piece is RESTART:
                    # Nobody saw the text so far: the next provider writes it anew.
                    await self._retrying(lambda: self._new_generation(reading))
                    live.restart(reading.claims)
                    continue
                live.append(piece)
                if time.monotonic() - last_flush >= FLUSH_SECONDS:
                    await self._progress(reading, live)
                    last_flush = time.monotonic()
        except StreamCut as cut:
            return "failed", f"{cut}; the text stops where the provider did"
        except ChainExhausted as exhausted:
            return "failed", str(exhausted)
        return "completed", None

    async def _offline(self, prompt, run: ChainRun):
        """The offline reader alone, whatever the chain says."""
        began = time.monotonic()
        provider = await self.factory.get("offline")
        async for chunk in provider.stream(prompt):
            yield chunk.text
        run.attempts.append(Attempt("offline", "ok", round((time.monotonic() - began) * 1000, 1)))
        run.provider, run.model = provider.name, provider.model

    async def _progress(self, reading: Reading, live: LiveReading) -> None:
        """Save the text so far and renew the lease; a database blip only skips this save."""
        try:
            await self._save(reading, live.text, run=None)
            self.outage.succeeded()
        except LeaseLost:
            raise
        except Exception as exc:
            if not is_database_outage(exc):
                raise
            self.outage.failed(exc)

    async def _retrying(self, write: Callable[[], Awaitable[None]]) -> None:
        """Run a write through a database outage for as long as the lease would last.

        Giving up early would leave the reading to be written again (and paid for twice).
        """
        end = time.monotonic() + self.settings.reading_lease_seconds
        delay = 0.1
        while True:
            try:
                await write()
                self.outage.succeeded()
                return
            except LeaseLost:
                raise
            except Exception as exc:
                if not is_database_outage(exc) or time.monotonic() + delay >= end:
                    raise
                self.outage.failed(exc)
                await asyncio.sleep(delay)
                delay = min(2.0, delay * 2)

    def _observe(self, run: ChainRun, status: str) -> None:
        self.metrics.observe_reading(run.provider, status)
        for attempt in run.attempts:
            if attempt.outcome == "ok":
                self.metrics.observe_provider(attempt.provider, attempt.latency_ms / 1000)

    def _forget(self, reading_id: uuid.UUID, live: LiveReading, status: str, *, error=None) -> None:
        live.finish(status, provider=live.provider, error=error)
        if self.live.get(reading_id) is live:  # a newer claim on this instance keeps its own
            del self.live[reading_id]
        done = self._done.get(reading_id)
        if done is not None and status in TERMINAL:
            done.set()

    async def _context(self, reading: Reading) -> ReadingContext:
        return await stored_context(
            db=self.db,
            cache=self.cache,
            image_base_url=self.settings.image_base_url,
            reading=reading,
        )

    async def _new_generation(self, reading: Reading) -> None:
        lease = self.settings.reading_lease_seconds
        await store.new_generation(db=self.db, reading=reading, lease_seconds=lease)

    async def _save(self, reading: Reading, text: str, *, run: ChainRun | None, **outcome) -> None:
        """Persist progress (and renew the lease), or the final outcome when `run` is given."""
        await store.save(
            db=self.db,
            reading=reading,
            text=text,
            lease_seconds=self.settings.reading_lease_seconds,
            run=run,
            **outcome,
        )
