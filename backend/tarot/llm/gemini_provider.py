"""Gemini (google-genai) behind the `Provider` interface; imported only by the chain."""

from __future__ import annotations

import importlib
import math
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

from google import genai
from google.genai import errors, types

from tarot.llm.base import ErrorKind, OutputBudget, Prompt, ProviderError, StreamChunk, Usage
from tarot.llm.errors import parse_retry_after, provider_error, status_kind
from tarot.llm.remote import Finishes, Piece, SDKStream, checked_stream, require_api_key

if TYPE_CHECKING:
    from tarot.config import Settings

NAME = "gemini"
FINISHES = Finishes(NAME, clean=frozenset({"STOP"}), truncated=frozenset({"MAX_TOKENS"}))


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
    """streamGenerateContent with the SDK's retries and auto-continuation off."""

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

    def stream(self, prompt: Prompt) -> AsyncIterator[StreamChunk]:
        """Yield text as it arrives, then an empty chunk carrying usage."""

        async def open_stream() -> AsyncIterator[types.GenerateContentResponse]:
            # The request is only sent on the first `anext`; this call just builds the generator.
            return await self._client.aio.models.generate_content_stream(
                model=self.model, contents=prompt.user, config=self._config(prompt)
            )

        return checked_stream(
            SDKStream(
                open=open_stream,
                read=_piece,
                close=_close,
                errors=_SDK_ERRORS,
                to_error=self._error,
                finishes=FINISHES,
                why=_why,
            )
        )

    async def aclose(self) -> None:
        """Close the async pools and the sync pool the client builds alongside them."""
        await self._client.aio.aclose()
        self._client.close()

    def _config(self, prompt: Prompt) -> types.GenerateContentConfig:
        return types.GenerateContentConfig(
            system_instruction=prompt.system,
            max_output_tokens=self._budget.for_prompt(prompt),
            # Both would send follow-up requests behind the chain's back.
            automatic_continuation=False,
            automatic_function_calling=types.AutomaticFunctionCallingConfig(disable=True),
            # Thinking tokens count against max_output_tokens; a budget keeps room for the text.
            thinking_config=None
            if self._thinking_budget is None
            else types.ThinkingConfig(thinking_budget=self._thinking_budget),
        )

    def _error(self, exc: Exception, started: bool = False) -> ProviderError:
        kind, wait = _classify(exc)
        return provider_error(
            NAME, exc, kind, retry_after=wait, api_key=self._api_key, started=started
        )


def build(settings: Settings) -> GeminiProvider:
    """Create the provider from settings; fails with AUTH when no key is configured."""
    return GeminiProvider(
        api_key=require_api_key(settings, NAME),
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


def _piece(response: types.GenerateContentResponse) -> Piece:
    return Piece(_text(response), _finish_reason(response), _usage(response.usage_metadata))


async def _close(stream: AsyncIterator[types.GenerateContentResponse]) -> None:
    close = getattr(stream, "aclose", None)  # an async generator: closing ends the request
    if close is not None:
        await close()


def _why(response: types.GenerateContentResponse | None) -> str:
    if response is None:
        return " (no chunks)"
    feedback = response.prompt_feedback
    blocked = feedback.block_reason if feedback else None
    return f" (finish={_finish_reason(response)}, blocked={blocked})"


def _usage(raw: types.GenerateContentResponseUsageMetadata | None) -> Usage | None:
    if raw is None:
        return None
    return Usage(
        prompt_tokens=raw.prompt_token_count,
        completion_tokens=raw.candidates_token_count,
        total_tokens=raw.total_token_count,
    )
