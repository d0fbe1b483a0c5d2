"""The provider interface shared by every LLM backend and the offline writer."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
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
    # The provider ended the text itself, but not cleanly: the reading would read as cut.
    TRUNCATED = "truncated"  # the output token budget ran out (MAX_TOKENS, length)
    FILTERED = "filtered"  # a safety or recitation filter stopped it (SAFETY, content_filter)
    UNFINISHED = "unfinished"  # any other finish reason that is not a clean stop

    @property
    def retryable(self) -> bool:
        return self in _RETRYABLE


_RETRYABLE = frozenset(
    {ErrorKind.RATE_LIMITED, ErrorKind.SERVER, ErrorKind.TIMEOUT, ErrorKind.CONNECTION}
)


# Kinds that say why the text itself is unusable, kept as the attempt's outcome even mid-stream.
FINISH_KINDS = frozenset({ErrorKind.TRUNCATED, ErrorKind.FILTERED, ErrorKind.UNFINISHED})


def finish_kind(
    reason: str, *, clean: frozenset[str], truncated: frozenset[str]
) -> ErrorKind | None:
    """None for a clean finish reason, else the kind of failure it stands for."""
    if reason in clean:
        return None
    if reason in truncated:
        return ErrorKind.TRUNCATED
    if "SAFETY" in reason.upper() or "FILTER" in reason.upper() or reason.upper() in _FILTERS:
        return ErrorKind.FILTERED
    return ErrorKind.UNFINISHED


_FILTERS = frozenset({"RECITATION", "BLOCKLIST", "PROHIBITED_CONTENT", "SPII"})


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
    position_class: str | None = None  # given by a custom spread; else the reader infers it


@dataclass(frozen=True, slots=True)
class ReadingContext:
    """Everything a writer needs to interpret one draw."""

    question: str
    spread_name: str
    language: str
    cards: tuple[DrawnCard, ...]
    reversals: bool = True
    focus: str | None = None  # love | career | money | wellbeing | spiritual | general
    tone: str | None = None  # gentle | direct | practical
    # A follow-up's original reading: its question, cards and text, given as data only.
    parent: ReadingContext | None = None
    parent_text: str = ""
    # The same draw with the catalog texts of the querent's language (names, positions,
    # keywords, meanings), for LLM prompts; the reader classifies on the English one.
    localized: ReadingContext | None = None


@dataclass(frozen=True, slots=True)
class Prompt:
    """A rendered prompt plus the structured context it came from."""

    system: str
    user: str
    context: ReadingContext
    plan: Any = None  # the reader's plan (tarot.llm.reader.plan.Plan) the prose must agree with


@dataclass(frozen=True, slots=True)
class OutputBudget:
    """Output tokens per reading: a base plus a share per position, under a cap."""

    base: int
    per_position: int
    cap: int

    @classmethod
    def from_settings(cls, settings) -> OutputBudget:
        return cls(
            base=settings.llm_output_tokens_base,
            per_position=settings.llm_output_tokens_per_position,
            cap=settings.llm_max_output_tokens,
        )

    def for_prompt(self, prompt: Prompt) -> int:
        """The budget for this prompt's spread, so a Celtic Cross is not cut where a single fits."""
        return min(self.cap, self.base + self.per_position * len(prompt.context.cards))


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


class Provider(Protocol):
    """What the chain calls; SDK errors must surface as `ProviderError`."""

    name: str
    model: str

    def stream(self, prompt: Prompt) -> AsyncIterator[StreamChunk]: ...

    async def aclose(self) -> None: ...
