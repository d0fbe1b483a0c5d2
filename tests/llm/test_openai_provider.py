"""What the OpenAI provider sends: Chat Completions as the SDK speaks it."""

from __future__ import annotations

import pytest

from fakes.providers import MODEL, PROMPT, collect


@pytest.fixture
def sdk() -> str:
    return "openai"


async def test_stream_sends_the_prompt_as_chat_messages(provider, server):
    await collect(provider)

    [request] = server.requests
    assert request.path == "/v1/chat/completions"
    assert request.body["model"] == MODEL
    assert request.body["messages"] == [
        {"role": "system", "content": PROMPT.system},
        {"role": "user", "content": PROMPT.user},
    ]
    assert request.body["max_completion_tokens"] == 500 + 250  # one card
    assert "authorization" not in request.headers


async def test_stream_asks_for_usage(provider, server):
    await collect(provider)

    [request] = server.requests
    assert request.body["stream"] is True
    assert request.body["stream_options"] == {"include_usage": True}
