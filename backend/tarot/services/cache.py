"""In-process TTL caches that keep ready-to-send response bytes and their ETags."""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Awaitable, Callable, Hashable, Iterable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from cachetools import TTLCache

GZIP_MIN_BYTES = 1024

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


@dataclass(slots=True)
class CachedBody:
    """A serialized response body, its strong ETag and, once asked for, its gzip form."""

    body: bytes
    etag: str = ""
    _gzipped: bytes | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        if not self.etag:
            self.etag = '"' + hashlib.blake2b(self.body, digest_size=16).hexdigest() + '"'

    def gzipped(self) -> bytes | None:
        """The gzip-compressed body, computed once; None when too small to be worth it."""
        if len(self.body) < GZIP_MIN_BYTES:
            return None
        if self._gzipped is None:
            import gzip

            self._gzipped = gzip.compress(self.body, compresslevel=6, mtime=0)
        return self._gzipped


class Cache(Generic[K, V]):
    """A named TTL cache with single-flight loading and hit/miss counters."""

    def __init__(self, name: str, *, maxsize: int, ttl: float, enabled: bool = True):
        self.name = name
        self.enabled = enabled
        self._store: TTLCache[K, V] = TTLCache(maxsize=maxsize, ttl=ttl)
        self._inflight: dict[K, asyncio.Future[V]] = {}
        self._generation = 0  # bumped by invalidate(): loads begun before it are not stored
        self.hits = 0
        self.misses = 0

    async def get_or_load(self, key: K, loader: Callable[[], Awaitable[V]]) -> V:
        """Return the cached value for `key`, loading it once even under concurrent misses."""
        if self.enabled:
            try:
                value = self._store[key]
            except KeyError:
                pass
            else:
                self.hits += 1
                return value
        self.misses += 1
        if not self.enabled:
            return await loader()
        pending = self._inflight.get(key)
        if pending is not None:
            return await asyncio.shield(pending)
        future: asyncio.Future[V] = asyncio.get_running_loop().create_future()
        self._inflight[key] = future
        generation = self._generation
        try:
            value = await loader()
        except BaseException as exc:
            future.set_exception(exc)
            future.exception()  # mark retrieved: waiters may not exist
            raise
        finally:
            if self._inflight.get(key) is future:
                del self._inflight[key]
        if generation == self._generation:
            self._store[key] = value
        future.set_result(value)
        return value

    def peek(self, key: K) -> V | None:
        """The value cached for `key` (a hit), or None without loading or counting a miss."""
        if not self.enabled:
            return None
        value = self._store.get(key)
        if value is not None:
            self.hits += 1
        return value

    def invalidate(self) -> None:
        """Drop every entry, e.g. after an admin edit; loads under way will not be kept."""
        self._generation += 1
        self._store.clear()
        self._inflight.clear()

    def shrink(self) -> int:
        """Drop expired entries and the older half of the rest; returns how many went."""
        before = len(self._store)
        self._store.expire()
        for _ in range(len(self._store) // 2):
            self._store.popitem()
        return before - len(self._store)

    def stats(self) -> dict[str, Any]:
        """Size, limits and hit ratio, for the monitoring routes."""
        lookups = self.hits + self.misses
        return {
            "name": self.name,
            "enabled": self.enabled,
            "size": len(self._store),
            "maxsize": int(self._store.maxsize),
            "ttl_seconds": self._store.ttl,
            "hits": self.hits,
            "misses": self.misses,
            "hit_ratio": round(self.hits / lookups, 4) if lookups else None,
        }


def invalidate_all(caches: Iterable[Cache[Any, Any]]) -> None:
    """Invalidate every cache in `caches`."""
    for cache in caches:
        cache.invalidate()
