"""Idempotency-Key on POST /readings, on Postgres and SQLite."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta

from sqlalchemy import func, select, update

from tarot.db.models import IdempotencyKey, Reading, utcnow
from tarot.services import idempotency
from tarot.services.idempotency import purge_expired

BODY = {"question": "Will the retry make a second reading?", "spread": "single"}


async def _post(client, key: str, body: dict | None = None, **kwargs):
    headers = {"Idempotency-Key": key, **kwargs.pop("headers", {})}
    return await client.post("/api/v1/readings", json=body or BODY, headers=headers, **kwargs)


async def _readings_with(client, question: str) -> int:
    async with client.app.state.tarot.db.sessionmaker() as session:
        return await session.scalar(
            select(func.count()).select_from(Reading).where(Reading.question == question)
        )


async def test_same_key_and_body_return_the_same_reading(client):
    key = uuid.uuid4().hex
    first = await _post(client, key)
    again = await _post(client, key)
    assert first.status_code == 202
    assert again.status_code // 100 == 2
    assert again.json()["id"] == first.json()["id"]
    assert again.headers["idempotent-replayed"] == "true"
    assert "idempotent-replayed" not in first.headers
    assert again.headers["location"] == first.headers["location"]
    # Defaults spelled out are the same body.
    spelled = await _post(client, key, BODY | {"reversals": True, "language": "en"})
    assert spelled.json()["id"] == first.json()["id"]
    assert await _readings_with(client, BODY["question"]) == 1
    waited = await _post(client, key, params={"wait": "true"})
    assert waited.status_code == 201
    assert waited.json()["id"] == first.json()["id"]
    assert waited.json()["status"] == "completed"


async def test_same_key_with_another_body_is_a_422_problem(client):
    key = uuid.uuid4().hex
    assert (await _post(client, key)).status_code == 202
    other = await _post(client, key, BODY | {"question": "Something else entirely?"})
    assert other.status_code == 422
    assert other.headers["content-type"] == "application/problem+json"
    assert "Idempotency-Key" in other.json()["detail"]
    without = await client.post("/api/v1/readings", json=BODY)
    assert without.status_code == 202, "no key: every request is a new reading"
    assert await _readings_with(client, BODY["question"]) == 2


async def test_keys_are_per_account(client):
    key = uuid.uuid4().hex
    anonymous = (await _post(client, key)).json()["id"]
    email = f"idem-{uuid.uuid4().hex[:8]}@example.com"
    credentials = {"email": email, "password": "a long enough password"}
    assert (await client.post("/api/v1/auth/register", json=credentials)).status_code == 201
    token = (await client.post("/api/v1/auth/login", json=credentials)).json()["access_token"]
    auth = {"Authorization": f"Bearer {token}"}
    owned = await _post(client, key, headers=auth)
    assert owned.json()["id"] != anonymous
    assert (await _post(client, key, headers=auth)).json()["id"] == owned.json()["id"]


async def test_an_invalid_key_is_a_422(client):
    response = await _post(client, "has spaces in it")
    assert response.status_code == 422
    assert (await _post(client, "x" * 256)).status_code == 422


async def test_concurrent_duplicates_make_one_reading(client):
    key = uuid.uuid4().hex
    body = BODY | {"question": f"Concurrent {key}?"}
    # Four, not more: each request briefly holds two of the pool's five Postgres connections.
    responses = await asyncio.gather(*(_post(client, key, body) for _ in range(4)))
    assert {response.status_code // 100 for response in responses} == {2}
    assert len({response.json()["id"] for response in responses}) == 1
    assert await _readings_with(client, body["question"]) == 1
    assert sum(r.headers.get("idempotent-replayed") == "true" for r in responses) == 3


async def test_keys_expire(make_client):
    async with make_client("sqlite", idempotency_ttl_seconds=3600) as client:
        key = uuid.uuid4().hex
        first = (await _post(client, key)).json()["id"]
        db = client.app.state.tarot.db
        async with db.sessionmaker.begin() as session:
            await session.execute(
                update(IdempotencyKey)
                .where(IdempotencyKey.key == key)
                .values(created_at=utcnow() - timedelta(hours=2))
            )
        second = (await _post(client, key)).json()["id"]
        assert second != first, "an expired key makes a new reading"
        assert (await _post(client, key)).json()["id"] == second
        async with db.sessionmaker.begin() as session:
            await session.execute(
                update(IdempotencyKey).values(created_at=utcnow() - timedelta(hours=2))
            )
        assert await purge_expired(db=db, ttl_seconds=3600) >= 1
        async with db.sessionmaker() as session:
            assert await session.scalar(select(func.count()).select_from(IdempotencyKey)) == 0


async def test_a_key_works_across_instances(make_client):
    key = uuid.uuid4().hex
    async with make_client("postgres") as one, make_client("postgres") as two:
        first = await _post(one, key)
        second = await _post(two, key)
        assert second.json()["id"] == first.json()["id"]
        assert second.headers["idempotent-replayed"] == "true"


async def test_deleting_the_reading_frees_its_key(client):
    key = uuid.uuid4().hex
    first = (await _post(client, key)).json()["id"]
    assert (await client.delete(f"/api/v1/readings/{first}")).status_code == 204
    assert (await _post(client, key)).json()["id"] != first


async def test_expired_keys_are_purged_without_the_scheduler(make_client, monkeypatch):
    async with make_client("postgres", idempotency_ttl_seconds=3600) as client:
        old = uuid.uuid4().hex
        await _post(client, old)
        db = client.app.state.tarot.db
        async with db.sessionmaker.begin() as session:
            await session.execute(
                update(IdempotencyKey)
                .where(IdempotencyKey.key == old)
                .values(created_at=utcnow() - timedelta(hours=2))
            )
        monkeypatch.setattr(idempotency, "_next_purge", 0.0)
        await _post(client, uuid.uuid4().hex)
        async with db.sessionmaker() as session:
            assert await session.get(IdempotencyKey, ("anonymous", old)) is None
