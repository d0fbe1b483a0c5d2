"""Per-client rate limits on the `limits` library's sliding-window counter.

The counters live in process memory by default (`memory://`), or in Redis when
`TAROT_RATE_LIMIT_STORAGE` names one, so that every instance counts against one budget.
Not the moving window: its in-memory storage keeps an entry for every client ever seen,
which a stream of new addresses grows without bound; counter keys expire.

A Redis outage fails open: requests are let through unlimited (logged once per outage)
rather than refused, since the limits guard against abuse and the service itself is fine.
"""

from __future__ import annotations

import logging
import math
import time
from functools import cached_property
from typing import Any

from tarot.errors import TooManyRequests

log = logging.getLogger("tarot.ratelimit")
# A frozen Redis must not hold a request for longer than this, in seconds.
REDIS_TIMEOUT_SECONDS = 1.0


class RateLimiter:
    """Sliding-window limits per (scope, client), in memory or in a shared Redis."""

    def __init__(self, *, storage_uri: str = "memory://", key_prefix: str = "tarot"):
        self.storage_uri, self.key_prefix = storage_uri, key_prefix
        self.failing_open = False

    @cached_property
    def _limiter(self) -> Any:
        # Imported on the first limited request: ~2 MB that an idle worker need not carry,
        # and the Redis client only when Redis is configured.
        from limits.aio.strategies import SlidingWindowCounterRateLimiter

        if self.storage_uri.startswith("memory://"):
            from limits.aio.storage import MemoryStorage

            return SlidingWindowCounterRateLimiter(MemoryStorage())
        from limits.storage import storage_from_string

        storage = storage_from_string(
            f"async+{self.storage_uri}",
            implementation="redispy",
            key_prefix=self.key_prefix,
            wrap_exceptions=True,
            socket_timeout=REDIS_TIMEOUT_SECONDS,
            socket_connect_timeout=REDIS_TIMEOUT_SECONDS,
        )
        return SlidingWindowCounterRateLimiter(storage)

    async def hit(self, *, rule: str, scope: str, client: str) -> None:
        """Count one request, or raise 429 with the seconds until a slot frees up."""
        from limits import parse
        from limits.errors import StorageError

        item = parse(rule)
        try:
            if await self._limiter.hit(item, scope, client):
                self._recovered()
                return
            reset_at = (await self._limiter.get_window_stats(item, scope, client)).reset_time
        except StorageError as exc:
            self._fail_open(exc)
            return
        self._recovered()
        retry_after = max(1, math.ceil(reset_at - time.time()))
        raise TooManyRequests(
            f"Too many requests: the limit is {rule}. Retry in {retry_after}s.",
            retry_after=retry_after,
        )

    def _fail_open(self, exc: Exception) -> None:
        if not self.failing_open:
            self.failing_open = True
            cause = type(exc.__cause__ or exc).__name__
            log.warning("rate-limit storage unavailable (%s); limits are off until it is", cause)

    def _recovered(self) -> None:
        if self.failing_open:
            self.failing_open = False
            log.warning("rate-limit storage available again; limits apply")
