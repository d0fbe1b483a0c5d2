"""The memory budget: a soft limit that sheds caches, a hard limit that refuses readings."""

from __future__ import annotations

import gc
import logging
import os
import resource
import time
from collections import deque
from collections.abc import Iterable
from functools import cache

from tarot.errors import Unavailable
from tarot.services.cache import Cache

log = logging.getLogger("tarot.memory")
MB = 1024 * 1024
RELIEF_SECONDS = 30.0
_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


def rss_bytes() -> int:
    """Current resident set size, from /proc where there is one (no psutil needed)."""
    try:
        with open("/proc/self/statm", "rb") as statm:
            return int(statm.read().split()[1]) * _PAGE
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


@cache
def _libc_malloc_trim():
    # Imported only under memory pressure (ctypes costs 0.4 MB of idle RSS), and looked up
    # once: find_library runs ldconfig in a subprocess.
    import ctypes
    import ctypes.util

    try:
        return ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").malloc_trim
    except (OSError, AttributeError):
        return None


def _malloc_trim() -> bool:
    """Hand freed heap back to the OS on glibc; a no-op elsewhere."""
    trim = _libc_malloc_trim()
    return bool(trim(0)) if trim is not None else False


class MemoryGuard:
    """Tracks RSS against the configured limits and reacts once per level change."""

    def __init__(
        self, *, soft_mb: float | None, hard_mb: float | None, caches: Iterable[Cache]
    ) -> None:
        self.soft = soft_mb * MB if soft_mb else None
        self.hard = hard_mb * MB if hard_mb else None
        self.caches = list(caches)
        self.level = "ok"
        self.history: deque[tuple[float, float]] = deque(maxlen=60)
        self._checked_at = 0.0
        self._relieved_at = -RELIEF_SECONDS

    def check(self) -> str:
        """Compare RSS with the limits; shed memory above the soft one."""
        rss = rss_bytes()
        self._checked_at = time.monotonic()
        if self.hard and rss > self.hard:
            level = "hard"
        elif self.level == "hard" and self.soft and rss >= self.soft:
            level = "hard"  # stay closed until back under the soft limit
        elif self.soft and rss > self.soft:
            level = "soft"
        else:
            level = "ok"
        if level != self.level:
            log.warning("memory level %s -> %s at %.1f MB RSS", self.level, level, rss / MB)
            self.level = level
        # A full collection and a trim cost milliseconds: at most one per RELIEF_SECONDS.
        if level != "ok" and self._checked_at - self._relieved_at >= RELIEF_SECONDS:
            self._relieved_at = self._checked_at
            self.relieve()
        return level

    def relieve(self) -> int:
        """Shrink the caches, collect garbage and trim the heap; returns entries dropped."""
        dropped = sum(cache.shrink() for cache in self.caches)
        gc.collect()
        _malloc_trim()
        return dropped

    def admit_reading(self) -> None:
        """Refuse a new reading while above the hard limit (checked at most once a second)."""
        if self.hard and time.monotonic() - self._checked_at >= 1.0:
            self.check()
        if self.level == "hard":
            raise Unavailable(
                "The server is short of memory; please retry in a little while.", retry_after=10
            )

    def sample(self) -> None:
        """Record RSS for the recent-history view."""
        self.history.append((round(time.time(), 1), round(rss_bytes() / MB, 2)))

    def limits(self) -> dict:
        """The limits in force and the current level."""
        return {
            "soft_limit_mb": self.soft / MB if self.soft else None,
            "hard_limit_mb": self.hard / MB if self.hard else None,
            "level": self.level,
        }
