"""OpenAI Chat Completions behind the `Provider` interface; imported only by the factory."""

from __future__ import annotations

import math
import time
from collections.abc import AsyncIterator, Mapping
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Any

import httpx2
import openai

from tarot.llm.base import ErrorKind, Generation, Prompt, ProviderError, StreamChunk, Usage

if TYPE_CHECKING:
    from tarot.config import Settings

NAME = "openai"
_MESSAGE_LIMIT = 400

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
        max_output_tokens: int = 1200,
    ) -> None:
        self.model = model
        self._api_key = api_key
        self._max_output_tokens = max_output_tokens
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
                max_completion_tokens=self._max_output_tokens,
            )
        except _SDK_ERRORS as exc:
            raise self._error(exc) from None
        # Non-strict parsing builds models without validation, so every field may be missing.
        choices = getattr(response, "choices", None)
        choice = choices[0] if isinstance(choices, list) and choices else None
        text = getattr(getattr(choice, "message", None), "content", None)
        finish = getattr(choice, "finish_reason", None)
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
                max_completion_tokens=self._max_output_tokens,
                stream=True,
                stream_options={"include_usage": True},
            )
        except _SDK_ERRORS as exc:
            raise self._error(exc) from None
        started = finished = False
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
                    finished = finished or bool(getattr(choice, "finish_reason", None))
                    content = getattr(getattr(choice, "delta", None), "content", None)
                    text += content if isinstance(content, str) else ""
                if text:
                    started = True
                    yield StreamChunk(text)
        if not finished:
            # A clean end of body without a finish_reason is a cut the transport did not notice.
            kind = ErrorKind.CUT if started else ErrorKind.MALFORMED
            raise ProviderError(kind, "openai stream ended before a finish_reason")
        if not started:
            raise ProviderError(ErrorKind.MALFORMED, "openai stream carried no text")
        if usage is not None:
            yield StreamChunk("", usage)

    async def aclose(self) -> None:
        """Close the connection pool."""
        await self._client.close()

    def _error(self, exc: Exception, *, started: bool = False) -> ProviderError:
        kind, retry_after = _classify(exc)
        message = f"openai {type(exc).__name__}: {exc}"
        if self._api_key:
            # Some servers echo the key they rejected; it must not reach logs or clients.
            message = message.replace(self._api_key, "***")
        message = message[:_MESSAGE_LIMIT]
        if started:
            # Text already reached the caller, so neither retry nor fallback is possible.
            return ProviderError(
                ErrorKind.CUT, f"stream broke after it started ({kind}): {message}"
            )
        return ProviderError(kind, message, retry_after=retry_after)


def build(settings: Settings) -> OpenAIProvider:
    """Create the provider from settings; fails with AUTH when no key is configured."""
    if settings.openai_api_key is None or not settings.openai_api_key.get_secret_value():
        raise ProviderError(ErrorKind.AUTH, "OPENAI_API_KEY is not set")
    return OpenAIProvider(
        api_key=settings.openai_api_key.get_secret_value(),
        model=settings.openai_model,
        base_url=settings.openai_base_url,
        timeout=settings.llm_timeout_seconds,
        max_output_tokens=settings.llm_max_output_tokens,
    )


def _messages(prompt: Prompt) -> list[dict[str, str]]:
    return [
        {"role": "system", "content": prompt.system},
        {"role": "user", "content": prompt.user},
    ]


def _classify(exc: Exception) -> tuple[ErrorKind, float | None]:
    # Order matters: APITimeoutError is an APIConnectionError, and all of them are APIErrors.
    if isinstance(exc, openai.APITimeoutError | httpx2.TimeoutException):
        return ErrorKind.TIMEOUT, None
    if isinstance(exc, openai.APIConnectionError):
        return ErrorKind.CONNECTION, None
    if isinstance(exc, openai.APIStatusError):
        kind = _status_kind(exc.status_code)
        retry_after = _retry_after(exc.response.headers) if kind is ErrorKind.RATE_LIMITED else None
        return kind, retry_after
    if isinstance(exc, openai.APIResponseValidationError | httpx2.DecodingError | ValueError):
        return ErrorKind.MALFORMED, None
    if isinstance(exc, openai.APIError):
        return ErrorKind.SERVER, None  # an error event inside an accepted stream
    if isinstance(exc, httpx2.HTTPError | httpx2.StreamError):
        return ErrorKind.CONNECTION, None
    return ErrorKind.BAD_REQUEST, None  # the SDK refused the call before sending it


def _status_kind(status: int) -> ErrorKind:
    if status == 429:
        return ErrorKind.RATE_LIMITED
    if status in (401, 403):
        return ErrorKind.AUTH
    if status == 408:
        return ErrorKind.TIMEOUT
    if status >= 500:
        return ErrorKind.SERVER
    return ErrorKind.BAD_REQUEST


def _retry_after(headers: Mapping[str, str]) -> float | None:
    """Seconds to wait from `retry-after-ms` or `Retry-After` (seconds or an HTTP-date)."""
    lowered = {key.lower(): value for key, value in headers.items()}
    for name, scale in (("retry-after-ms", 0.001), ("retry-after", 1.0)):
        try:
            seconds = float(lowered.get(name, "")) * scale
        except ValueError:
            continue
        if math.isfinite(seconds):
            return max(0.0, seconds)
    try:
        when = parsedate_to_datetime(lowered.get("retry-after", ""))
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


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
