"""A TCP proxy on 127.0.0.1 that drops a connection once, after a marker has passed through.

It stands for a flaky mobile network or an impatient load balancer: the browser sees the
stream die mid-way and reconnects on its own, as EventSource does.
"""

from __future__ import annotations

import asyncio
import contextlib


class CuttingProxy:
    """Relays to `upstream_port`; the first response to carry `marker` is cut right after it."""

    def __init__(self, upstream_port: int, marker: bytes):
        self.upstream_port, self.marker = upstream_port, marker
        self.uploads: list[bytearray] = []  # what the browser sent, per connection
        self.cuts = 0
        self._server: asyncio.Server | None = None
        self._tasks: set[asyncio.Task] = set()

    @property
    def port(self) -> int:
        assert self._server is not None
        return self._server.sockets[0].getsockname()[1]

    def request_heads(self) -> list[str]:
        """Every request's line and headers, in order (the browser sends only GETs here)."""
        heads = []
        for sent in self.uploads:
            heads += [part.decode("latin-1") for part in bytes(sent).split(b"\r\n\r\n") if part]
        return heads

    async def __aenter__(self) -> CuttingProxy:
        self._server = await asyncio.start_server(self._relay, "127.0.0.1", 0)
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        assert self._server is not None
        self._server.close()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self._server.wait_closed()

    async def _relay(self, client_r: asyncio.StreamReader, client_w: asyncio.StreamWriter):
        self._tasks.add(asyncio.current_task())
        sent = bytearray()
        self.uploads.append(sent)
        upstream_r, upstream_w = await asyncio.open_connection("127.0.0.1", self.upstream_port)

        async def upload() -> None:
            while data := await client_r.read(65536):
                sent.extend(data)
                upstream_w.write(data)
                await upstream_w.drain()

        async def download() -> None:
            while data := await upstream_r.read(65536):
                client_w.write(data)
                await client_w.drain()
                if self.cuts == 0 and self.marker in data:
                    self.cuts += 1
                    return  # drop both sides mid-response

        up = asyncio.create_task(upload())
        try:
            await download()
        except (asyncio.CancelledError, ConnectionError):
            pass  # the proxy is closing, or a side hung up: either way this relay is over
        finally:
            up.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await up
            for writer in (client_w, upstream_w):
                writer.close()
                with contextlib.suppress(Exception):
                    await writer.wait_closed()
            self._tasks.discard(asyncio.current_task())
