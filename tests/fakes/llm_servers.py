"""A real HTTP server on 127.0.0.1 speaking just enough OpenAI and Gemini to test the SDKs.

Routing is by path suffix, so one base URL serves both SDKs:
- OpenAI: POST {openai_base_url}/chat/completions (JSON, or SSE when "stream": true)
- Gemini: POST {gemini_base_url}/{api_version}/models/{model}:generateContent
  and :streamGenerateContent?alt=sse
"""

from __future__ import annotations

import asyncio
import json
import math
import re
import socket
import threading
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

FAULTS = frozenset({"ok", "500", "429", "401", "hang", "malformed", "cut", "incomplete", "empty"})
# "finish:REASON" ends the reply with that finish reason, e.g. "finish:MAX_TOKENS" (Gemini) or
# "finish:content_filter" (OpenAI); streamed, only the first pieces come before it.
FINISH_FAULT = "finish:"
DEFAULT_REPLY = "The Star follows the Tower: after the upheaval, a quiet and patient hope."
_SECRET_HEADERS = frozenset({"authorization", "x-goog-api-key", "api-key"})
_GEMINI_PATH = re.compile(
    r"/models/(?P<model>[^/:]+):(?P<method>generateContent|streamGenerateContent)$"
)


@dataclass(frozen=True, slots=True)
class RecordedRequest:
    """One request as the server saw it, credentials removed."""

    api: str  # "openai" | "gemini"
    path: str
    query: str
    stream: bool
    body: Any  # parsed JSON, or None when the body was not JSON
    headers: dict[str, str]
    fault: str
    received_at: float  # time.monotonic(), to check back-off between attempts


class _Cut:
    """An ASGI response that sends part of a body and returns: uvicorn then drops the socket."""

    def __init__(
        self,
        *,
        media_type: str,
        parts: list[bytes],
        declared_length: int | None = None,
        delay: float = 0.0,
    ):
        self.media_type, self.parts, self.declared_length = media_type, parts, declared_length
        self.delay = delay  # before each part, as `chunk_delay` paces a whole stream

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        headers = [(b"content-type", self.media_type.encode())]
        if self.declared_length is not None:
            headers.append((b"content-length", str(self.declared_length).encode()))
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        for part in self.parts:
            if self.delay:
                await asyncio.sleep(self.delay)
            await send({"type": "http.response.body", "body": part, "more_body": True})
        # No final body message: uvicorn logs "returned without completing response" and closes.


class FakeLLMServer:
    """Serves scripted replies and faults (one script entry per request, then "ok")."""

    prompt_tokens = 21
    completion_tokens = 42

    def __init__(
        self,
        *,
        reply: str = DEFAULT_REPLY,
        chunks: int = 3,
        chunk_delay: float = 0.0,
        retry_after: int | float | str = 1,
        hang_seconds: float = 30.0,
    ) -> None:
        self._defaults = {
            "reply": reply,
            "chunks": chunks,
            "chunk_delay": chunk_delay,
            "retry_after": retry_after,
            "hang_seconds": hang_seconds,
        }
        self.reply, self.chunks, self.chunk_delay = reply, chunks, chunk_delay
        self.retry_after, self.hang_seconds = retry_after, hang_seconds
        self.script: list[str] = []
        self.requests: list[RecordedRequest] = []
        self.port: int | None = None
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._app = Starlette(routes=[Route("/{path:path}", self._handle, methods=["POST"])])

    @property
    def base_url(self) -> str:
        """The server root, e.g. http://127.0.0.1:PORT."""
        if self.port is None:
            raise RuntimeError("FakeLLMServer is not started")
        return f"http://127.0.0.1:{self.port}"

    @property
    def openai_base_url(self) -> str:
        """What to pass as the OpenAI `base_url` (the SDK appends /chat/completions)."""
        return f"{self.base_url}/v1"

    @property
    def gemini_base_url(self) -> str:
        """What to pass as HttpOptions.base_url (the SDK appends /{api_version}/models/...)."""
        return self.base_url

    def start(self) -> FakeLLMServer:
        """Serve on a free port from a daemon thread; returns once it accepts connections."""
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))
        self.port = sock.getsockname()[1]
        self._stopping.clear()
        config = uvicorn.Config(
            self._app,
            log_config=None,
            access_log=False,
            lifespan="off",
            ws="none",
            timeout_graceful_shutdown=2,
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [sock]}, name="fake-llm", daemon=True
        )
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("FakeLLMServer failed to start")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        """Release hanging requests and shut down."""
        self._stopping.set()
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)
        self._server = self._thread = None

    def reset(self) -> None:
        """Forget requests and script and restore the constructor's settings."""
        with self._lock:
            self.script.clear()
            self.requests.clear()
        for name, value in self._defaults.items():
            setattr(self, name, value)

    def __enter__(self) -> FakeLLMServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # --- request handling -------------------------------------------------------------------

    async def _handle(self, request: Request) -> Any:
        path = request.url.path
        gemini = _GEMINI_PATH.search(path)
        if gemini is None and not path.endswith("/chat/completions"):
            return JSONResponse({"error": {"message": f"no route for {path}"}}, status_code=404)
        raw = await request.body()
        try:
            body = json.loads(raw)
        except ValueError:
            body = None
        api = "gemini" if gemini else "openai"
        if gemini:
            model, stream = gemini["model"], gemini["method"] == "streamGenerateContent"
        else:
            model = body.get("model", "?") if isinstance(body, dict) else "?"
            stream = isinstance(body, dict) and body.get("stream") is True
        key = request.headers.get("x-goog-api-key") or request.headers.get("authorization", "")
        with self._lock:
            fault = self.script.pop(0) if self.script else "ok"
            self.requests.append(
                RecordedRequest(
                    api=api,
                    path=path,
                    query=request.url.query,
                    stream=stream,
                    body=body,
                    headers={k: v for k, v in request.headers.items() if k not in _SECRET_HEADERS},
                    fault=fault,
                    received_at=time.monotonic(),
                )
            )
        finish = fault.removeprefix(FINISH_FAULT) if fault.startswith(FINISH_FAULT) else None
        if fault not in FAULTS and finish is None:
            return _error(api, 500, f"unknown fault {fault!r}")
        if fault == "500":
            return _error(api, 500, "the fake server failed")
        if fault == "401":
            # Echo the key, as some real servers half-mask it: providers must scrub it.
            return _error(api, 401, f"Incorrect API key provided: {key.removeprefix('Bearer ')}")
        if fault == "429":
            numeric = isinstance(self.retry_after, int | float)
            response = _error(
                api, 429, "rate limited", retry_delay=self.retry_after if numeric else None
            )
            response.headers["Retry-After"] = str(self.retry_after)
            return response
        if fault == "hang":
            return await self._hang(request)
        if stream:
            include_usage = api == "gemini" or _include_usage(body)
            pieces = [""] if fault == "empty" else None  # a clean finish and no text at all
            events = self._events(
                api, model, include_usage=include_usage, finish=finish, pieces=pieces
            )
            return self._stream(events, fault)
        if fault == "malformed":
            return Response(b'{"id": "broken", "choices": [', media_type="application/json")
        if fault == "incomplete":
            return JSONResponse(
                {"id": "x", "choices": []} if api == "openai" else {"candidates": []}
            )
        full = json.dumps(self._whole(api, model, finish=finish)).encode()
        if fault == "cut":
            return _Cut(
                media_type="application/json",
                parts=[full[: len(full) // 2]],
                declared_length=len(full),
            )
        return Response(full, media_type="application/json")

    async def _hang(self, request: Request) -> Response:
        # Polls rather than sleeps so that stop() and a client that gave up both end it quickly.
        deadline = time.monotonic() + self.hang_seconds
        while time.monotonic() < deadline and not self._stopping.is_set():
            if await request.is_disconnected():
                break
            await asyncio.sleep(0.05)
        return Response(status_code=504)

    def _stream(self, events: list[bytes], fault: str) -> Any:
        if fault == "malformed":
            events = [b'data: {"broken": \n\n']
        elif fault == "cut":
            parts = events[: self._good_chunks()]
            return _Cut(media_type="text/event-stream", parts=parts, delay=self.chunk_delay)
        elif fault == "incomplete":
            events = events[: self._good_chunks()]  # then a clean end, no finish and no [DONE]
        return StreamingResponse(self._paced(events), media_type="text/event-stream")

    async def _paced(self, events: list[bytes]) -> AsyncIterator[bytes]:
        for event in events:
            if self.chunk_delay:
                await asyncio.sleep(self.chunk_delay)
            yield event

    def _good_chunks(self) -> int:
        return max(1, min(2, len(self.pieces()) - 1))

    def pieces(self) -> list[str]:
        """The reply split into `chunks` pieces, as it is streamed."""
        size = max(1, math.ceil(len(self.reply) / max(1, self.chunks)))
        return [self.reply[i : i + size] for i in range(0, len(self.reply), size)]

    def _usage(self, api: str, share: float = 1.0) -> dict[str, int]:
        p, c = self.prompt_tokens, round(self.completion_tokens * share)
        if api == "openai":
            return {"prompt_tokens": p, "completion_tokens": c, "total_tokens": p + c}
        return {"promptTokenCount": p, "candidatesTokenCount": c, "totalTokenCount": p + c}

    def _whole(self, api: str, model: str, *, finish: str | None = None) -> dict[str, Any]:
        if api == "openai":
            message = {"role": "assistant", "content": self.reply}
            reason = finish or "stop"
            choice = {"index": 0, "message": message, "finish_reason": reason, "logprobs": None}
            return {
                "id": "chatcmpl-fake",
                "object": "chat.completion",
                "created": 0,
                "model": model,
                "choices": [choice],
                "usage": self._usage(api),
            }
        candidate = {
            "content": {"role": "model", "parts": [{"text": self.reply}]},
            "finishReason": finish or "STOP",
            "index": 0,
        }
        return {"candidates": [candidate], "usageMetadata": self._usage(api), "modelVersion": model}

    def _events(
        self,
        api: str,
        model: str,
        *,
        include_usage: bool,
        finish: str | None = None,
        pieces: list[str] | None = None,
    ) -> list[bytes]:
        """The full SSE body, one element per chunk, terminator included."""
        pieces = self.pieces() if pieces is None else pieces
        if finish is not None:
            pieces = pieces[: self._good_chunks()]  # the text stops where the finish says
        if api == "gemini":
            events = []
            for i, piece in enumerate(pieces):
                candidate: dict[str, Any] = {
                    "content": {"role": "model", "parts": [{"text": piece}]},
                    "index": 0,
                }
                chunk: dict[str, Any] = {"candidates": [candidate], "modelVersion": model}
                # Like Gemini, every chunk carries the running total; the last one is complete.
                chunk["usageMetadata"] = self._usage(api, share=(i + 1) / len(pieces))
                if i == len(pieces) - 1:
                    candidate["finishReason"] = finish or "STOP"
                # Gemini separates events with CRLF pairs.
                events.append(f"data: {json.dumps(chunk)}\r\n\r\n".encode())
            return events
        base = {
            "id": "chatcmpl-fake",
            "object": "chat.completion.chunk",
            "created": 0,
            "model": model,
        }
        deltas = [{"role": "assistant", "content": pieces[0]}] + [
            {"content": p} for p in pieces[1:]
        ]
        bodies = [
            base | {"choices": [{"index": 0, "delta": d, "finish_reason": None}]} for d in deltas
        ]
        end = {"index": 0, "delta": {}, "finish_reason": finish or "stop"}
        bodies.append(base | {"choices": [end]})
        if include_usage:
            bodies.append(base | {"choices": [], "usage": self._usage(api)})
        return [f"data: {json.dumps(b)}\n\n".encode() for b in bodies] + [b"data: [DONE]\n\n"]


def _include_usage(body: Any) -> bool:
    options = body.get("stream_options") if isinstance(body, dict) else None
    return isinstance(options, dict) and options.get("include_usage") is True


def _error(api: str, status: int, message: str, *, retry_delay: Any = None) -> JSONResponse:
    if api == "openai":
        kind = {401: "invalid_request_error", 429: "rate_limit_exceeded"}.get(
            status, "server_error"
        )
        return JSONResponse({"error": {"message": message, "type": kind, "code": None}}, status)
    names = {401: "UNAUTHENTICATED", 429: "RESOURCE_EXHAUSTED", 500: "INTERNAL"}
    error: dict[str, Any] = {"code": status, "message": message, "status": names.get(status)}
    if retry_delay is not None:
        info = {
            "@type": "type.googleapis.com/google.rpc.RetryInfo",
            "retryDelay": f"{retry_delay}s",
        }
        error["details"] = [info]
    return JSONResponse({"error": error}, status)
