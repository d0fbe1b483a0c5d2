"""The provider interface shared by every LLM backend and the offline writer."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Protocol


class ErrorKind(StrEnum):
    """Why a provider call failed; decides between retry and fallback."""

    RATE_LIMITED = "rate_limited"
    SERVER = "server_error"
    TIMEOUT = "timeout"
    CONNECTION = "connection"
    AUTH = "auth"
    BAD_REQUEST = "bad_request"
    MALFORMED = "malformed"
    CUT = "cut"  # a stream that broke after it had started

    @property
    def retryable(self) -> bool:
        return self in _RETRYABLE


_RETRYABLE = frozenset(
    {ErrorKind.RATE_LIMITED, ErrorKind.SERVER, ErrorKind.TIMEOUT, ErrorKind.CONNECTION}
)


class ProviderError(Exception):
    """A provider failure translated out of SDK-specific exceptions."""

    def __init__(self, kind: ErrorKind, message: str = "", *, retry_after: float | None = None):
        super().__init__(message or kind.value)
        self.kind = kind
        self.retry_after = retry_after


@dataclass(frozen=True, slots=True)
class DrawnCard:
    """One card laid in one position, with the meaning for its orientation."""

    position: int
    position_name: str
    position_prompt: str
    card_id: str
    card_name: str
    arcana: str  # "major" | "minor"
    suit: str | None  # "wands" | "cups" | "swords" | "pentacles" | None
    element: str | None
    reversed: bool
    keywords: tuple[str, ...]
    meaning: str


@dataclass(frozen=True, slots=True)
class ReadingContext:
    """Everything a writer needs to interpret one draw."""

    question: str
    spread_name: str
    language: str
    cards: tuple[DrawnCard, ...]
    reversals: bool = True


@dataclass(frozen=True, slots=True)
class Prompt:
    """A rendered prompt plus the structured context it came from."""

    system: str
    user: str
    context: ReadingContext
    plan: Any = None  # the reader's plan (tarot.llm.reader.plan.Plan) the prose must agree with


@dataclass(slots=True)
class Usage:
    """Token counts as the SDK reports them."""

    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    total_tokens: int | None = None


@dataclass(slots=True)
class StreamChunk:
    """A piece of streamed text; the last one may carry usage with empty text."""

    text: str
    usage: Usage | None = None


@dataclass(slots=True)
class Generation:
    """A finished interpretation and who wrote it."""

    text: str
    provider: str
    model: str
    usage: Usage | None = None
    latency_ms: float = 0.0
    extra: dict = field(default_factory=dict)


class Provider(Protocol):
    """What the factory calls; SDK errors must surface as `ProviderError`."""

    name: str
    model: str

    async def generate(self, prompt: Prompt) -> Generation: ...

    def stream(self, prompt: Prompt) -> AsyncIterator[StreamChunk]: ...

    async def aclose(self) -> None: ...
