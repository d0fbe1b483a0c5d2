"""A failed reading can be written again by whoever may see it, and only a failed one."""

import asyncio
from collections.abc import Iterator

import pytest

from api.test_accounts import register_and_login
from fakes.llm_servers import FakeLLMServer

PROBLEM = "application/problem+json"


@pytest.fixture(scope="module")
def gemini() -> Iterator[FakeLLMServer]:
    with FakeLLMServer(reply="The second try reads the cards in full.") as server:
        yield server


@pytest.fixture
def only_gemini(make_client, gemini):
    """An app whose only provider is Gemini, so that its failures fail the reading."""
    gemini.reset()
    return make_client(
        "postgres",
        llm_providers="gemini",
        GEMINI_API_KEY="gm-test",
        gemini_base_url=gemini.gemini_base_url,
        llm_max_attempts=1,
    )


async def failed_reading(client, gemini, headers=None) -> dict:
    gemini.script = ["500"]
    response = await client.post(
        "/api/v1/readings",
        params={"wait": True},
        json={"question": "Will it work the second time?", "spread": "three-card"},
        headers=headers or {},
    )
    assert response.status_code == 201, response.text
    assert response.json()["status"] == "failed"
    return response.json()


async def wait_finished(client, reading_id, headers=None) -> dict:
    for _ in range(200):
        body = (await client.get(f"/api/v1/readings/{reading_id}", headers=headers or {})).json()
        if body["status"] in ("completed", "failed"):
            return body
        await asyncio.sleep(0.05)
    raise AssertionError("the retried reading never finished")


async def test_an_anonymous_failed_reading_is_written_again(only_gemini, gemini):
    async with only_gemini as client:
        failed = await failed_reading(client, gemini)
        retried = await client.post(f"/api/v1/readings/{failed['id']}/retry")
        assert retried.status_code == 202, retried.text
        assert retried.json()["status"] == "pending" and retried.json()["error"] is None
        done = await wait_finished(client, failed["id"])
    assert done["status"] == "completed"
    assert done["interpretation"] == gemini.reply
    assert done["cards"] == failed["cards"], "the same draw, written again"
    assert [a["outcome"] for a in done["attempts"]] == ["ok"]


async def test_only_a_failed_reading_can_be_retried(only_gemini, gemini):
    async with only_gemini as client:
        failed = await failed_reading(client, gemini)
        await client.post(f"/api/v1/readings/{failed['id']}/retry")
        await wait_finished(client, failed["id"])
        again = await client.post(f"/api/v1/readings/{failed['id']}/retry")
    assert again.status_code == 409
    assert again.headers["content-type"] == PROBLEM
    assert "completed" in again.json()["detail"]


async def test_someone_elses_reading_is_404(only_gemini, gemini):
    async with only_gemini as client:
        owner = await register_and_login(client, "owner@example.com")
        stranger = await register_and_login(client, "stranger@example.com")
        failed = await failed_reading(client, gemini, headers=owner)
        as_stranger = await client.post(f"/api/v1/readings/{failed['id']}/retry", headers=stranger)
        anonymous = await client.post(f"/api/v1/readings/{failed['id']}/retry")
        as_owner = await client.post(f"/api/v1/readings/{failed['id']}/retry", headers=owner)
    assert as_stranger.status_code == anonymous.status_code == 404
    assert as_owner.status_code == 202
