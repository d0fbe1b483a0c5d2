"""In-process progress of the reading being written, for followers on this instance."""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass, field

from tarot.statuses import ReadingStatus


@dataclass(slots=True)
class LiveReading:
    """One generation of a reading as it is written; `restart` begins a new one."""

    generation: int
    parts: list[str] = field(default_factory=list)
    status: str = ReadingStatus.running
    provider: str | None = None
    error: str | None = None
    version: int = 0
    # Some client received text of this generation: a failure can no longer switch provider.
    delivered: bool = False
    # When its text was last saved (time.monotonic()): saves are spaced, and renew the lease.
    saved_at: float = 0.0
    _changed: asyncio.Event = field(default_factory=asyncio.Event)

    @property
    def text(self) -> str:
        return "".join(self.parts)

    def append(self, text: str) -> None:
        self.parts.append(text)
        self._signal()

    def restart(self, generation: int) -> None:
        """Throw the text away: followers see a new generation and get a `reset`."""
        self.generation, self.parts, self.delivered = generation, [], False
        self._signal()

    def finish(self, status: str, *, provider: str | None = None, error: str | None = None) -> None:
        self.status, self.provider, self.error = status, provider, error
        self._signal()

    def wake(self) -> None:
        """Wake every follower without a change, so that they look around (shutdown)."""
        self._signal()

    def _signal(self) -> None:
        self.version += 1
        self._changed.set()
        self._changed = asyncio.Event()

    async def wait_changed(self, seen: int, timeout: float) -> None:
        """Return once `version` has moved past `seen`, or after `timeout` seconds."""
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(timeout):
                while self.version <= seen:
                    await self._changed.wait()
