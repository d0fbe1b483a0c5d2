"""Faults never stored as a finished reading: cuts, truncation, filters, open circuits."""

import asyncio

import pytest
from sqlalchemy import select

from fakes.providers import outcomes, read
from tarot.db.models import Reading


async def generation(client, reading_id) -> int:
    async with client.app.state.tarot.db.sessionmaker() as session:
        return await session.scalar(select(Reading.claims).where(Reading.id == reading_id))


async def test_a_cut_nobody_saw_falls_back_with_a_new_generation(chain, gemini, openai):
    gemini.script = ["cut"]
    async with chain() as client:
        reading = await read(client)
        claims = await generation(client, reading["id"])
    assert reading["status"] == "completed"
    assert reading["provider"] == "openai"
    assert reading["interpretation"] == openai.reply, "nothing of Gemini's partial text is kept"
    assert outcomes(reading) == [("gemini", "cut"), ("openai", "ok")]
    assert claims == 2, "the discarded text was one generation, the reading another"


async def test_a_cut_after_a_follower_got_text_fails_and_names_the_writer(chain, gemini, openai):
    gemini.script = ["cut"]
    gemini.chunk_delay = 0.3  # the follower is connected before the first chunk arrives
    async with chain() as client:
        created = await client.post(
            "/api/v1/readings", json={"question": "Will it hold?", "spread": "single"}
        )
        reading_id = created.json()["id"]
        path = f"/api/v1/readings/{reading_id}/stream"
        follow = asyncio.create_task(client.get(path))
        body = (await asyncio.wait_for(follow, timeout=20)).text
        reading = (await client.get(f"/api/v1/readings/{reading_id}")).json()
    assert reading["status"] == "failed"
    assert reading["provider"] == "gemini", "the provider that wrote the partial text"
    assert outcomes(reading) == [("gemini", "cut")]
    assert "mid-stream" in reading["error"]
    assert reading["interpretation"] and gemini.reply.startswith(reading["interpretation"])
    assert not openai.requests, "no fallback once text reached a client"
    assert "event: chunk" in body and "event: error" in body and "event: done" not in body


@pytest.mark.parametrize(
    ("gemini_finish", "openai_finish", "kinds"),
    [
        ("MAX_TOKENS", "length", ("truncated", "truncated")),
        ("SAFETY", "content_filter", ("filtered", "filtered")),
        ("RECITATION", "length", ("filtered", "truncated")),
        ("OTHER", "content_filter", ("unfinished", "filtered")),
    ],
)
async def test_unclean_finishes_fall_back_and_say_why(
    chain, gemini, openai, gemini_finish, openai_finish, kinds
):
    gemini.script = [f"finish:{gemini_finish}"]
    openai.script = [f"finish:{openai_finish}"]
    async with chain() as client:
        reading = await read(client)
    assert reading["status"] == "completed"
    assert reading["provider"] == "offline"
    assert outcomes(reading) == [("gemini", kinds[0]), ("openai", kinds[1]), ("offline", "ok")]
    details = [a.get("detail") or "" for a in reading["attempts"]]
    assert gemini_finish in details[0] and openai_finish in details[1]
    assert openai.reply[:10] not in reading["interpretation"]


async def test_an_unclean_finish_after_a_follower_got_text_is_a_failure(chain, gemini, openai):
    gemini.script = ["finish:MAX_TOKENS"]
    gemini.chunk_delay = 0.3
    async with chain() as client:
        created = await client.post(
            "/api/v1/readings", json={"question": "Will it hold?", "spread": "single"}
        )
        reading_id = created.json()["id"]
        await asyncio.wait_for(client.get(f"/api/v1/readings/{reading_id}/stream"), timeout=20)
        reading = (await client.get(f"/api/v1/readings/{reading_id}")).json()
    assert reading["status"] == "failed", "a truncated text is never stored as complete"
    assert outcomes(reading) == [("gemini", "truncated")]
    assert "MAX_TOKENS" in reading["error"] or "truncated" in reading["error"]


@pytest.mark.parametrize(("spread", "positions"), [("single", 1), ("celtic-cross", 10)])
async def test_the_output_budget_grows_with_the_spread(chain, gemini, openai, spread, positions):
    openai.script = ["ok"]
    gemini.script = ["500", "500"]
    async with chain(llm_output_tokens_base=400, llm_output_tokens_per_position=300) as client:
        reading = await read(client, spread=spread)
    assert reading["provider"] == "openai"
    expected = 400 + 300 * positions
    assert gemini.requests[0].body["generationConfig"]["maxOutputTokens"] == expected
    assert openai.requests[0].body["max_completion_tokens"] == expected


async def test_the_output_budget_is_capped(chain, openai):
    async with chain(llm_providers="openai,offline", llm_max_output_tokens=2000) as client:
        await read(client, spread="single")
        await read(client, spread="celtic-cross")
    budgets = [request.body["max_completion_tokens"] for request in openai.requests]
    assert budgets == [500 + 250, 2000]


async def test_an_open_circuit_stops_the_retries_of_a_hanging_primary(chain, gemini, openai):
    gemini.script = ["hang"] * 10
    async with chain(
        llm_max_attempts=3,
        llm_cooldown_failures=2,
        llm_first_chunk_timeout_seconds=0.3,
        worker_concurrency=1,
    ) as client:
        first = await read(client)
        second = await read(client)
    # Two hangs opened the breaker: the third attempt is skipped, and so is the next reading.
    assert outcomes(first) == [
        ("gemini", "timeout"),
        ("gemini", "timeout"),
        ("gemini", "skipped_cooldown"),
        ("openai", "ok"),
    ]
    assert outcomes(second) == [("gemini", "skipped_cooldown"), ("openai", "ok")]
    assert len(gemini.requests) == 2
