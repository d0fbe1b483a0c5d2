"""Both SDK-backed providers through their real SDKs against a local fake server.

Each test runs for OpenAI and for Gemini: faults must map to the same error kinds, after
exactly one HTTP request (the SDKs' own retries are off).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest

from fakes.llm_servers import FakeLLMServer
from fakes.providers import KEY, MODEL, SDKS, base_url, collect, sdk_module
from tarot.config import Settings
from tarot.llm.base import ErrorKind, ProviderError


@pytest.fixture(params=sorted(SDKS))
def sdk(request) -> str:
    return request.param


async def test_stream_yields_the_reply_in_pieces_then_usage(provider, server, sdk):
    chunks, error = await collect(provider)

    assert error is None
    assert (provider.name, provider.model) == (sdk, MODEL)
    texts = [c.text for c in chunks if c.text]
    assert len(texts) == len(server.pieces()) > 1
    assert "".join(texts) == server.reply
    assert chunks[-1].text == ""
    assert chunks[-1].usage is not None
    assert chunks[-1].usage.prompt_tokens == server.prompt_tokens
    assert chunks[-1].usage.completion_tokens == server.completion_tokens
    assert chunks[-1].usage.total_tokens == server.prompt_tokens + server.completion_tokens
    [request] = server.requests
    assert request.stream


async def test_slow_chunks_within_the_timeout_still_arrive(provider, server):
    # The timeout bounds each read, not the whole stream.
    server.chunk_delay = 0.1
    chunks, error = await collect(provider)

    assert error is None
    assert "".join(c.text for c in chunks) == server.reply


FAULTS = [
    ("500", ErrorKind.SERVER),
    ("429", ErrorKind.RATE_LIMITED),
    ("401", ErrorKind.AUTH),
    ("hang", ErrorKind.TIMEOUT),
    ("malformed", ErrorKind.MALFORMED),
    ("incomplete", ErrorKind.MALFORMED),
]


@pytest.mark.parametrize(("fault", "kind"), [f for f in FAULTS if f[0] != "incomplete"])
async def test_stream_maps_each_fault_before_the_first_chunk(provider, server, fault, kind):
    server.script = [fault]
    chunks, error = await collect(provider)

    assert chunks == []
    assert error is not None
    assert error.kind is kind
    assert len(server.requests) == 1


async def test_rate_limit_carries_retry_after_seconds(provider, server):
    server.script, server.retry_after = ["429"], 3
    _chunks, error = await collect(provider)

    assert error is not None and error.retry_after == 3.0


async def test_rate_limit_reads_an_http_date_retry_after(provider, server):
    server.script = ["429"]
    server.retry_after = format_datetime(datetime.now(UTC) + timedelta(seconds=30), usegmt=True)
    _chunks, error = await collect(provider)

    assert error is not None and error.retry_after is not None
    assert 25 <= error.retry_after <= 30


async def test_auth_error_never_repeats_the_key(provider, server):
    server.script = ["401"]
    _chunks, error = await collect(provider)

    assert error is not None and error.kind is ErrorKind.AUTH
    assert KEY not in str(error)
    assert "***" in str(error)


async def test_a_clean_finish_without_any_text_is_malformed(provider, server):
    server.script = ["empty"]
    chunks, error = await collect(provider)

    assert chunks == []
    assert error is not None and error.kind is ErrorKind.MALFORMED
    assert "no text" in str(error)


@pytest.mark.parametrize("fault", ["cut", "incomplete"])
async def test_stream_broken_after_text_raises_cut(provider, server, fault):
    # "cut" drops the socket; "incomplete" ends the body cleanly before the finish reason.
    server.script = [fault]
    chunks, error = await collect(provider)

    assert chunks, "the stream should have yielded text before breaking"
    assert server.reply.startswith("".join(c.text for c in chunks))
    assert error is not None
    assert error.kind is ErrorKind.CUT
    assert not error.kind.retryable
    assert len(server.requests) == 1


async def test_recovers_on_the_next_call_after_a_fault(provider, server):
    server.script = ["500"]
    _chunks, error = await collect(provider)
    assert error is not None and error.kind is ErrorKind.SERVER

    chunks, error = await collect(provider)
    assert error is None
    assert "".join(c.text for c in chunks) == server.reply
    assert len(server.requests) == 2


async def test_unreachable_server_is_a_connection_error(sdk):
    free = FakeLLMServer().start()
    url = base_url(free, sdk)
    free.stop()
    provider_class = getattr(sdk_module(sdk), SDKS[sdk][1])
    provider = provider_class(api_key=KEY, model=MODEL, base_url=url, timeout=0.5)
    try:
        chunks, error = await collect(provider)
    finally:
        await provider.aclose()

    assert chunks == []
    assert error is not None and error.kind is ErrorKind.CONNECTION


def test_build_without_a_key_is_an_auth_error(sdk):
    with pytest.raises(ProviderError) as caught:
        sdk_module(sdk).build(Settings(**{SDKS[sdk][2]: None}))

    assert caught.value.kind is ErrorKind.AUTH


FINISHES = [
    ("gemini", "MAX_TOKENS", ErrorKind.TRUNCATED),
    ("gemini", "SAFETY", ErrorKind.FILTERED),
    ("gemini", "RECITATION", ErrorKind.FILTERED),
    ("gemini", "OTHER", ErrorKind.UNFINISHED),
    ("openai", "length", ErrorKind.TRUNCATED),
    ("openai", "content_filter", ErrorKind.FILTERED),
]


@pytest.mark.parametrize(("sdk", "reason", "kind"), FINISHES)
async def test_an_unclean_finish_is_an_error_after_the_text(provider, server, sdk, reason, kind):
    server.script = [f"finish:{reason}"]
    chunks, error = await collect(provider)
    assert error is not None and error.kind is kind and reason in str(error)
    assert "".join(c.text for c in chunks), "the text came first, then the bad finish"
    assert all(chunk.usage is None for chunk in chunks), "no usage chunk after a bad finish"
