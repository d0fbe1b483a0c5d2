"""Shared pieces of the SDK-backed provider tests: the prompt, how to build each SDK's provider."""

from __future__ import annotations

import importlib
import time

from fakes.llm_servers import FakeLLMServer
from tarot.config import Settings
from tarot.llm.attempts import ChainRun
from tarot.llm.base import DrawnCard, Prompt, ProviderError, ReadingContext, StreamChunk

KEY = "sk-test-do-not-leak"
MODEL = "model-test"
# How each SDK-backed provider is built and pointed at the fake server.
SDKS = {
    "openai": ("tarot.llm.openai_provider", "OpenAIProvider", "OPENAI_API_KEY", "openai"),
    "gemini": ("tarot.llm.gemini_provider", "GeminiProvider", "GEMINI_API_KEY", "gemini"),
}


def make_prompt() -> Prompt:
    card = DrawnCard(
        position=1,
        position_name="Present",
        position_prompt="What surrounds you now",
        card_id="the-tower",
        card_name="The Tower",
        arcana="major",
        suit=None,
        element="Fire",
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


def sdk_module(kind: str):
    return importlib.import_module(SDKS[kind][0])


def base_url(server: FakeLLMServer, kind: str) -> str:
    return getattr(server, f"{SDKS[kind][3]}_base_url")


def sdk_settings(kind: str, **values) -> Settings:
    _module, _cls, key_name, prefix = SDKS[kind]
    return Settings(**{key_name: KEY, f"{prefix}_model": MODEL} | values)


async def collect(provider) -> tuple[list[StreamChunk], ProviderError | None]:
    """Every chunk the stream yielded, and the error that ended it, if any."""
    chunks: list[StreamChunk] = []
    try:
        async for chunk in provider.stream(PROMPT):
            chunks.append(chunk)
    except ProviderError as exc:
        return chunks, exc
    return chunks, None


async def read(client, **body) -> dict:
    """Create a reading and wait for it; the response body."""
    payload = {"question": "Is patience the answer?", "spread": "three-card"} | body
    response = await client.post("/api/v1/readings", params={"wait": True}, json=payload)
    assert response.status_code == 201, response.text
    return response.json()


def outcomes(reading: dict) -> list[tuple[str, str]]:
    """(provider, outcome) of each attempt stored with a reading."""
    return [(a["provider"], a["outcome"]) for a in reading["attempts"]]


async def run_chain(chain, prompt: Prompt = PROMPT) -> ChainRun:
    """Stream one prompt through a ProviderChain to its end; what the run recorded."""
    run = ChainRun()
    async for _ in chain.stream(prompt, run, deadline=time.monotonic() + 30):
        pass
    return run


def run_outcomes(run: ChainRun) -> list[tuple[str, str]]:
    """(provider, outcome) of each attempt of a run."""
    return [(a.provider, a.outcome) for a in run.attempts]
