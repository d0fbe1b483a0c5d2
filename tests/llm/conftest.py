"""Fixtures of the llm tests: fake servers, a provider per SDK, and an app on a full chain."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator

import pytest

from fakes.llm_servers import FakeLLMServer
from fakes.providers import SDKS, base_url, sdk_module, sdk_settings

GEMINI_REPLY = "Gemini speaks: the cards lean toward patience, and the wait is not idle."
OPENAI_REPLY = "OpenAI speaks: a door opens after a wait."


@pytest.fixture(scope="module")
def shared_server() -> Iterator[FakeLLMServer]:
    with FakeLLMServer() as server:
        yield server


@pytest.fixture
def server(shared_server: FakeLLMServer) -> FakeLLMServer:
    shared_server.reset()
    return shared_server


@pytest.fixture
async def provider(server: FakeLLMServer, sdk: str) -> AsyncIterator:
    prefix = SDKS[sdk][3]
    settings = sdk_settings(
        sdk, **{f"{prefix}_base_url": base_url(server, sdk)}, llm_timeout_seconds=0.5
    )
    provider = sdk_module(sdk).build(settings)
    yield provider
    await provider.aclose()


@pytest.fixture(scope="module")
def gemini() -> Iterator[FakeLLMServer]:
    """A fake Gemini for the chain tests, shared by one module and reset for each test."""
    with FakeLLMServer(reply=GEMINI_REPLY, chunks=4) as server:
        yield server


@pytest.fixture(scope="module")
def openai() -> Iterator[FakeLLMServer]:
    """A fake OpenAI for the chain tests, shared by one module and reset for each test."""
    with FakeLLMServer(reply=OPENAI_REPLY, chunks=4) as server:
        yield server


@pytest.fixture
def chain_settings(gemini: FakeLLMServer, openai: FakeLLMServer) -> dict:
    """Settings of a gemini -> openai -> offline chain against the fake servers, reset."""
    gemini.reset()
    openai.reset()
    return {
        "llm_providers": "gemini,openai,offline",
        "GEMINI_API_KEY": "gm-test-key",
        "gemini_base_url": gemini.gemini_base_url,
        "OPENAI_API_KEY": "sk-test-key",
        "openai_base_url": openai.openai_base_url,
        "llm_timeout_seconds": 2.0,
        "llm_first_chunk_timeout_seconds": 0.5,
        "llm_max_attempts": 2,
        "llm_backoff_seconds": 0.05,
    }


@pytest.fixture
def chain(make_client, chain_settings: dict) -> Callable:
    """Start an app on Postgres whose chain is gemini -> openai -> offline (overridable)."""

    def start(**overrides):
        return make_client("postgres", **(chain_settings | overrides))

    return start
