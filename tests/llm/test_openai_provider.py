"""The OpenAI provider through the real SDK against a local fake server."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest

from fakes.llm_servers import FakeLLMServer
from tarot.config import Settings
from tarot.llm.base import DrawnCard, ErrorKind, Prompt, ProviderError, ReadingContext, StreamChunk
from tarot.llm.openai_provider import OpenAIProvider, build

KEY = "sk-test-do-not-leak"
MODEL = "gpt-test"


def make_prompt() -> Prompt:
    card = DrawnCard(
        position=1,
        position_name="Present",
        position_prompt="What surrounds you now",
        card_id="major-16-tower",
        card_name="The Tower",
        arcana="major",
        suit=None,
        element="fire",
        reversed=False,
        keywords=("upheaval", "revelation"),
        meaning="A sudden change clears away what was built on false ground.",
    )
    context = ReadingContext(
        question="What should I know this week?",
        spread_name="One card",
        language="en",
        cards=(card,),
    )
    return Prompt(system="You are a careful tarot reader.", user="Read The Tower.", context=context)


PROMPT = make_prompt()


@pytest.fixture(scope="module")
def server() -> Iterator[FakeLLMServer]:
    with FakeLLMServer() as server:
        yield server


@pytest.fixture(autouse=True)
def _fresh_server(server: FakeLLMServer) -> None:
    server.reset()


@pytest.fixture
async def provider(server: FakeLLMServer) -> AsyncIterator[OpenAIProvider]:
    settings = Settings(
        OPENAI_API_KEY=KEY,
        openai_base_url=server.openai_base_url,
        openai_model=MODEL,
        llm_timeout_seconds=0.5,
    )
    provider = build(settings)
    yield provider
    await provider.aclose()


async def collect(provider: OpenAIProvider) -> tuple[list[StreamChunk], ProviderError | None]:
    """Every chunk the stream yielded, and the error that ended it, if any."""
    chunks: list[StreamChunk] = []
    try:
        async for chunk in provider.stream(PROMPT):
            chunks.append(chunk)
    except ProviderError as exc:
        return chunks, exc
    return chunks, None


async def test_generate_returns_text_usage_and_sends_the_prompt(provider, server):
    generation = await provider.generate(PROMPT)

    assert generation.text == server.reply
    assert (generation.provider, generation.model) == ("openai", MODEL)
    assert generation.usage is not None
    assert generation.usage.prompt_tokens == server.prompt_tokens
    assert generation.usage.completion_tokens == server.completion_tokens
    assert generation.usage.total_tokens == server.prompt_tokens + server.completion_tokens
    assert generation.latency_ms > 0
    [request] = server.requests
    assert request.path == "/v1/chat/completions"
    assert request.body["model"] == MODEL
    assert request.body["messages"] == [
        {"role": "system", "content": PROMPT.system},
        {"role": "user", "content": PROMPT.user},
    ]
    assert request.body["max_completion_tokens"] == 1200
    assert "authorization" not in request.headers


async def test_stream_yields_the_reply_in_pieces_then_usage(provider, server):
    chunks, error = await collect(provider)

    assert error is None
    texts = [c.text for c in chunks if c.text]
    assert len(texts) == len(server.pieces()) > 1
    assert "".join(texts) == server.reply
    assert chunks[-1].text == ""
    assert chunks[-1].usage is not None
    assert chunks[-1].usage.total_tokens == server.prompt_tokens + server.completion_tokens
    [request] = server.requests
    assert request.stream
    assert request.body["stream_options"] == {"include_usage": True}


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


@pytest.mark.parametrize(("fault", "kind"), FAULTS)
async def test_generate_maps_each_fault_after_one_attempt(provider, server, fault, kind):
    server.script = [fault]
    with pytest.raises(ProviderError) as caught:
        await provider.generate(PROMPT)

    assert caught.value.kind is kind
    assert len(server.requests) == 1


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
    with pytest.raises(ProviderError) as caught:
        await provider.generate(PROMPT)

    assert caught.value.retry_after == 3.0


async def test_rate_limit_reads_an_http_date_retry_after(provider, server):
    server.script = ["429"]
    server.retry_after = format_datetime(datetime.now(UTC) + timedelta(seconds=30), usegmt=True)
    with pytest.raises(ProviderError) as caught:
        await provider.generate(PROMPT)

    assert caught.value.retry_after is not None
    assert 25 <= caught.value.retry_after <= 30


async def test_auth_error_never_repeats_the_key(provider, server):
    server.script = ["401"]
    with pytest.raises(ProviderError) as caught:
        await provider.generate(PROMPT)

    assert caught.value.kind is ErrorKind.AUTH
    assert KEY not in str(caught.value)
    assert "***" in str(caught.value)


@pytest.mark.parametrize("fault", ["cut", "incomplete"])
async def test_stream_broken_after_text_raises_cut(provider, server, fault):
    # "cut" drops the socket; "incomplete" ends the body cleanly before the finish_reason.
    server.script = [fault]
    chunks, error = await collect(provider)

    assert chunks, "the stream should have yielded text before breaking"
    assert server.reply.startswith("".join(c.text for c in chunks))
    assert error is not None
    assert error.kind is ErrorKind.CUT
    assert not error.kind.retryable
    assert len(server.requests) == 1


async def test_generate_cut_mid_body_is_a_connection_error(provider, server):
    server.script = ["cut"]
    with pytest.raises(ProviderError) as caught:
        await provider.generate(PROMPT)

    assert caught.value.kind is ErrorKind.CONNECTION
    assert len(server.requests) == 1


async def test_recovers_on_the_next_call_after_a_fault(provider, server):
    server.script = ["500"]
    with pytest.raises(ProviderError):
        await provider.generate(PROMPT)

    assert (await provider.generate(PROMPT)).text == server.reply
    assert len(server.requests) == 2


async def test_unreachable_server_is_a_connection_error(server):
    free = FakeLLMServer().start()
    url = free.openai_base_url
    free.stop()
    provider = OpenAIProvider(api_key=KEY, model=MODEL, base_url=url, timeout=0.5)
    try:
        with pytest.raises(ProviderError) as caught:
            await provider.generate(PROMPT)
    finally:
        await provider.aclose()

    assert caught.value.kind is ErrorKind.CONNECTION


def test_build_without_a_key_is_an_auth_error():
    with pytest.raises(ProviderError) as caught:
        build(Settings(OPENAI_API_KEY=None))

    assert caught.value.kind is ErrorKind.AUTH
