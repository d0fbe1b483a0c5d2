"""Gemini (google-genai) behind the `Provider` interface; imported only by the factory."""

from __future__ import annotations

import importlib
import math
import time
from collections.abc import AsyncIterator
from contextlib import aclosing
from typing import TYPE_CHECKING, Any

from google import genai
from google.genai import errors, types

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

NAME = "gemini"
CLEAN_FINISH = frozenset({"STOP"})
TRUNCATED_FINISH = frozenset({"MAX_TOKENS"})


def _http_libraries() -> tuple[Any, ...]:
    # The SDK picks httpx2 or httpx (GOOGLE_GENAI_HTTP_CLIENT) and lets their errors out raw;
    # it has already imported whichever is installed, so this costs nothing.
    found = []
    for name in ("httpx2", "httpx"):
        try:
            found.append(importlib.import_module(name))
        except ImportError:
            continue
    return tuple(found)


_HTTP = _http_libraries()
_HTTP_TIMEOUTS = tuple(lib.TimeoutException for lib in _HTTP)
_HTTP_DECODING = tuple(lib.DecodingError for lib in _HTTP)
_HTTP_OTHER = tuple(cls for lib in _HTTP for cls in (lib.HTTPError, lib.StreamError))
# ValueError covers the SDK's UnknownApiResponseError, json.JSONDecodeError and pydantic's
# ValidationError, which is how a broken body surfaces.
_SDK_ERRORS = (errors.APIError, ValueError, *_HTTP_TIMEOUTS, *_HTTP_OTHER)


class GeminiProvider:
    """generateContent with the SDK's retries and auto-continuation off."""

    name = NAME

    def __init__(
        self,
        *,
        api_key: str,
        model: str,
        base_url: str | None = None,
        timeout: float = 60.0,
        budget: OutputBudget = OutputBudget(base=1200, per_position=0, cap=1200),
        thinking_budget: int | None = None,
    ) -> None:
        self.model = model
        self._api_key = api_key
        self._budget = budget
        self._thinking_budget = thinking_budget
        self._client = genai.Client(
            vertexai=False,  # GOOGLE_GENAI_USE_VERTEXAI in the environment must not reroute us
            api_key=api_key,
            http_options=types.HttpOptions(
                base_url=base_url or None,
                timeout=max(1, round(timeout * 1000)),  # milliseconds
                # attempts=1 also stops the implicit reconnect the SDK does when aiohttp is
                # installed and no retry_options are given.
                retry_options=types.HttpRetryOptions(attempts=1),
            ),
        )

    async def generate(self, prompt: Prompt) -> Generation:
        """Return one complete interpretation."""
        started = time.perf_counter()
        try:
            response = await self._client.aio.models.generate_content(
                model=self.model, contents=prompt.user, config=self._config(prompt)
            )
        except _SDK_ERRORS as exc:
            raise self._error(exc) from None
        text = _text(response)
        finish = _finish_reason(response)
        _check_finish(finish)
        if not text:
            raise ProviderError(ErrorKind.MALFORMED, f"gemini returned no text ({_why(response)})")
        return Generation(
            text=text,
            provider=NAME,
            model=self.model,
            usage=_usage(response.usage_metadata),
            latency_ms=(time.perf_counter() - started) * 1000,
            extra={"finish_reason": finish, "response_model": response.model_version},
        )

    async def stream(self, prompt: Prompt) -> AsyncIterator[StreamChunk]:
        """Yield text as it arrives, then an empty chunk carrying usage."""
        try:
            # The request is only sent on the first `anext`; this call just builds the generator.
            sdk_stream = await self._client.aio.models.generate_content_stream(
                model=self.model, contents=prompt.user, config=self._config(prompt)
            )
        except _SDK_ERRORS as exc:
            raise self._error(exc) from None
        started = False
        finish: str | None = None
        usage: Usage | None = None
        last: types.GenerateContentResponse | None = None
        async with aclosing(sdk_stream):
            while True:
                try:
                    last = await anext(sdk_stream)
                except StopAsyncIteration:
                    break
                except _SDK_ERRORS as exc:
                    raise self._error(exc, started=started) from None
                # Each chunk carries the running total, so the latest one wins.
                usage = _usage(last.usage_metadata) or usage
                finish = finish or _finish_reason(last)
                text = _text(last)
                if text:
                    started = True
                    yield StreamChunk(text)
        if finish is None:
            # A clean end of body without a finishReason is a cut the transport did not notice.
            kind = ErrorKind.CUT if started else ErrorKind.MALFORMED
            raise ProviderError(kind, f"gemini stream ended early ({_why(last)})")
        _check_finish(finish)
        if not started:
            raise ProviderError(
                ErrorKind.MALFORMED, f"gemini stream carried no text ({_why(last)})"
            )
        if usage is not None:
            yield StreamChunk("", usage)

    async def aclose(self) -> None:
        """Close the async pools and the sync pool the client builds alongside them."""
        await self._client.aio.aclose()
        self._client.close()

    def _config(self, prompt: Prompt) -> types.GenerateContentConfig:
        return types.GenerateContentConfig(
            system_instruction=prompt.system,
            max_output_tokens=self._budget.for_prompt(prompt),
            # Both would send follow-up requests behind the factory's back.
            automatic_continuation=False,
            automatic_function_calling=types.AutomaticFunctionCallingConfig(disable=True),
            # Thinking tokens count against max_output_tokens; a budget keeps room for the text.
            thinking_config=None
            if self._thinking_budget is None
            else types.ThinkingConfig(thinking_budget=self._thinking_budget),
        )

    def _error(self, exc: Exception, *, started: bool = False) -> ProviderError:
        kind, wait = _classify(exc)
        return provider_error(
            NAME, exc, kind, retry_after=wait, api_key=self._api_key, started=started
        )


def build(settings: Settings) -> GeminiProvider:
    """Create the provider from settings; fails with AUTH when no key is configured."""
    if settings.gemini_api_key is None or not settings.gemini_api_key.get_secret_value():
        raise ProviderError(ErrorKind.AUTH, "GEMINI_API_KEY is not set")
    return GeminiProvider(
        api_key=settings.gemini_api_key.get_secret_value(),
        model=settings.gemini_model,
        base_url=settings.gemini_base_url,
        timeout=settings.llm_timeout_seconds,
        budget=OutputBudget.from_settings(settings),
        thinking_budget=settings.gemini_thinking_budget,
    )


def _classify(exc: Exception) -> tuple[ErrorKind, float | None]:
    if isinstance(exc, errors.APIError):
        kind = _status_kind(exc.code, exc.details)
        if kind is not ErrorKind.RATE_LIMITED:
            return kind, None
        headers = getattr(getattr(exc, "response", None), "headers", None) or {}
        retry_after = parse_retry_after(headers)
        return kind, _retry_delay(exc.details) if retry_after is None else retry_after
    if isinstance(exc, _HTTP_TIMEOUTS):
        return ErrorKind.TIMEOUT, None
    if isinstance(exc, _HTTP_DECODING) or isinstance(exc, ValueError):
        return ErrorKind.MALFORMED, None
    return ErrorKind.CONNECTION, None


def _status_kind(code: Any, details: Any) -> ErrorKind:
    if not isinstance(code, int):
        return ErrorKind.SERVER  # an error object inside an accepted stream, without a code
    # A wrong key comes back as 400 INVALID_ARGUMENT with reason API_KEY_INVALID.
    if code == 400 and "API_KEY_INVALID" in str(details):
        return ErrorKind.AUTH
    return status_kind(code)


def _retry_delay(details: Any) -> float | None:
    """Seconds from the google.rpc.RetryInfo detail that Gemini puts in a 429 body."""
    error = details.get("error", details) if isinstance(details, dict) else None
    items = error.get("details") if isinstance(error, dict) else None
    for item in items if isinstance(items, list) else ():
        if isinstance(item, dict) and str(item.get("@type", "")).endswith("RetryInfo"):
            try:
                seconds = float(str(item.get("retryDelay", "")).removesuffix("s"))
            except ValueError:
                return None
            return max(0.0, seconds) if math.isfinite(seconds) else None
    return None


def _text(response: types.GenerateContentResponse) -> str:
    # Not `response.text`: it logs a warning for every non-text part.
    candidates = response.candidates or ()
    content = candidates[0].content if candidates else None
    parts = (content.parts if content else None) or ()
    return "".join(p.text for p in parts if isinstance(p.text, str) and not p.thought)


def _finish_reason(response: types.GenerateContentResponse) -> str | None:
    candidates = response.candidates or ()
    reason = candidates[0].finish_reason if candidates else None
    return None if reason is None else str(getattr(reason, "value", reason))


def _check_finish(reason: str | None) -> None:
    """Raise for MAX_TOKENS, SAFETY, RECITATION and every other finish that is not a clean stop."""
    if reason is None:
        return
    kind = finish_kind(reason, clean=CLEAN_FINISH, truncated=TRUNCATED_FINISH)
    if kind is not None:
        raise ProviderError(kind, f"gemini finished with {reason}")


def _why(response: types.GenerateContentResponse | None) -> str:
    if response is None:
        return "no chunks"
    feedback = response.prompt_feedback
    blocked = feedback.block_reason if feedback else None
    return f"finish={_finish_reason(response)}, blocked={blocked}"


def _usage(raw: types.GenerateContentResponseUsageMetadata | None) -> Usage | None:
    if raw is None:
        return None
    return Usage(
        prompt_tokens=raw.prompt_token_count,
        completion_tokens=raw.candidates_token_count,
        total_tokens=raw.total_token_count,
    )
