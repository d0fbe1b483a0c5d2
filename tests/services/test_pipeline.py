"""The lean reading path: offline readings in one INSERT, no idle polling, wakes by NOTIFY."""

import asyncio
import uuid
from contextlib import contextmanager

import asyncpg
import pytest
from sqlalchemy import event, select

from tarot.db.models import Reading

BODY = {"question": "What should I focus on?", "spread": "three-card"}


@contextmanager
def counting(engine):
    """Statements and transactions (begin/commit/rollback) on an engine while inside."""
    seen = {"statements": [], "begin": 0, "commit": 0, "rollback": 0}

    def statement(_conn, _cursor, sql, *_args):
        seen["statements"].append(sql)

    def count(name):
        return lambda *_args: seen.__setitem__(name, seen[name] + 1)

    hooks = [("before_cursor_execute", statement)]
    hooks += [(name, count(name)) for name in ("begin", "commit", "rollback")]
    for name, hook in hooks:
        event.listen(engine.sync_engine, name, hook)
    try:
        yield seen
    finally:
        for name, hook in hooks:
            event.remove(engine.sync_engine, name, hook)


@pytest.mark.parametrize("backend", ["postgres", "sqlite"])
async def test_an_offline_reading_is_one_insert_in_one_transaction(make_client, backend):
    async with make_client(backend, queue_sweep_seconds=300) as client:
        await client.post("/api/v1/readings", json=BODY)  # warms the catalog cache
        await asyncio.sleep(0.2)  # the first sweep's claim is over
        with counting(client.app.state.tarot.db.engine) as seen:
            response = await client.post("/api/v1/readings", params={"wait": True}, json=BODY)
        reading = response.json()
    assert response.status_code == 201 and reading["status"] == "completed"
    assert reading["provider"] == "offline" and reading["interpretation"]
    assert [(item["provider"], item["outcome"]) for item in reading["attempts"]] == [
        ("offline", "ok")
    ]
    # Before: ~26 statements in 9 transactions (claim, saves, outcome, count, re-SELECT).
    assert [sql.split()[0] for sql in seen["statements"]] == ["INSERT"], seen["statements"]
    assert (seen["begin"], seen["commit"], seen["rollback"]) == (1, 1, 0), seen


@pytest.mark.parametrize("backend", ["postgres", "sqlite"])
async def test_the_reader_runs_once_per_offline_reading(make_client, backend, monkeypatch):
    from tarot.llm.reader import compose

    calls = []
    real = compose.write
    monkeypatch.setattr(compose, "write", lambda *a, **k: calls.append(1) or real(*a, **k))
    async with make_client(backend) as client:
        created = (await client.post("/api/v1/readings", json=BODY)).json()
        url = f"/api/v1/readings/{created['id']}/stream"
        async with client.stream("GET", url) as response:
            frames = (await response.aread()).decode()
        assert client.app.state.tarot.metrics.readings[("offline", "completed")] == 1
    assert created["status"] == "completed" and len(calls) == 1
    assert "event: done" in frames


async def test_a_crisis_question_is_written_at_once_even_with_an_llm_configured(make_client):
    settings = {"llm_providers": "openai,offline", "OPENAI_API_KEY": "sk-test"}
    settings["openai_base_url"] = "http://127.0.0.1:9/v1"  # never called
    async with make_client("postgres", **settings) as client:
        body = {"question": "I want to end my life, is there any point?", "spread": "single"}
        reading = (await client.post("/api/v1/readings", json=body)).json()
    assert reading["status"] == "completed" and reading["safety_class"] == "crisis"
    assert reading["provider"] == "offline"


@pytest.mark.parametrize("backend", ["postgres", "sqlite"])
async def test_idle_workers_touch_no_database(make_client, backend, database_urls):
    async with make_client(backend, worker_concurrency=4, queue_sweep_seconds=300) as client:
        await asyncio.sleep(1.5)  # startup and the first sweep are done, their stats flushed
        admin = None
        if backend == "postgres":
            dsn = database_urls["postgres"].replace("postgresql+asyncpg://", "postgresql://")
            admin = await asyncpg.connect(dsn)
            query = "SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()"
            before = await admin.fetchval(query)
        with counting(client.app.state.tarot.db.engine) as seen:
            await asyncio.sleep(3)
        if admin is not None:
            await asyncio.sleep(1.2)  # idle backends flush their statistics within a second
            after = await admin.fetchval(query)
            await admin.close()
            # Our own two reads (and nothing from the app): before, 4 workers polled.
            assert after - before <= 3, after - before
    assert seen["statements"] == [] and seen["begin"] == 0, seen


async def test_another_instances_reading_is_picked_up_by_notify(make_client):
    queued = {"reading_inline_offline": False, "queue_sweep_seconds": 300}
    async with make_client("postgres", worker_concurrency=0, **queued) as producer:
        async with make_client("postgres", worker_concurrency=2, **queued) as worker:
            await asyncio.sleep(0.5)  # the worker's first sweep has found nothing
            created = (await producer.post("/api/v1/readings", json=BODY)).json()
            assert created["status"] == "pending"
            for _ in range(200):  # 10 s at most, against a sweep every 300 s
                row = await _row(worker.app, created["id"])
                if row.status == "completed":
                    break
                await asyncio.sleep(0.05)
            assert row.status == "completed" and row.claims == 1
            assert worker.app.state.tarot.queue.processed == 1


@pytest.mark.parametrize("backend", ["postgres", "sqlite"])
async def test_a_wake_during_a_claim_is_not_lost(make_client, backend, monkeypatch):
    from tarot.services.pipeline.workers import ReadingQueue

    real = ReadingQueue.claim
    armed, made = [], []

    async def claim(self):
        got = await real(self)
        if armed and not made:
            # A reading arrives (and wakes us) after this claim looked, before it returns.
            made.append((await client.post("/api/v1/readings", json=BODY)).json())
        return got

    monkeypatch.setattr(ReadingQueue, "claim", claim)
    settings = {"reading_inline_offline": False, "queue_sweep_seconds": 300}
    async with make_client(backend, worker_concurrency=1, **settings) as client:
        await asyncio.sleep(0.3)
        armed.append(True)
        client.app.state.tarot.queue.wake()
        for _ in range(200):
            if made and (await _row(client.app, made[0]["id"])).status == "completed":
                break
            await asyncio.sleep(0.05)
        assert made and (await _row(client.app, made[0]["id"])).status == "completed"


@pytest.mark.parametrize("backend", ["postgres", "sqlite"])
async def test_concurrent_posts_fit_a_pool_of_one(make_client, backend):
    # On SQLite the pool is SQLAlchemy's own; the writers queue on the write turn instead.
    async with make_client(backend, db_pool_size=1, db_max_overflow=0) as client:
        await client.post("/api/v1/readings", json=BODY)  # warms the catalog cache
        answers = await asyncio.gather(
            *(client.post("/api/v1/readings", json=BODY) for _ in range(24)),
            *(
                client.post("/api/v1/readings", json=BODY, headers={"Idempotency-Key": f"k{n}"})
                for n in range(4)
            ),
        )
    assert [answer.status_code for answer in answers] == [202] * 28


async def _row(app, reading_id) -> Reading:
    reading_id = uuid.UUID(str(reading_id))
    async with app.state.tarot.db.sessionmaker() as session:
        return (await session.scalars(select(Reading).where(Reading.id == reading_id))).one()
