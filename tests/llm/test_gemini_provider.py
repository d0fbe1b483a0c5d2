"""What the Gemini provider sends, and Gemini's own ways of reporting errors."""

from __future__ import annotations

import pytest

from fakes.providers import MODEL, PROMPT, collect
from tarot.llm.base import ErrorKind
from tarot.llm.gemini_provider import _retry_delay, _status_kind


@pytest.fixture
def sdk() -> str:
    return "gemini"


async def test_stream_sends_contents_and_system_instruction(provider, server):
    await collect(provider)

    [request] = server.requests
    assert request.body["contents"] == [{"role": "user", "parts": [{"text": PROMPT.user}]}]
    assert request.body["systemInstruction"]["parts"] == [{"text": PROMPT.system}]
    assert request.body["generationConfig"]["maxOutputTokens"] == 500 + 250  # one card
    # The SDK passes the field name through as written; Google's JSON parsing takes either.
    assert list(request.body["generationConfig"]["thinkingConfig"].values()) == [0]
    assert "x-goog-api-key" not in request.headers


async def test_stream_uses_server_sent_events(provider, server):
    await collect(provider)

    [request] = server.requests
    assert request.path.endswith(f"/models/{MODEL}:streamGenerateContent")
    assert request.query == "alt=sse"


def test_retry_info_in_the_body_backs_up_a_missing_header():
    info = {"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "37.5s"}
    assert _retry_delay({"error": {"code": 429, "details": [info]}}) == 37.5
    assert _retry_delay({"error": {"code": 429}}) is None


def test_an_invalid_key_reported_as_400_is_an_auth_error():
    details = {"error": {"code": 400, "details": [{"reason": "API_KEY_INVALID"}]}}
    assert _status_kind(400, details) is ErrorKind.AUTH
    assert _status_kind(400, {"error": {"code": 400}}) is ErrorKind.BAD_REQUEST
