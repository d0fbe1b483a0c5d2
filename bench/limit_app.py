"""The limit: bare uvicorn + a raw ASGI app sending ready bytes (no framework, no lookups).

The payloads (headers and body per path, fetched from our server) come in a JSON file
named by $LIMIT_PAYLOADS, so the limit sends exactly what ours sends.
"""

from __future__ import annotations

import base64
import json
import os
from pathlib import Path

READY = (200, [(b"content-type", b"application/json")], b'{"status":"ready"}')
NOT_FOUND = (404, [(b"content-type", b"text/plain")], b"not found")


def load(file: str) -> dict[str, tuple[int, list[tuple[bytes, bytes]], bytes]]:
    """path?query -> (status, raw headers with content-length, body)."""
    routes = {"/ready": READY}
    for path, payload in json.loads(Path(file).read_text()).items():
        body = base64.b64decode(payload["body"])
        headers = [
            (k.lower().encode("latin-1"), v.encode("latin-1"))
            for k, v in payload["headers"]
            if k.lower() != "content-length"
        ]
        headers.append((b"content-length", str(len(body)).encode()))
        routes[path] = (200, headers, body)
    return routes


ROUTES = load(os.environ["LIMIT_PAYLOADS"]) if "LIMIT_PAYLOADS" in os.environ else {}


async def app(scope, receive, send) -> None:
    """Answer a known path with its bytes; lifespan events are acknowledged and ignored."""
    if scope["type"] == "lifespan":
        while (await receive())["type"] != "lifespan.shutdown":
            await send({"type": "lifespan.startup.complete"})
        await send({"type": "lifespan.shutdown.complete"})
        return
    query = scope["query_string"].decode("latin-1")
    status, headers, body = ROUTES.get(scope["path"] + ("?" + query if query else ""), NOT_FOUND)
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
