"""Fixtures for the SDK-backed providers: one fake server, a provider per SDK."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest

from fakes.llm_servers import FakeLLMServer
from fakes.providers import SDKS, base_url, sdk_module, sdk_settings


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
