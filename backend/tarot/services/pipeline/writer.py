"""One claimed reading through the provider chain: streamed, saved now and then, stored."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from collections.abc import Awaitable, Callable

from tarot.config import Settings
from tarot.db.models import Reading
from tarot.db.outage import is_database_outage
from tarot.db.session import Database
from tarot.llm.attempts import Attempt, ChainExhausted, ChainRun, Restart, StreamCut
from tarot.llm.base import ReadingContext
from tarot.llm.chain import ProviderChain
from tarot.llm.prompt import build_prompt
from tarot.services.cache import Cache
from tarot.services.metrics import Metrics
from tarot.services.outage import OutageWatch
from tarot.services.pipeline import store
from tarot.services.pipeline.context import context_for
from tarot.services.pipeline.live import LiveReading
from tarot.services.pipeline.store import LeaseLost
from tarot.statuses import TERMINAL, ReadingStatus

log = logging.getLogger("tarot.queue")
# Progress is saved at most this often: followers on this instance read it live anyway.
FLUSH_SECONDS = 0.5


class ReadingWriter:
    """Writes claimed readings; the queue (workers.py) adds the claiming and the waking."""

    db: Database
    settings: Settings
    factory: ProviderChain
    cache: Cache
    metrics: Metrics
    outage: OutageWatch
    live: dict[uuid.UUID, LiveReading]
    processed: int
    _done: dict[uuid.UUID, asyncio.Event]

    async def process(self, reading: Reading) -> None:
        """Write one claimed reading's interpretation and store the outcome."""
        live = self.live[reading.id] = LiveReading(generation=reading.claims)
        live.saved_at = time.monotonic()  # the claim has just set the lease
        run = ChainRun()
        status, error = ReadingStatus.pending, None
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
            status = ReadingStatus.pending
        except asyncio.CancelledError:
            if status == ReadingStatus.pending:
                with contextlib.suppress(Exception):
                    await asyncio.shield(store.release(db=self.db, reading=reading))
            raise
        except Exception:
            status, error = ReadingStatus.failed, "an internal error stopped this reading"
            # If the database is reachable, record the failure; if not, the lease runs out
            # and the reading is claimed again.
            with contextlib.suppress(Exception):
                await self._save(reading, live.text, run=run, status=status, error=error)
            raise
        finally:
            live.provider = run.provider
            self._forget(reading.id, live, status, error=error)

    async def _keep_lease(self, reading: Reading, live: LiveReading) -> None:
        """Renew the lease on a clock, so a provider that is slow but alive keeps its reading.

        A progress save renews it too, so the clock skips a turn after a recent one.
        """
        every = self.settings.reading_lease_seconds / 3
        try:
            while True:
                await asyncio.sleep(max(0.0, live.saved_at + every - time.monotonic()))
                if time.monotonic() - live.saved_at >= every:
                    await self._progress(reading, live)
        except LeaseLost:
            log.warning("reading %s: lease lost while writing", reading.id)

    async def _generate(self, reading: Reading, live: LiveReading, run: ChainRun) -> tuple:
        """Stream the chain's text into `live`, saving progress; (status, error)."""
        deadline = time.monotonic() + self.settings.reading_deadline_seconds
        context = await self._context(reading)
        prompt = build_prompt(context)
        # A crisis question gets the reader's care text and never an LLM's verdict.
        crisis = prompt.plan is not None and prompt.plan.safety_class == "crisis"
        texts = self._offline(prompt, run) if crisis else None
        try:
            stream = texts or self.factory.stream(
                prompt, run, deadline=deadline, pinned=lambda: live.delivered
            )
            async for piece in stream:
                if isinstance(piece, Restart):  # RESTART, the marker; isinstance narrows
                    # Nobody saw the text so far: the next provider writes it anew.
                    await self._retrying(lambda: self._new_generation(reading))
                    live.restart(reading.claims)
                    continue
                live.append(piece)
                if time.monotonic() - live.saved_at >= FLUSH_SECONDS:
                    await self._progress(reading, live)
        except StreamCut as cut:
            return ReadingStatus.failed, f"{cut}; the text stops where the provider did"
        except ChainExhausted as exhausted:
            return ReadingStatus.failed, str(exhausted)
        return ReadingStatus.completed, None

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
        live.saved_at = time.monotonic()  # a failed save is not retried sooner either
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
        return await context_for(
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
