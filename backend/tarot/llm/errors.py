"""Turning HTTP failures into `ProviderError`s, shared by the SDK-backed providers."""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

from tarot.llm.base import ErrorKind, ProviderError

MESSAGE_LIMIT = 400


def status_kind(status: int) -> ErrorKind:
    """The error kind an HTTP status stands for."""
    if status == 429:
        return ErrorKind.RATE_LIMITED
    if status in (401, 403):
        return ErrorKind.AUTH
    if status == 408:
        return ErrorKind.TIMEOUT
    if status >= 500:
        return ErrorKind.SERVER
    return ErrorKind.BAD_REQUEST


def parse_retry_after(headers: Mapping[str, str]) -> float | None:
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


def provider_error(
    provider: str,
    exc: Exception,
    kind: ErrorKind,
    *,
    retry_after: float | None,
    api_key: str | None,
    started: bool,
) -> ProviderError:
    """A bounded, key-free `ProviderError`; CUT once text has already been handed on."""
    message = f"{provider} {type(exc).__name__}: {exc}"
    if api_key:
        # Some servers echo the key they rejected; it must not reach logs or clients.
        message = message.replace(api_key, "***")
    message = message[:MESSAGE_LIMIT]
    if started:
        # Text already reached the caller, so neither retry nor fallback is possible.
        return ProviderError(ErrorKind.CUT, f"stream broke after it started ({kind}): {message}")
    return ProviderError(kind, message, retry_after=retry_after)
