"""Per-client rate limits on the `limits` library's sliding-window counter, in process memory.

Not the moving window: its in-memory storage keeps an entry for every client ever seen,
which a stream of new addresses grows without bound; counter keys expire.
"""

from __future__ import annotations

import math
import time
from functools import cached_property
from typing import Any

from tarot.errors import TooManyRequests


class RateLimiter:
    """Sliding-window limits per (scope, client); each instance counts on its own."""

    @cached_property
    def _limiter(self) -> Any:
        # Imported on the first limited request: ~2 MB that an idle worker need not carry.
        from limits.storage import MemoryStorage
        from limits.strategies import SlidingWindowCounterRateLimiter

        return SlidingWindowCounterRateLimiter(MemoryStorage())

    def hit(self, *, rule: str, scope: str, client: str) -> None:
        """Count one request, or raise 429 with the seconds until a slot frees up."""
        from limits import parse

        item = parse(rule)
        if self._limiter.hit(item, scope, client):
            return
        reset_at = self._limiter.get_window_stats(item, scope, client).reset_time
        retry_after = max(1, math.ceil(reset_at - time.time()))
        raise TooManyRequests(
            f"Too many requests: the limit is {rule}. Retry in {retry_after}s.",
            retry_after=retry_after,
        )
