"""What one run through the provider chain records: attempts, outcome, per-provider stats."""

from __future__ import annotations

from dataclasses import dataclass, field

from tarot.llm.base import ProviderError, Usage
from tarot.llm.breaker import CircuitBreaker


class Restart:
    """Yielded by the chain when text nobody has seen is thrown away; a new generation follows."""

    __slots__ = ()


RESTART = Restart()


class StreamCut(Exception):
    """A provider failed after text had already been handed on; no fallback is allowed."""

    def __init__(self, provider: str, error: ProviderError):
        super().__init__(f"{provider} stopped mid-stream: {error.kind.value}")
        self.provider = provider
        self.error = error


class ChainExhausted(Exception):
    """Every provider in the chain failed or was skipped."""


@dataclass(slots=True)
class Attempt:
    """One call to one provider, as stored with the reading."""

    provider: str
    outcome: str
    latency_ms: float = 0.0
    detail: str | None = None  # why it failed, e.g. "gemini finished with MAX_TOKENS"

    def as_dict(self) -> dict:
        record = {"provider": self.provider, "outcome": self.outcome, "latency_ms": self.latency_ms}
        return record | ({"detail": self.detail} if self.detail else {})


@dataclass(slots=True)
class ChainRun:
    """What one interpretation run went through, filled in as it goes."""

    attempts: list[Attempt] = field(default_factory=list)
    provider: str | None = None
    model: str | None = None
    usage: Usage | None = None
    written: bool = False  # text of the current generation has been handed on


@dataclass(slots=True)
class ProviderStats:
    """Counters and the circuit breaker of one provider."""

    breaker: CircuitBreaker
    calls: int = 0
    failures: int = 0
    last_error_kind: str | None = None
    total_latency_ms: float = 0.0
    successes: int = 0

    @property
    def cooldown_until(self) -> float:
        """When the breaker's cooldown ends, in wall-clock seconds; 0 while it is closed."""
        return self.breaker.open_until

    def as_dict(self) -> dict:
        cooling = self.breaker.is_open()
        return {
            "calls": self.calls,
            "failures": self.failures,
            "consecutive_failures": self.breaker.consecutive_failures,
            "last_error_kind": self.last_error_kind,
            "cooldown_until": self.breaker.open_until if cooling else None,
            "circuit": "open" if cooling else "closed",
            "mean_latency_ms": round(self.total_latency_ms / self.successes, 1)
            if self.successes
            else None,
        }
