"""ASGI middleware: request metrics and the declared body size."""

from __future__ import annotations

import json
import time
from typing import Any

from tarot.errors import PROBLEM_JSON, PayloadTooLarge
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


class BodySizeLimit:
    """Refuse request bodies over the limit with a problem+json 413.

    A declared Content-Length is refused before anything is read; a chunked body is
    counted as it arrives and stopped where it crosses the limit.
    """

    def __init__(self, app: Any, max_bytes: int):
        self.app, self.max_bytes = app, max_bytes

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.max_bytes):
            await self._refuse(scope, send)
            return
        seen, refused = 0, False

        async def counted() -> dict:
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.max_bytes:
                raise PayloadTooLarge(self._detail())
            return message

        async def guarded_send(message: dict) -> None:
            # Body parsers may wrap our error in their own 400; the client gets the 413.
            nonlocal refused
            if seen > self.max_bytes:
                if not refused:
                    refused = True
                    await self._refuse(scope, send)
                return
            await send(message)

        await self.app(scope, counted, guarded_send)

    def _detail(self) -> str:
        return f"Request bodies are limited to {self.max_bytes} bytes."

    async def _refuse(self, scope: dict, send: Any) -> None:
        body = json.dumps(
            {
                "type": "about:blank",
                "title": "Content Too Large",
                "status": 413,
                "detail": self._detail(),
                "instance": scope["path"],
            }
        ).encode()
        headers = [
            (b"content-type", PROBLEM_JSON.encode()),
            (b"content-length", str(len(body)).encode()),
        ]
        await send({"type": "http.response.start", "status": 413, "headers": headers})
        await send({"type": "http.response.body", "body": body})


class CORSExcept:
    """CORS for the API except under `prefix`, whose routes send their own public policy."""

    # app is positional-only: Starlette passes it so, and **options must not be able to name it.
    def __init__(self, app: Any, /, prefix: str, **options: Any):
        from starlette.middleware.cors import CORSMiddleware  # only when origins are set

        self.app, self.prefix = app, prefix
        self.cors = CORSMiddleware(app, **options)

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and scope["path"].startswith(self.prefix):
            await self.app(scope, receive, send)
        else:
            await self.cors(scope, receive, send)


class HeadAsGet:
    """Answer HEAD on every GET route: run the GET, send its status and headers, no body.

    FastAPI routes accept only the methods they declare, so HEAD was a 405 everywhere.
    """

    def __init__(self, app: Any):
        self.app = app

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return
        finished = False

        async def headers_only(message: dict) -> None:
            nonlocal finished
            if finished:
                return
            if message["type"] == "http.response.start":
                await send(message)
            elif message["type"] == "http.response.body":
                finished = True
                await send({"type": "http.response.body", "body": b"", "more_body": False})

        async def until_finished() -> dict:
            # A stream (SSE) stops once its headers are out: it sees the client leave.
            return {"type": "http.disconnect"} if finished else await receive()

        await self.app(dict(scope, method="GET"), until_finished, headers_only)
