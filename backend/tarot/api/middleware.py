"""ASGI middleware: request metrics."""

from __future__ import annotations

import time
from typing import Any

from tarot.services.metrics import Metrics


class MetricsMiddleware:
    """Pure ASGI middleware timing each request by route template and status class."""

    def __init__(self, app: Any, metrics: Metrics):
        self.app, self.metrics = app, metrics

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        began = time.perf_counter()
        status = 500

        async def record_status(message: dict) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, record_status)
        finally:
            self.metrics.observe_request(
                scope["method"], route_template(scope), status, time.perf_counter() - began
            )


def route_template(scope: dict) -> str:
    """The full route template (`/api/v1/cards/{card_id}`), never the raw path's ids."""
    route = scope.get("route")
    relative = getattr(route, "path", None)
    if relative is None:
        return "unmatched"
    # Nested routers report their own template; the prefix is what the path has before it.
    params = {name: str(value) for name, value in scope.get("path_params", {}).items()}
    try:
        rendered = relative.format(**params)
    except (KeyError, IndexError, ValueError):
        return relative
    path = scope["path"]
    return path[: len(path) - len(rendered)] + relative if path.endswith(rendered) else relative
