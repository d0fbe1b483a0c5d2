"""Headless Debian Chromium driven over the Chrome DevTools Protocol (a websocket, no driver)."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import itertools
import json
import re
import shutil
import subprocess
import tempfile
import threading
from pathlib import Path
from typing import Any

from websockets.asyncio.client import ClientConnection, connect

CHROMIUM = "/usr/bin/chromium"  # Debian's package; .ci/run installs it
# Without the background-networking switches Chromium keeps calling home on a closed network.
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--disable-dev-shm-usage",
    "--remote-debugging-port=0",
)
_LISTENING = re.compile(r"DevTools listening on (ws://\S+)")


class PageError(AssertionError):
    """JavaScript in the page threw, or a command failed."""


class Browser:
    """One Chromium process and its DevTools connection."""

    def __init__(self, process: subprocess.Popen, ws: ClientConnection, profile: str):
        self.process, self.ws, self.profile = process, ws, profile
        self._ids = itertools.count(1)
        self._waiting: dict[int, asyncio.Future] = {}
        self._events: dict[str, list[dict]] = {}
        self._reader = asyncio.create_task(self._read())

    @classmethod
    async def launch(cls) -> Browser:
        """Start Chromium with a fresh profile and connect to it; fails loudly if it is absent."""
        if not Path(CHROMIUM).exists():
            raise RuntimeError(f"{CHROMIUM} is missing: `.ci/run` installs Debian's chromium")
        profile = tempfile.mkdtemp(prefix="tarot-chromium-")
        process = subprocess.Popen(
            [CHROMIUM, *FLAGS, f"--user-data-dir={profile}", "about:blank"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        url = await asyncio.wait_for(asyncio.to_thread(_devtools_url, process), 60)
        ws = await connect(url, max_size=64 * 1024 * 1024, ping_interval=None)
        return cls(process, ws, profile)

    async def _read(self) -> None:
        async for raw in self.ws:
            message = json.loads(raw)
            future = self._waiting.pop(message.get("id", -1), None)
            if future is not None and not future.done():
                future.set_result(message)
            elif "method" in message:
                key = f"{message.get('sessionId', '')}:{message['method']}"
                self._events.setdefault(key, []).append(message.get("params", {}))

    async def send(self, method: str, params: dict | None = None, session: str | None = None):
        """One CDP command; its `result`, or PageError with the protocol's message."""
        message: dict[str, Any] = {"id": next(self._ids), "method": method}
        message["params"] = params or {}
        if session:
            message["sessionId"] = session
        future = asyncio.get_running_loop().create_future()
        self._waiting[message["id"]] = future
        await self.ws.send(json.dumps(message))
        reply = await asyncio.wait_for(future, 60)
        if "error" in reply:
            raise PageError(f"{method}: {reply['error'].get('message')}")
        return reply.get("result", {})

    def events(self, session: str, method: str) -> list[dict]:
        """Events of one kind received so far for a page."""
        return self._events.get(f"{session}:{method}", [])

    async def new_page(self, width: int = 1100, height: int = 900) -> Page:
        """A fresh tab in its own browser context (no cookies or storage shared between tabs)."""
        context = (await self.send("Target.createBrowserContext"))["browserContextId"]
        target = await self.send(
            "Target.createTarget", {"url": "about:blank", "browserContextId": context}
        )
        attached = await self.send(
            "Target.attachToTarget", {"targetId": target["targetId"], "flatten": True}
        )
        page = Page(self, target["targetId"], attached["sessionId"], context)
        for domain in ("Page.enable", "Runtime.enable"):
            await page.send(domain)
        await page.send(
            "Emulation.setDeviceMetricsOverride",
            {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False},
        )
        return page

    async def close(self) -> None:
        """Quit Chromium and remove its profile."""
        with contextlib.suppress(Exception):
            await self.send("Browser.close")
        await self.ws.close()
        self._reader.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._reader
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)
        shutil.rmtree(self.profile, ignore_errors=True)


def _devtools_url(process: subprocess.Popen) -> str:
    seen = []
    for line in process.stderr:
        seen.append(line)
        if match := _LISTENING.search(line):
            # Keep draining stderr so Chromium never blocks on a full pipe.
            threading.Thread(target=process.stderr.read, daemon=True).start()
            return match.group(1)
    raise RuntimeError("Chromium exited before DevTools listened:\n" + "".join(seen[-20:]))


class Page:
    """One tab: navigate, evaluate JavaScript, wait for a condition, take a screenshot."""

    def __init__(self, browser: Browser, target_id: str, session: str, context: str):
        self.browser, self.target_id, self.session = browser, target_id, session
        self.context = context

    async def send(self, method: str, params: dict | None = None) -> dict:
        return await self.browser.send(method, params, self.session)

    async def goto(self, url: str) -> None:
        """Navigate and wait for the load event."""
        before = len(self.browser.events(self.session, "Page.loadEventFired"))
        result = await self.send("Page.navigate", {"url": url})
        if result.get("errorText"):
            raise PageError(f"navigation to {url} failed: {result['errorText']}")
        await self.wait_until(
            lambda: len(self.browser.events(self.session, "Page.loadEventFired")) > before
        )

    async def evaluate(self, expression: str) -> Any:
        """The value of a JavaScript expression (promises awaited)."""
        result = await self.send(
            "Runtime.evaluate",
            {"expression": expression, "awaitPromise": True, "returnByValue": True},
        )
        if "exceptionDetails" in result:
            details = result["exceptionDetails"]
            raise PageError(details.get("exception", {}).get("description") or details["text"])
        return result["result"].get("value")

    async def wait_for(self, expression: str, *, timeout: float = 30) -> Any:
        """Poll a JavaScript expression until it is truthy; fails with the console on timeout."""
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            value = await self.evaluate(expression)
            if value:
                return value
            if asyncio.get_running_loop().time() > deadline:
                raise PageError(f"never true: {expression}\nconsole: {self.console()}")
            await asyncio.sleep(0.1)

    async def wait_until(self, condition, *, timeout: float = 30) -> None:
        deadline = asyncio.get_running_loop().time() + timeout
        while not condition():
            if asyncio.get_running_loop().time() > deadline:
                raise PageError("timed out waiting for the page")
            await asyncio.sleep(0.05)

    def console(self) -> list[str]:
        """What the page logged, and the exceptions it threw."""
        lines = [
            " ".join(str(arg.get("value", arg.get("description", ""))) for arg in e["args"])
            for e in self.browser.events(self.session, "Runtime.consoleAPICalled")
        ]
        lines += [
            e["exceptionDetails"].get("exception", {}).get("description", "")
            for e in self.browser.events(self.session, "Runtime.exceptionThrown")
        ]
        return lines

    async def screenshot(self, path: Path) -> Path:
        """Save the full page as PNG."""
        shot = await self.send(
            "Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True}
        )
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(base64.b64decode(shot["data"]))
        return path

    async def close(self) -> None:
        """Close the tab and drop its browser context."""
        await self.browser.send("Target.closeTarget", {"targetId": self.target_id})
        await self.browser.send("Target.disposeBrowserContext", {"browserContextId": self.context})
