"""The response cache: hits, single-flight loading, invalidation and gzip."""

import asyncio

import pytest

from tarot.services.cache import Cache, CachedBody


async def test_single_flight_loads_once_under_concurrency():
    cache = Cache("t", maxsize=10, ttl=60)
    calls = 0

    async def load():
        nonlocal calls
        calls += 1
        await asyncio.sleep(0.01)
        return CachedBody(b"x")

    results = await asyncio.gather(*(cache.get_or_load("k", load) for _ in range(20)))
    assert calls == 1
    assert len({id(r) for r in results}) == 1
    assert cache.stats()["size"] == 1


async def test_failed_load_is_not_cached():
    cache = Cache("t", maxsize=10, ttl=60)

    async def boom():
        raise LookupError("nope")

    with pytest.raises(LookupError):
        await cache.get_or_load("k", boom)
    assert cache.stats()["size"] == 0


async def test_invalidate_and_stats():
    cache = Cache("t", maxsize=10, ttl=60)

    async def load():
        return 1

    await cache.get_or_load("a", load)
    await cache.get_or_load("a", load)
    stats = cache.stats()
    assert (stats["hits"], stats["misses"], stats["hit_ratio"]) == (1, 1, 0.5)
    cache.invalidate()
    assert cache.stats()["size"] == 0


async def test_shrink_halves_entries():
    cache = Cache("t", maxsize=100, ttl=60)
    for key in range(10):
        await cache.get_or_load(key, lambda k=key: asyncio.sleep(0, result=k))
    assert cache.shrink() == 5
    assert cache.stats()["size"] == 5


def test_cached_body_etag_and_gzip():
    small = CachedBody(b"{}")
    big = CachedBody(b'{"a": "' + b"x" * 5000 + b'"}')
    assert small.gzipped() is None
    assert big.gzipped() is big.gzipped()
    assert len(big.gzipped()) < 200
    assert small.etag != big.etag and big.etag == CachedBody(big.body).etag


async def test_a_load_under_way_during_invalidate_is_not_kept():
    cache = Cache("t", maxsize=10, ttl=60)
    release = asyncio.Event()

    async def slow_old_value():
        await release.wait()
        return "old"

    loading = asyncio.create_task(cache.get_or_load("k", slow_old_value))
    await asyncio.sleep(0)
    cache.invalidate()  # an admin edit commits while the old row is being read
    release.set()
    assert await loading == "old"

    async def fresh():
        return "new"

    assert await cache.get_or_load("k", fresh) == "new"


@pytest.mark.parametrize("where", [0, 100, 2047], ids=["first byte", "middle", "last byte"])
def test_any_changed_byte_changes_the_etag(where):
    body = bytearray(b"x" * 2048)
    edited = bytearray(body)
    edited[where] = ord("y")
    assert CachedBody(bytes(edited)).etag != CachedBody(bytes(body)).etag
    assert CachedBody(bytes(body)).etag == CachedBody(bytes(body)).etag, "same bytes, same tag"


def test_the_etag_is_a_strong_quoted_tag():
    etag = CachedBody(b"{}").etag
    assert etag.startswith('"') and etag.endswith('"') and not etag.startswith("W/")
    assert CachedBody(b"{}", etag='"given"').etag == '"given"', "a given tag is kept"
