"""The provider chain end to end: real SDKs, fake servers, faults, and what gets stored."""

import json

import pytest

from fakes.providers import outcomes, read, run_chain, run_outcomes
from tarot.llm.attempts import ChainExhausted
from tarot.llm.chain import ProviderChain


async def test_healthy_gemini_writes_the_reading(chain, gemini, openai):
    async with chain() as client:
        reading = await read(client)
    assert reading["status"] == "completed"
    assert reading["provider"] == "gemini"
    assert reading["interpretation"] == gemini.reply
    assert reading["usage"]["total_tokens"] == gemini.prompt_tokens + gemini.completion_tokens
    assert outcomes(reading) == [("gemini", "ok")]
    assert len(gemini.requests) == 1 and not openai.requests
    sent = json.dumps(gemini.requests[0].body)
    assert "<question>" in sent and "Is patience the answer?" in sent
    for card in reading["cards"]:
        assert card["name"] in sent


async def test_500_is_retried_then_falls_over_to_openai(chain, gemini, openai):
    gemini.script = ["500", "500"]
    async with chain() as client:
        reading = await read(client)
    assert reading["provider"] == "openai"
    assert reading["interpretation"] == openai.reply
    assert outcomes(reading) == [
        ("gemini", "server_error"),
        ("gemini", "server_error"),
        ("openai", "ok"),
    ]
    assert len(gemini.requests) == 2, "our one retry loop: two attempts, SDK retries off"


async def test_429_honours_retry_after_on_the_same_provider(chain, gemini):
    gemini.script = ["429"]
    gemini.retry_after = 1
    async with chain() as client:
        reading = await read(client)
    assert reading["provider"] == "gemini"
    assert outcomes(reading) == [("gemini", "rate_limited"), ("gemini", "ok")]
    first, second = gemini.requests
    assert second.received_at - first.received_at >= 0.95


async def test_429_with_a_long_retry_after_falls_over_at_once(chain, gemini, openai):
    gemini.script = ["429"]
    gemini.retry_after = 120
    async with chain() as client:
        reading = await read(client)
    assert reading["provider"] == "openai"
    assert outcomes(reading) == [("gemini", "rate_limited"), ("openai", "ok")]


async def test_hang_times_out_and_falls_over(chain, gemini, openai):
    gemini.script = ["hang", "hang"]
    async with chain() as client:
        reading = await read(client)
    assert reading["provider"] == "openai"
    assert outcomes(reading)[:2] == [("gemini", "timeout"), ("gemini", "timeout")]


async def test_malformed_and_401_are_not_retried(chain, gemini, openai):
    gemini.script = ["malformed"]
    openai.script = ["401"]
    async with chain() as client:
        reading = await read(client)
    assert reading["provider"] == "offline"
    assert outcomes(reading) == [("gemini", "malformed"), ("openai", "auth"), ("offline", "ok")]
    assert len(gemini.requests) == 1 and len(openai.requests) == 1
    assert "sk-test-key" not in json.dumps(reading)


async def test_cooldown_skips_a_failing_provider(chain, gemini, openai):
    gemini.script = ["500"] * 10
    async with chain(llm_cooldown_failures=2, llm_cooldown_seconds=60) as client:
        first = await read(client)
        second = await read(client)
        stats = {p["name"]: p for p in client.app.state.tarot.llm.describe()}
    assert first["provider"] == second["provider"] == "openai"
    assert outcomes(second)[0] == ("gemini", "skipped_cooldown")
    assert len(gemini.requests) == 2
    assert stats["gemini"]["circuit"] == "open"
    assert stats["gemini"]["last_error_kind"] == "server_error"


async def test_past_the_deadline_offline_finishes(chain, gemini, openai):
    gemini.script = ["hang"]
    async with chain(reading_deadline_seconds=0.3, llm_first_chunk_timeout_seconds=5) as client:
        reading = await read(client)
    assert reading["status"] == "completed"
    assert reading["provider"] == "offline"
    assert ("openai", "skipped_deadline") in outcomes(reading)
    assert not openai.requests


async def test_catalog_stays_fast_while_a_slow_provider_writes(chain, gemini):
    gemini.chunk_delay = 0.3  # 4 chunks: over a second per reading
    async with chain(llm_first_chunk_timeout_seconds=5) as client:
        created = [
            (
                await client.post(
                    "/api/v1/readings", json={"question": f"q{n}", "spread": "single"}
                )
            ).json()["id"]
            for n in range(4)
        ]
        answered = []
        for _ in range(10):
            for path in ("/health", "/api/v1/cards/ar10", "/api/v1/spreads"):
                response = await client.get(path)
                answered.append(response.status_code)
        statuses = [
            (await client.get(f"/api/v1/readings/{rid}")).json()["status"] for rid in created
        ]
        assert set(answered) == {200}
        # Thirty catalog answers came back while the readings were still being written.
        assert any(status in ("pending", "running") for status in statuses), statuses


async def test_listing_providers_imports_nothing(make_settings):
    chain = ProviderChain(
        make_settings(llm_providers="gemini,openai,offline", OPENAI_API_KEY="sk-x")
    )
    assert chain.available_providers() == ["openai", "offline"]
    assert chain.loaded_providers() == []
    described = {p["name"]: p for p in chain.describe()}
    assert described["gemini"]["available"] is False
    assert described["openai"]["loaded"] is False


# --- the order of the chain, on a ProviderChain of its own ---


@pytest.fixture
async def chain_of(make_settings, chain_settings):
    """Build a ProviderChain over the fake servers with the given settings on top."""
    built: list[ProviderChain] = []

    def build(**overrides) -> ProviderChain:
        built.append(ProviderChain(make_settings(**(chain_settings | overrides))))
        return built[-1]

    yield build
    for chain in built:
        await chain.aclose()


@pytest.mark.parametrize(
    ("providers", "writer", "idle"),
    [("openai,gemini,offline", "openai", "gemini"), ("gemini,openai", "gemini", "openai")],
)
async def test_the_configured_order_decides_who_writes(
    chain_of, gemini, openai, providers, writer, idle
):
    servers = {"gemini": gemini, "openai": openai}
    run = await run_chain(chain_of(llm_providers=providers))
    assert run_outcomes(run) == [(writer, "ok")]
    assert run.provider == writer
    assert len(servers[writer].requests) == 1
    assert servers[idle].requests == [], "a provider after the writer is never called"


async def test_each_failure_moves_on_to_the_next_provider_in_order(chain_of, gemini, openai):
    gemini.script = ["401"]
    openai.script = ["500", "500"]
    run = await run_chain(chain_of())
    assert run_outcomes(run) == [
        ("gemini", "auth"),
        ("openai", "server_error"),
        ("openai", "server_error"),
        ("offline", "ok"),
    ]
    assert run.provider == "offline"


async def test_a_provider_without_a_key_is_passed_over_without_an_attempt(chain_of, gemini):
    run = await run_chain(chain_of(GEMINI_API_KEY=""))
    assert run_outcomes(run) == [("openai", "ok")]
    assert gemini.requests == []


async def test_a_chain_whose_every_provider_fails_is_exhausted(chain_of, gemini, openai):
    gemini.script = ["401"]
    openai.script = ["401"]
    with pytest.raises(ChainExhausted):
        await run_chain(chain_of(llm_providers="gemini,openai"))


async def test_a_retry_after_over_the_cap_falls_over_even_with_time_to_spare(
    chain_of, gemini, openai
):
    gemini.script = ["429"]
    gemini.retry_after = 15  # the run's deadline is 30 s away: only the cap says no
    run = await run_chain(chain_of(llm_max_retry_after_seconds=5))
    assert run_outcomes(run) == [("gemini", "rate_limited"), ("openai", "ok")]
    assert len(gemini.requests) == 1
