"""Acting on SIGTERM at once, before the server waits for its open connections to close.

uvicorn, on SIGTERM, stops accepting and then waits for every open response to finish,
and only then runs the lifespan shutdown. An SSE stream never finishes by itself, so the
app must hear the signal first: it chains its own handler in front of the server's.
"""

from __future__ import annotations

import asyncio
import signal
import threading
from collections.abc import Callable
from types import FrameType
from typing import Any

SIGNALS = (signal.SIGTERM, signal.SIGINT)
Handler = Callable[[int, FrameType | None], Any]


def drain_on_signals(on_drain: Callable[[], None]) -> Callable[[], None]:
    """Call `on_drain` on the loop at SIGTERM/SIGINT, then the server's handler; returns undo."""
    if threading.current_thread() is not threading.main_thread():
        return lambda: None
    loop = asyncio.get_running_loop()
    chained: dict[signal.Signals, Handler] = {}
    for sig in SIGNALS:
        previous = signal.getsignal(sig)
        if not callable(previous) or previous is signal.default_int_handler:
            continue  # no server captured it (tests, scripts): leave the default alone

        def handler(signum: int, frame: FrameType | None, _previous: Handler = previous) -> None:
            loop.call_soon_threadsafe(on_drain)
            _previous(signum, frame)

        chained[sig] = previous
        signal.signal(sig, handler)

    def undo() -> None:
        for sig, previous in chained.items():
            signal.signal(sig, previous)

    return undo
