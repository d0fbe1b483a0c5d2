"""The circuit breaker of one provider: closed, open for a cooldown, then one probe at a time."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Literal

State = Literal["closed", "open", "half_open"]
# What `enter()` grants: a normal call while closed, or the single probe while half-open.
Entry = Literal["call", "probe"]


class CircuitBreaker:
    """Opens after `threshold` consecutive failures, for `cooldown` seconds, then one probe."""

    # Once the cooldown has run out the breaker is half-open: one caller gets the probe and the
    # others are turned away until it ends. A success closes the breaker; a failed probe opens
    # it for another cooldown, since the consecutive failures still reach the threshold.

    def __init__(
        self, *, threshold: int, cooldown: float, clock: Callable[[], float] = time.time
    ) -> None:
        self.threshold = threshold
        self.cooldown = cooldown
        self.consecutive_failures = 0
        self.open_until = 0.0  # clock seconds; 0 while closed
        self._clock = clock
        self._probing = False

    @property
    def state(self) -> State:
        """Closed, open (cooling down) or half-open (cooled down, waiting for a probe)."""
        if not self.open_until:
            return "closed"
        return "open" if self.open_until > self._clock() else "half_open"

    def is_open(self) -> bool:
        """Whether the cooldown is still running."""
        return self.state == "open"

    def enter(self) -> Entry | None:
        """Ask to call the provider: a call, the one probe, or None when turned away."""
        state = self.state
        if state == "closed":
            return "call"
        if state == "open" or self._probing:
            return None
        self._probing = True
        return "probe"

    def leave(self, entry: Entry) -> None:
        """End what `enter()` granted, so that a cancelled probe does not hold the slot."""
        if entry == "probe":
            self._probing = False

    def succeeded(self) -> None:
        """A call went through: the failures so far no longer count."""
        self.consecutive_failures = 0
        self.open_until = 0.0

    def failed(self) -> bool:
        """Count one failure; True when it opened the breaker (again)."""
        self.consecutive_failures += 1
        if self.consecutive_failures < self.threshold:
            return False
        self.open_until = self._clock() + self.cooldown
        return True

    def close_if_cooled(self) -> bool:
        """Close a half-open breaker nobody is probing; True when it did."""
        if self.state != "half_open" or self._probing:
            return False
        self.succeeded()
        return True
