"""The reading table as a queue: one claim per reading, leases, fencing and reclaiming."""

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from tarot.db.models import Reading, utcnow
from tarot.services.pipeline.store import LeaseLost


async def _create(client, n: int) -> list[str]:
    ids = []
    for index in range(n):
        response = await client.post(
            "/api/v1/readings", json={"question": f"question {index}", "spread": "three-card"}
        )
        assert response.status_code == 202
        ids.append(response.json()["id"])
    return ids


async def _rows(app) -> list[Reading]:
    async with app.state.tarot.db.sessionmaker() as session:
        return list(await session.scalars(select(Reading)))


async def test_two_instances_share_the_queue_and_never_double_claim(make_client):
    # Each app wipes the readings when it stops, so the rows are read before that.
    async with make_client(
        "postgres", worker_concurrency=0, reading_inline_offline=False
    ) as producer:
        ids = await _create(producer, 30)
        async with make_client("postgres", worker_concurrency=4) as one:
            async with make_client("postgres", worker_concurrency=4) as two:
                for _ in range(200):
                    rows = await _rows(producer.app)
                    if all(row.status == "completed" for row in rows):
                        break
                    await asyncio.sleep(0.05)
                # A worker counts a reading just after committing it: let the counters settle.
                for _ in range(100):
                    processed = (
                        one.app.state.tarot.queue.processed + two.app.state.tarot.queue.processed
                    )
                    if processed >= 30:
                        break
                    await asyncio.sleep(0.02)
    assert sorted(str(row.id) for row in rows) == sorted(ids)
    assert all(row.status == "completed" for row in rows)
    assert all(row.claims == 1 for row in rows), "each reading was generated exactly once"
    assert processed == 30


@pytest.mark.parametrize("backend", ["postgres", "sqlite"])
async def test_expired_lease_is_reclaimed_and_stale_worker_fenced(make_client, backend):
    async with make_client(backend, worker_concurrency=0, reading_inline_offline=False) as client:
        [reading_id] = await _create(client, 1)
        queue = client.app.state.tarot.queue
        first = await queue.claim()
        assert str(first.id) == reading_id and first.claims == 1
        assert await queue.claim() is None, "a leased reading is not claimed twice"

        async with client.app.state.tarot.db.sessionmaker.begin() as session:
            await session.execute(
                update(Reading).values(lease_until=utcnow() - timedelta(seconds=1))
            )
        second = await queue.claim()
        assert second.id == first.id and second.claims == 2
        with pytest.raises(LeaseLost):
            await queue._save(first, "stale text", run=None)

        await queue.process(second)
        reading = (await client.get(f"/api/v1/readings/{reading_id}")).json()
        assert reading["status"] == "completed"
        assert reading["provider"] == "offline"
        assert "stale text" not in reading["interpretation"]


async def test_a_worker_survives_an_unexpected_error(make_client, monkeypatch):
    async with make_client(
        "postgres", worker_concurrency=1, reading_inline_offline=False
    ) as client:
        factory = client.app.state.tarot.llm
        real_stream = factory.stream
        calls = []

        def flaky(prompt, run, *, deadline, **options):
            calls.append(1)
            if len(calls) == 1:
                raise RuntimeError("a bug, not a provider failure")
            return real_stream(prompt, run, deadline=deadline, **options)

        monkeypatch.setattr(factory, "stream", flaky)
        body = {"question": "q", "spread": "single"}
        first = await client.post("/api/v1/readings", params={"wait": True}, json=body)
        second = await client.post("/api/v1/readings", params={"wait": True}, json=body)
        assert first.json()["status"] == "failed"
        assert "internal error" in first.json()["error"]
        assert second.status_code == 201 and second.json()["status"] == "completed"
        assert client.app.state.tarot.queue.live == {}, "no live entry is left behind"


async def test_an_empty_key_counts_as_no_key(make_client):
    async with make_client("postgres", llm_providers="openai,offline", OPENAI_API_KEY="") as client:
        reading = await client.post(
            "/api/v1/readings", params={"wait": True}, json={"question": "q", "spread": "single"}
        )
        assert reading.json()["provider"] == "offline"
        assert client.app.state.tarot.llm.available_providers() == ["offline"]


async def test_a_slow_provider_keeps_its_lease(make_client):
    from fakes.llm_servers import FakeLLMServer

    with FakeLLMServer(reply="Slow. But. Alive.", chunks=3, chunk_delay=2.0) as fake:
        settings = {
            "llm_providers": "openai,offline",
            "OPENAI_API_KEY": "sk-test",
            "openai_base_url": fake.openai_base_url,
            "reading_lease_seconds": 1.5,  # shorter than the gap before the first chunk
            "llm_first_chunk_timeout_seconds": 5,
        }
        async with (
            make_client("postgres", **settings) as one,
            make_client("postgres", **settings) as two,
        ):
            response = await one.post(
                "/api/v1/readings",
                params={"wait": True},
                json={"question": "q", "spread": "single"},
            )
            reading = response.json()
            rows = await _rows(two.app)
    assert reading["status"] == "completed" and reading["provider"] == "openai"
    assert reading["interpretation"] == "Slow. But. Alive."
    assert [row.claims for row in rows] == [1], "nobody took it over while it was being written"
    assert len(fake.requests) == 1
