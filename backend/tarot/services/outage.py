"""Back-off for background work while the database is down, logged once per outage."""

from __future__ import annotations

import logging
import time

log = logging.getLogger("tarot.queue")


class OutageWatch:
    """Shared by the workers: exponential, capped back-off and one log line each way."""

    def __init__(self, *, base_seconds: float = 0.2, cap_seconds: float = 5.0):
        self.base, self.cap = base_seconds, cap_seconds
        self.failures = 0
        self.began: float | None = None

    @property
    def down(self) -> bool:
        return self.began is not None

    def failed(self, exc: BaseException) -> float:
        """Note a failure; the seconds to wait before trying again."""
        self.failures += 1
        if self.began is None:
            self.began = time.monotonic()
            log.warning(
                "database unavailable (%s); reading workers back off until it answers",
                type(exc).__name__,
            )
        return min(self.cap, self.base * 2 ** (self.failures - 1))

    def succeeded(self) -> None:
        """Note that the database answered; logs the end of an outage once."""
        if self.began is not None:
            log.warning(
                "database available again after %.1fs; reading workers resume",
                time.monotonic() - self.began,
            )
        self.began, self.failures = None, 0
