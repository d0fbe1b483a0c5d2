"""What the SDK-backed providers share: the API-key check and the checked stream; no SDK here."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Generic, TypeVar

from tarot.llm.base import ErrorKind, ProviderError, StreamChunk, Usage, finish_kind

if TYPE_CHECKING:
    from tarot.config import Settings

T = TypeVar("T")

# Per provider: the Settings field that holds its key, and the variable a user sets.
API_KEYS = {
    "gemini": ("gemini_api_key", "GEMINI_API_KEY"),
    "openai": ("openai_api_key", "OPENAI_API_KEY"),
}


def api_key(settings: Settings, provider: str) -> str | None:
    """The provider's API key, or None when none (or an empty one) is configured."""
    secret = getattr(settings, API_KEYS[provider][0])
    return (secret.get_secret_value() or None) if secret is not None else None


def require_api_key(settings: Settings, provider: str) -> str:
    """The provider's API key; fails with AUTH when it is not configured."""
    key = api_key(settings, provider)
    if key is None:
        raise ProviderError(ErrorKind.AUTH, f"{API_KEYS[provider][1]} is not set")
    return key


@dataclass(frozen=True, slots=True)
class Finishes:
    """The finish reasons of one provider that mean a clean stop, and a spent budget."""

    provider: str
    clean: frozenset[str]
    truncated: frozenset[str]

    def check(self, reason: str | None) -> None:
        """Raise for a finish that is not a clean stop (truncated, filtered or other)."""
        if not reason:
            return
        kind = finish_kind(reason, clean=self.clean, truncated=self.truncated)
        if kind is not None:
            raise ProviderError(kind, f"{self.provider} finished with {reason}")


@dataclass(frozen=True, slots=True)
class Piece:
    """What one SDK chunk says, read by the provider: text, finish reason, usage."""

    text: str = ""
    finish: str | None = None
    usage: Usage | None = None


@dataclass(slots=True)
class SDKStream(Generic[T]):
    """How to drive one SDK's stream: open it, read a chunk, close it, map its errors."""

    open: Callable[[], Awaitable[AsyncIterator[T]]]
    read: Callable[[T], Piece]
    close: Callable[[AsyncIterator[T]], Awaitable[object]]
    errors: tuple[type[Exception], ...]
    to_error: Callable[[Exception, bool], ProviderError]  # (exception, text already handed on)
    finishes: Finishes
    why: Callable[[T | None], str] = lambda _last: ""  # extra detail for an empty or cut stream


async def checked_stream(sdk: SDKStream[T]) -> AsyncIterator[StreamChunk]:
    """Yield text as it arrives, then an empty chunk with usage; every fault a ProviderError."""
    # The first finish reason wins. A body that ends without one is a cut the transport did not
    # notice: CUT once text went out, else MALFORMED. A stream without any text is MALFORMED.
    name = sdk.finishes.provider
    try:
        stream = await sdk.open()
    except sdk.errors as exc:
        raise sdk.to_error(exc, False) from None
    started = False
    finish: str | None = None
    usage: Usage | None = None
    last: T | None = None
    try:
        while True:
            try:
                last = await anext(stream)
            except StopAsyncIteration:
                break
            except sdk.errors as exc:
                raise sdk.to_error(exc, started) from None
            piece = sdk.read(last)
            usage = piece.usage or usage  # chunks carry a running total: the latest one wins
            finish = finish or piece.finish
            if piece.text:
                started = True
                yield StreamChunk(piece.text)
    finally:
        await sdk.close(stream)
    if not finish:
        kind = ErrorKind.CUT if started else ErrorKind.MALFORMED
        raise ProviderError(kind, f"{name} stream ended before a finish reason{sdk.why(last)}")
    sdk.finishes.check(finish)
    if not started:
        raise ProviderError(ErrorKind.MALFORMED, f"{name} stream carried no text{sdk.why(last)}")
    if usage is not None:
        yield StreamChunk("", usage)
