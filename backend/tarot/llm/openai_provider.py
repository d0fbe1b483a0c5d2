"""OpenAI Chat Completions behind the `Provider` interface; imported only by the chain."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

import httpx2
import openai
from openai.types.chat import (
    ChatCompletionChunk,
    ChatCompletionMessageParam,
    ChatCompletionSystemMessageParam,
    ChatCompletionUserMessageParam,
)

from tarot.llm.base import ErrorKind, OutputBudget, Prompt, ProviderError, StreamChunk, Usage
from tarot.llm.errors import parse_retry_after, provider_error, status_kind
from tarot.llm.remote import Finishes, Piece, SDKStream, checked_stream, require_api_key

if TYPE_CHECKING:
    from tarot.config import Settings

NAME = "openai"
FINISHES = Finishes(NAME, clean=frozenset({"stop"}), truncated=frozenset({"length"}))

# Everything the SDK or its transport may raise once a request is under way. ValueError covers
# undecodable JSON and UTF-8 and failed validation, which the SDK lets through unwrapped.
_SDK_ERRORS = (openai.OpenAIError, httpx2.HTTPError, httpx2.StreamError, ValueError)


class OpenAIProvider:
    """Chat Completions with the SDK's retries off, so the chain owns retry and fallback."""

    name = NAME

    def __init__(
        self,
        *,
        api_key: str,
        model: str,
        base_url: str | None = None,
        timeout: float = 60.0,
        budget: OutputBudget = OutputBudget(base=1200, per_position=0, cap=1200),
    ) -> None:
        self.model = model
        self._api_key = api_key
        self._budget = budget
        self._client = openai.AsyncOpenAI(
            api_key=api_key, base_url=base_url or None, max_retries=0, timeout=timeout
        )

    def stream(self, prompt: Prompt) -> AsyncIterator[StreamChunk]:
        """Yield text as it arrives, then an empty chunk carrying usage."""

        async def open_stream() -> AsyncIterator[ChatCompletionChunk]:
            return await self._client.chat.completions.create(
                model=self.model,
                messages=_messages(prompt),
                max_completion_tokens=self._budget.for_prompt(prompt),
                stream=True,
                stream_options={"include_usage": True},
            )

        return checked_stream(
            SDKStream(
                open=open_stream,
                read=_piece,
                close=_close,
                errors=_SDK_ERRORS,
                to_error=self._error,
                finishes=FINISHES,
            )
        )

    async def aclose(self) -> None:
        """Close the connection pool."""
        await self._client.close()

    def _error(self, exc: Exception, started: bool = False) -> ProviderError:
        kind, wait = _classify(exc)
        return provider_error(
            NAME, exc, kind, retry_after=wait, api_key=self._api_key, started=started
        )


def build(settings: Settings) -> OpenAIProvider:
    """Create the provider from settings; fails with AUTH when no key is configured."""
    return OpenAIProvider(
        api_key=require_api_key(settings, NAME),
        model=settings.openai_model,
        base_url=settings.openai_base_url,
        timeout=settings.llm_timeout_seconds,
        budget=OutputBudget.from_settings(settings),
    )


def _messages(prompt: Prompt) -> list[ChatCompletionMessageParam]:
    system: ChatCompletionSystemMessageParam = {"role": "system", "content": prompt.system}
    user: ChatCompletionUserMessageParam = {"role": "user", "content": prompt.user}
    return [system, user]


def _piece(chunk: ChatCompletionChunk) -> Piece:
    # Non-strict parsing builds models without validation, so every field may be missing.
    text, finish = "", None
    for choice in getattr(chunk, "choices", None) or ():
        if getattr(choice, "index", 0) != 0:
            continue
        reason = getattr(choice, "finish_reason", None)
        finish = finish or (reason if isinstance(reason, str) and reason else None)
        content = getattr(getattr(choice, "delta", None), "content", None)
        text += content if isinstance(content, str) else ""
    return Piece(text, finish, _usage(getattr(chunk, "usage", None)))


async def _close(stream: AsyncIterator[ChatCompletionChunk]) -> None:
    close = getattr(stream, "close", None)  # AsyncStream.close releases the response
    if close is not None:
        await close()


def _classify(exc: Exception) -> tuple[ErrorKind, float | None]:
    # Order matters: APITimeoutError is an APIConnectionError, and all of them are APIErrors.
    if isinstance(exc, openai.APITimeoutError | httpx2.TimeoutException):
        return ErrorKind.TIMEOUT, None
    if isinstance(exc, openai.APIConnectionError):
        return ErrorKind.CONNECTION, None
    if isinstance(exc, openai.APIStatusError):
        kind = status_kind(exc.status_code)
        if kind is ErrorKind.RATE_LIMITED:
            return kind, parse_retry_after(exc.response.headers)
        return kind, None
    if isinstance(exc, openai.APIResponseValidationError | httpx2.DecodingError | ValueError):
        return ErrorKind.MALFORMED, None
    if isinstance(exc, openai.APIError):
        return ErrorKind.SERVER, None  # an error event inside an accepted stream
    if isinstance(exc, httpx2.HTTPError | httpx2.StreamError):
        return ErrorKind.CONNECTION, None
    return ErrorKind.BAD_REQUEST, None  # the SDK refused the call before sending it


def _usage(raw: Any) -> Usage | None:
    if raw is None:
        return None
    return Usage(
        prompt_tokens=_count(getattr(raw, "prompt_tokens", None)),
        completion_tokens=_count(getattr(raw, "completion_tokens", None)),
        total_tokens=_count(getattr(raw, "total_tokens", None)),
    )


def _count(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None
