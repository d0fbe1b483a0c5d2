"""Browser fixtures: real headless Chromium and the API as a real uvicorn process.

- `start_live_server(**env)` starts `tarot serve` (migrations, seeding and all) on a free
  port with SQLite and the offline reader unless `env` says otherwise; `live_server` is a
  shared one. `server.log()` is everything it printed.
- `page` is a tab in its own browser context (no cookies or storage shared between tests):
  `goto`, `evaluate`, `wait_for`, `screenshot`, and `send` for any other DevTools command
  (for example `Network.getCookies`).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from browser.cdp import Browser, Page

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "artifacts"  # gitignored; CI keeps what lands here
SECRET = "browser-test-secret-key-0123456789-abcdefgh"


@dataclass
class LiveServer:
    """A running `tarot serve` and where its output goes."""

    url: str
    process: subprocess.Popen
    log_path: Path

    def log(self) -> str:
        """Everything the server printed so far (uvicorn and our own loggers)."""
        return self.log_path.read_text(errors="replace")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def _serve(directory: Path, **env: str) -> Iterator[LiveServer]:
    port = _free_port()
    settings = {
        "PORT": str(port),
        "TAROT_HOST": "127.0.0.1",
        "DATABASE_URL": f"sqlite:///{directory / 'live.db'}",
        "TAROT_SECRET_KEY": SECRET,
        "TAROT_LLM_PROVIDERS": "offline",
        "TAROT_RATE_READINGS_ANONYMOUS": "10000/minute",
        "TAROT_RATE_READINGS_USER": "10000/minute",
        "TAROT_RATE_AUTH": "10000/minute",
        "TAROT_QUEUE_SWEEP_SECONDS": "0.2",
    } | env
    clean = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("TAROT_")
        and key not in ("DATABASE_URL", "PORT", "GEMINI_API_KEY", "OPENAI_API_KEY")
    }
    log_path = directory / "server.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "tarot", "serve"],
            env=clean | settings,
            cwd=directory,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    server = LiveServer(f"http://127.0.0.1:{port}", process, log_path)
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"tarot serve exited:\n{server.log()}")
            try:
                if httpx.get(f"{server.url}/ready", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"tarot serve never became ready:\n{server.log()}")
            time.sleep(0.2)
        yield server
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


@pytest.fixture(scope="session")
def start_live_server(tmp_path_factory) -> Callable:
    """Start another live server with extra environment (a context manager)."""

    def start(**env: str):
        return _serve(tmp_path_factory.mktemp("live"), **env)

    return start


@pytest.fixture(scope="session")
def live_server(start_live_server) -> Iterator[LiveServer]:
    """One shared live server: SQLite, offline reader."""
    with start_live_server() as server:
        yield server


@pytest.fixture(scope="session")
async def chromium() -> AsyncIterator[Browser]:
    """Debian's headless Chromium for the whole session; missing Chromium fails, not skips."""
    browser = await Browser.launch()
    try:
        yield browser
    finally:
        await browser.close()


@pytest.fixture
async def page(chromium: Browser) -> AsyncIterator[Page]:
    """A fresh tab, closed after the test."""
    tab = await chromium.new_page()
    try:
        yield tab
    finally:
        await tab.close()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    """Where screenshots go for CI to keep (gitignored)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS
