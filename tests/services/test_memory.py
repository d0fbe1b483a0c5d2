"""The memory budget, driven with tiny limits."""

import logging

from tarot.services.cache import Cache
from tarot.services.memory import MemoryGuard, rss_bytes


async def _filled_cache() -> Cache:
    cache = Cache("t", maxsize=100, ttl=60)
    for key in range(20):
        await cache.get_or_load(key, lambda k=key: _value(k))
    return cache


async def _value(key):
    return key


def test_rss_is_read_from_proc():
    assert 10 * 1024 * 1024 < rss_bytes() < 4 * 1024 * 1024 * 1024


async def test_soft_limit_sheds_caches_and_logs_once(caplog):
    cache = await _filled_cache()
    guard = MemoryGuard(soft_mb=1, hard_mb=None, caches=[cache])
    with caplog.at_level(logging.WARNING, logger="tarot.memory"):
        assert guard.check() == "soft"
        assert guard.check() == "soft"
        guard.check()
    assert cache.stats()["size"] < 20
    assert len([r for r in caplog.records if "->" in r.getMessage()]) == 1


async def test_hard_limit_refuses_readings_but_serves_the_catalog(make_client):
    async with make_client("postgres", memory_hard_limit_mb=1, memory_soft_limit_mb=1) as client:
        client.app.state.tarot.memory.check()
        refused = await client.post("/api/v1/readings", json={"question": "q", "spread": "single"})
        assert refused.status_code == 503
        assert refused.headers["retry-after"] == "10"
        assert refused.headers["content-type"] == "application/problem+json"
        assert (await client.get("/api/v1/cards?limit=100")).status_code == 200

        guard = client.app.state.tarot.memory
        guard.hard = guard.soft = 64 * 1024**3  # the pressure is gone
        guard.check()
        accepted = await client.post("/api/v1/readings", json={"question": "q", "spread": "single"})
        assert accepted.status_code == 202


def test_hard_level_holds_until_back_under_soft():
    guard = MemoryGuard(soft_mb=1, hard_mb=2, caches=[])
    assert guard.check() == "hard"
    guard.hard = 64 * 1024**3  # below the hard limit now, but still above soft
    assert guard.check() == "hard"
    guard.soft = 64 * 1024**3
    assert guard.check() == "ok"
