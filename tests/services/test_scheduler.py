"""Scheduler jobs: advisory-locked across instances, gone after shutdown."""

import asyncio
from datetime import timedelta

from sqlalchemy import select, update

from tarot.db.models import Reading, utcnow
from tarot.services.scheduler import purge_old, reclaim_stuck, run_locked


async def test_two_instances_run_a_job_once(make_client):
    async with make_client("postgres") as one, make_client("postgres") as two:
        runs = []

        async def job():
            runs.append(1)
            await asyncio.sleep(0.3)

        results = await asyncio.gather(
            run_locked(one.app.state.tarot.db, "test-job", job),
            run_locked(two.app.state.tarot.db, "test-job", job),
        )
        assert sorted(results) == [False, True]
        assert len(runs) == 1
        assert await run_locked(two.app.state.tarot.db, "test-job", job) is True, "lock released"


async def test_sqlite_uses_a_process_lock(make_client):
    async with make_client("sqlite") as client:
        db, runs = client.app.state.tarot.db, []

        async def job():
            runs.append(1)
            await asyncio.sleep(0.1)

        results = await asyncio.gather(*(run_locked(db, "local", job) for _ in range(3)))
        assert results.count(True) == 1 and len(runs) == 1


async def test_enabled_scheduler_has_jobs_and_leaves_none_behind(make_client):
    async with make_client("postgres", scheduler_enabled=True) as client:
        scheduler = client.app.state.tarot.scheduler
        ids = {job.id for job in scheduler.get_jobs()}
        assert {
            "reclaim-stuck",
            "purge-old",
            "warm-catalog",
            "purge-idempotency-keys",
            "purge-sessions",
            "sample-rss",
            "close-cooldowns",
        } == ids
    assert scheduler.get_jobs() == []
    assert not scheduler.running
    async with make_client("postgres", scheduler_enabled=False) as client:
        assert client.app.state.tarot.scheduler is None


async def test_reclaim_and_purge(make_client):
    async with make_client(
        "postgres", worker_concurrency=0, reading_inline_offline=False
    ) as client:
        db, queue = client.app.state.tarot.db, client.app.state.tarot.queue
        ids = []
        for _ in range(2):
            response = await client.post(
                "/api/v1/readings", json={"question": "q", "spread": "single"}
            )
            ids.append(response.json()["id"])
        stuck = await queue.claim()
        async with db.sessionmaker.begin() as session:
            await session.execute(
                update(Reading)
                .where(Reading.id == stuck.id)
                .values(lease_until=utcnow() - timedelta(minutes=1))
            )
        assert await reclaim_stuck(db=db, queue=queue) == 1
        async with db.sessionmaker.begin() as session:
            await session.execute(
                update(Reading)
                .where(Reading.id == stuck.id)
                .values(created_at=utcnow() - timedelta(days=40))
            )
        assert await purge_old(db=db, days=30) == 1
        async with db.sessionmaker() as session:
            left = [str(r.id) for r in await session.scalars(select(Reading))]
        assert left == [i for i in ids if i != str(stuck.id)]
