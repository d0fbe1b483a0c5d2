"""Rate limits shared through a real Redis: two instances, one budget; an outage fails open."""

import uuid

import pytest
import redis.asyncio as redis_asyncio

from fakes.app_server import free_port

REDIS_URL = "redis://127.0.0.1:6379/0"
BODY = {"question": "Shared budget?", "spread": "single"}


@pytest.fixture
async def prefix():
    """A key prefix of this run alone, so parallel runs never share counters; wiped after."""
    name = f"tarot-test-{uuid.uuid4().hex[:12]}"
    yield name
    client = redis_asyncio.from_url(REDIS_URL)
    keys = [key async for key in client.scan_iter(match=f"*{name}*")]
    if keys:
        await client.delete(*keys)
    await client.aclose()


async def test_two_instances_share_one_budget(make_client, prefix):
    limits = {
        "rate_readings_anonymous": "3/minute",
        "rate_limit_storage": REDIS_URL,
        "rate_limit_key_prefix": prefix,
        "worker_concurrency": 0,
    }
    async with make_client("postgres", **limits) as one, make_client("postgres", **limits) as two:
        statuses = []
        for client in (one, two, one, two):
            statuses.append((await client.post("/api/v1/readings", json=BODY)).status_code)
        refused = await two.post("/api/v1/readings", json=BODY)
    # Each instance alone would allow three; together they allowed three in all.
    assert statuses == [202, 202, 202, 429]
    assert refused.status_code == 429
    assert refused.headers["content-type"] == "application/problem+json"
    assert int(refused.headers["retry-after"]) > 0
    probe = redis_asyncio.from_url(REDIS_URL)
    try:
        assert [key async for key in probe.scan_iter(match=f"*{prefix}*")], "counted in Redis"
    finally:
        await probe.aclose()


async def test_memory_storage_counts_per_instance(make_client):
    limits = {"rate_readings_anonymous": "1/minute", "worker_concurrency": 0}
    async with make_client("postgres", **limits) as one, make_client("postgres", **limits) as two:
        statuses = [(await c.post("/api/v1/readings", json=BODY)).status_code for c in (one, two)]
    assert statuses == [202, 202], "the default keeps each instance's own budget"


async def test_an_unreachable_redis_fails_open_not_500(make_client, prefix):
    closed = f"redis://127.0.0.1:{free_port()}/0"
    limits = {
        "rate_readings_anonymous": "1/minute",
        "rate_limit_storage": closed,
        "rate_limit_key_prefix": prefix,
        "worker_concurrency": 0,
    }
    async with make_client("postgres", **limits) as client:
        statuses = [(await client.post("/api/v1/readings", json=BODY)).status_code for _ in "ab"]
    assert statuses == [202, 202], "limits are off while Redis is down; the service is not"


def test_an_unknown_storage_scheme_is_refused():
    from tarot.config import Settings

    with pytest.raises(ValueError, match="rate_limit_storage"):
        Settings(rate_limit_storage="memcached://127.0.0.1:11211")
