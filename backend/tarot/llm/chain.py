"""The provider chain: lazy imports, one retry loop, fallback, and a breaker per provider."""

from __future__ import annotations

import asyncio
import importlib
import logging
import random
import sys
import time
from collections.abc import AsyncIterator, Callable
from typing import TYPE_CHECKING

from tarot.llm.attempts import (
    RESTART,
    Attempt,
    ChainExhausted,
    ChainRun,
    ProviderStats,
    Restart,
    StreamCut,
)
from tarot.llm.base import FINISH_KINDS, ErrorKind, Prompt, ProviderError, StreamChunk
from tarot.llm.breaker import CircuitBreaker
from tarot.llm.remote import api_key

if TYPE_CHECKING:
    from tarot.config import Settings
    from tarot.llm.base import Provider

log = logging.getLogger("tarot.llm")

# Listing or describing providers reads only these tables; nothing is imported or built.
PROVIDER_MODULES = {
    "gemini": "tarot.llm.gemini_provider",
    "openai": "tarot.llm.openai_provider",
    "offline": "tarot.llm.reader.provider",
}
SDK_MODULES = {"gemini": "google.genai", "openai": "openai"}
DETAIL_LIMIT = 200


class ProviderChain:
    """The configured providers in order, each built on first use and behind its own breaker."""

    def __init__(self, settings: Settings, *, clock: Callable[[], float] = time.time):
        self.settings = settings
        self._clock = clock  # wall-clock seconds for the breakers' cooldowns
        self.chain = [name for name in settings.provider_chain if name in PROVIDER_MODULES]
        self.stats = {name: ProviderStats(self._breaker(name)) for name in self.chain}
        self._providers: dict[str, Provider] = {}
        self._lock = asyncio.Lock()

    def _breaker(self, name: str) -> CircuitBreaker:
        # The offline reader is the last resort: it counts its failures but never opens.
        threshold = sys.maxsize if name == "offline" else self.settings.llm_cooldown_failures
        cooldown = self.settings.llm_cooldown_seconds
        return CircuitBreaker(threshold=threshold, cooldown=cooldown, clock=self._clock)

    def is_configured(self, name: str) -> bool:
        """Whether a provider has what it needs (a key); never imports anything."""
        if name in SDK_MODULES:
            return api_key(self.settings, name) is not None
        return name == "offline"

    def available_providers(self) -> list[str]:
        """The chain members that could be called."""
        return [name for name in self.chain if self.is_configured(name)]

    def loaded_providers(self) -> list[str]:
        """The providers actually built (and so imported) in this process."""
        return list(self._providers)

    def describe(self) -> list[dict]:
        """Per-provider availability, load state, SDK import state and stats."""
        return [
            {
                "name": name,
                "available": self.is_configured(name),
                "loaded": name in self._providers,
                "sdk_module": SDK_MODULES.get(name),
                "sdk_imported": SDK_MODULES.get(name) in sys.modules
                if name in SDK_MODULES
                else None,
                **self.stats[name].as_dict(),
            }
            for name in self.chain
        ]

    def close_recovered_cooldowns(self) -> list[str]:
        """Close the breakers whose cooldown has run out, so they are tried afresh."""
        return [name for name, stats in self.stats.items() if stats.breaker.close_if_cooled()]

    async def get(self, name: str) -> Provider:
        """The provider instance, importing its module and SDK on first use."""
        provider = self._providers.get(name)
        if provider is None:
            async with self._lock:
                provider = self._providers.get(name)
                if provider is None:
                    # Importing an SDK takes a while; keep the event loop free meanwhile.
                    module = await asyncio.to_thread(
                        importlib.import_module, PROVIDER_MODULES[name]
                    )
                    provider = module.build(self.settings)
                    self._providers[name] = provider
                    log.info("provider %s loaded (model %s)", name, provider.model)
        return provider

    async def aclose(self) -> None:
        """Close every built provider's client."""
        for provider in self._providers.values():
            await provider.aclose()
        self._providers.clear()

    async def stream(
        self,
        prompt: Prompt,
        run: ChainRun,
        *,
        deadline: float,
        pinned: Callable[[], bool] = lambda: True,
    ) -> AsyncIterator[str | Restart]:
        """Yield text from the first healthy provider, falling back as long as nobody saw any.

        `deadline` is a `time.monotonic()` value: past it only `offline` is still tried.
        `pinned()` says whether text of this run already reached a client: then a break
        mid-stream ends the run (StreamCut); otherwise RESTART is yielded, the text so far
        is void, and the chain goes on as if that attempt had failed before its first chunk.
        """
        for name in self.chain:
            if not self.is_configured(name):
                continue
            if name != "offline" and time.monotonic() >= deadline:
                run.attempts.append(Attempt(name, "skipped_deadline"))
                continue
            breaker = self.stats[name].breaker
            entry = breaker.enter()
            if entry is None:
                run.attempts.append(Attempt(name, "skipped_cooldown"))
                continue
            try:
                async for text in self._attempts(name, prompt, run, deadline, pinned):
                    yield text
            finally:
                breaker.leave(entry)  # a probe cancelled midway must not hold the slot
            if run.provider == name:
                return
        raise ChainExhausted("no provider in the chain could write this reading")

    async def _attempts(
        self,
        name: str,
        prompt: Prompt,
        run: ChainRun,
        deadline: float,
        pinned: Callable[[], bool],
    ) -> AsyncIterator[str | Restart]:
        """The retry loop on one provider; sets `run.provider` only when it wrote the reading."""
        try:
            provider = await self.get(name)
        except Exception as exc:  # a broken install or config: try the next provider
            log.error("provider %s could not be loaded: %s", name, type(exc).__name__)
            run.attempts.append(Attempt(name, "unavailable"))
            self._record_failure(name, ErrorKind.CONNECTION)
            return
        stats = self.stats[name]
        for attempt in range(1, self.settings.llm_max_attempts + 1):
            if attempt > 1 and stats.breaker.is_open():
                # The breaker opened while we waited (other readings failed here too).
                run.attempts.append(Attempt(name, "skipped_cooldown"))
                return
            began = time.monotonic()
            stats.calls += 1
            started = False
            try:
                async for chunk in self._guarded(provider, prompt, deadline=deadline):
                    if chunk.usage is not None:
                        run.usage = chunk.usage
                    if chunk.text:
                        started = True
                        run.written = True
                        yield chunk.text
            except ProviderError as error:
                kind = error.kind
                if started and kind not in FINISH_KINDS:
                    kind = ErrorKind.CUT
                detail = str(error)[:DETAIL_LIMIT]
                run.attempts.append(Attempt(name, kind.value, _ms_since(began), detail))
                self._record_failure(name, kind)
                if started:
                    if pinned():
                        run.provider, run.model = name, provider.model  # who wrote the text
                        raise StreamCut(name, error) from error
                    run.written, run.usage = False, None
                    yield RESTART
                delay = self._retry_delay(error, attempt, deadline)
                if delay is None:
                    return
                await asyncio.sleep(delay)
                continue
            latency = _ms_since(began)
            run.attempts.append(Attempt(name, "ok", latency))
            stats.successes += 1
            stats.total_latency_ms += latency
            stats.breaker.succeeded()
            run.provider, run.model = name, provider.model
            return

    async def _guarded(
        self, provider: Provider, prompt: Prompt, *, deadline: float
    ) -> AsyncIterator[StreamChunk]:
        """The provider's stream under a first-chunk timeout and a total timeout."""
        loop = asyncio.get_running_loop()
        total = self.settings.llm_timeout_seconds
        if provider.name != "offline":
            total = min(total, max(0.0, deadline - time.monotonic()))
        end = loop.time() + total
        first_end = min(end, loop.time() + self.settings.llm_first_chunk_timeout_seconds)
        stream = aiter(provider.stream(prompt))
        seen_text = False
        try:
            while True:
                try:
                    async with asyncio.timeout_at(end if seen_text else first_end):
                        chunk = await anext(stream)
                except StopAsyncIteration:
                    return
                except TimeoutError:
                    stage = "the rest of the stream" if seen_text else "the first chunk"
                    raise ProviderError(
                        ErrorKind.TIMEOUT, f"timed out waiting for {stage}"
                    ) from None
                seen_text = seen_text or bool(chunk.text)
                yield chunk
        finally:
            close = getattr(stream, "aclose", None)
            if close is not None:
                await close()

    def _retry_delay(self, error: ProviderError, attempt: int, deadline: float) -> float | None:
        """Seconds to wait before retrying the same provider, or None to fall over."""
        settings = self.settings
        if not error.kind.retryable or attempt >= settings.llm_max_attempts:
            return None
        if error.retry_after is not None:
            delay = error.retry_after
        else:
            delay = settings.llm_backoff_seconds * 2 ** (attempt - 1) * (0.5 + random.random())
        if delay > settings.llm_max_retry_after_seconds or time.monotonic() + delay >= deadline:
            return None
        return delay

    def _record_failure(self, name: str, kind: ErrorKind) -> None:
        stats = self.stats[name]
        stats.failures += 1
        stats.last_error_kind = kind.value
        if stats.breaker.failed():
            log.warning(
                "provider %s cooling down for %.0fs after %s",
                name,
                self.settings.llm_cooldown_seconds,
                kind.value,
            )


def _ms_since(began: float) -> float:
    return round((time.monotonic() - began) * 1000, 1)
