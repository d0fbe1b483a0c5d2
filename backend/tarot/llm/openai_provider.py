"""OpenAI Chat Completions behind the `Provider` interface; imported only by the factory."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

import httpx2
import openai

from tarot.llm.base import (
    ErrorKind,
    Generation,
    OutputBudget,
    Prompt,
    ProviderError,
    StreamChunk,
    Usage,
    finish_kind,
)
from tarot.llm.errors import parse_retry_after, provider_error, status_kind

if TYPE_CHECKING:
    from tarot.config import Settings

NAME = "openai"
CLEAN_FINISH = frozenset({"stop"})
TRUNCATED_FINISH = frozenset({"length"})

# Everything the SDK or its transport may raise once a request is under way. ValueError covers
# undecodable JSON and UTF-8 and failed validation, which the SDK lets through unwrapped.
_SDK_ERRORS = (openai.OpenAIError, httpx2.HTTPError, httpx2.StreamError, ValueError)


class OpenAIProvider:
    """Chat Completions with the SDK's retries off, so the factory owns retry and fallback."""

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

    async def generate(self, prompt: Prompt) -> Generation:
        """Return one complete interpretation."""
        started = time.perf_counter()
        try:
            response = await self._client.chat.completions.create(
                model=self.model,
                messages=_messages(prompt),
                max_completion_tokens=self._budget.for_prompt(prompt),
            )
        except _SDK_ERRORS as exc:
            raise self._error(exc) from None
        # Non-strict parsing builds models without validation, so every field may be missing.
        choices = getattr(response, "choices", None)
        choice = choices[0] if isinstance(choices, list) and choices else None
        text = getattr(getattr(choice, "message", None), "content", None)
        finish = getattr(choice, "finish_reason", None)
        _check_finish(finish)
        if not isinstance(text, str) or not text:
            raise ProviderError(ErrorKind.MALFORMED, f"openai returned no text (finish={finish})")
        return Generation(
            text=text,
            provider=NAME,
            model=self.model,
            usage=_usage(getattr(response, "usage", None)),
            latency_ms=(time.perf_counter() - started) * 1000,
            extra={"finish_reason": finish, "response_model": getattr(response, "model", None)},
        )

    async def stream(self, prompt: Prompt) -> AsyncIterator[StreamChunk]:
        """Yield text as it arrives, then an empty chunk carrying usage."""
        try:
            sdk_stream = await self._client.chat.completions.create(
                model=self.model,
                messages=_messages(prompt),
                max_completion_tokens=self._budget.for_prompt(prompt),
                stream=True,
                stream_options={"include_usage": True},
            )
        except _SDK_ERRORS as exc:
            raise self._error(exc) from None
        started = False
        finish: str | None = None
        usage: Usage | None = None
        async with sdk_stream:
            while True:
                try:
                    chunk = await anext(sdk_stream)
                except StopAsyncIteration:
                    break
                except _SDK_ERRORS as exc:
                    raise self._error(exc, started=started) from None
                usage = _usage(getattr(chunk, "usage", None)) or usage
                text = ""
                for choice in getattr(chunk, "choices", None) or ():
                    if getattr(choice, "index", 0) != 0:
                        continue
                    finish = finish or getattr(choice, "finish_reason", None) or None
                    content = getattr(getattr(choice, "delta", None), "content", None)
                    text += content if isinstance(content, str) else ""
                if text:
                    started = True
                    yield StreamChunk(text)
        if not finish:
            # A clean end of body without a finish_reason is a cut the transport did not notice.
            kind = ErrorKind.CUT if started else ErrorKind.MALFORMED
            raise ProviderError(kind, "openai stream ended before a finish_reason")
        _check_finish(finish)
        if not started:
            raise ProviderError(ErrorKind.MALFORMED, "openai stream carried no text")
        if usage is not None:
            yield StreamChunk("", usage)

    async def aclose(self) -> None:
        """Close the connection pool."""
        await self._client.close()

    def _error(self, exc: Exception, *, started: bool = False) -> ProviderError:
        kind, wait = _classify(exc)
        return provider_error(
            NAME, exc, kind, retry_after=wait, api_key=self._api_key, started=started
        )


def build(settings: Settings) -> OpenAIProvider:
    """Create the provider from settings; fails with AUTH when no key is configured."""
    if settings.openai_api_key is None or not settings.openai_api_key.get_secret_value():
        raise ProviderError(ErrorKind.AUTH, "OPENAI_API_KEY is not set")
    return OpenAIProvider(
        api_key=settings.openai_api_key.get_secret_value(),
        model=settings.openai_model,
        base_url=settings.openai_base_url,
        timeout=settings.llm_timeout_seconds,
        budget=OutputBudget.from_settings(settings),
    )


def _messages(prompt: Prompt) -> list[dict[str, str]]:
    return [
        {"role": "system", "content": prompt.system},
        {"role": "user", "content": prompt.user},
    ]


def _check_finish(reason: Any) -> None:
    """Raise for `length`, `content_filter` and every other finish that is not a clean stop."""
    if not isinstance(reason, str) or not reason:
        return
    kind = finish_kind(reason, clean=CLEAN_FINISH, truncated=TRUNCATED_FINISH)
    if kind is not None:
        raise ProviderError(kind, f"openai finished with {reason}")


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
