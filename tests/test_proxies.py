"""X-Forwarded-For is believed only from TAROT_TRUSTED_PROXIES (checked through rate limits)."""

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

TAROT = str(Path(sys.executable).parent / "tarot")


def serve(database_url: str, **env: str) -> tuple[subprocess.Popen, str]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    environment = {k: v for k, v in os.environ.items() if not k.startswith("TAROT_")} | {
        "DATABASE_URL": database_url,
        "PORT": str(port),
        "TAROT_HOST": "127.0.0.1",
        "TAROT_LOG_LEVEL": "warning",
        "TAROT_RATE_READINGS_ANONYMOUS": "1/minute",
        **env,
    }
    server = subprocess.Popen([TAROT, "serve"], env=environment, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/ready", timeout=1).status_code == 200:
                return server, base
        except httpx.TransportError:
            time.sleep(0.1)
    os.killpg(server.pid, signal.SIGTERM)
    raise AssertionError("the server never became ready")


def statuses(base: str, forwarded_for: list[str]) -> list[int]:
    body = {"question": "q", "spread": "single"}
    return [
        httpx.post(
            f"{base}/api/v1/readings", json=body, headers={"X-Forwarded-For": ip}
        ).status_code
        for ip in forwarded_for
    ]


@pytest.mark.parametrize(
    ("trusted", "expected"),
    [("127.0.0.1", [202, 202, 429]), ("", [202, 429, 429])],
)
def test_forwarded_for_counts_only_from_trusted_proxies(database_urls, trusted, expected):
    server, base = serve(database_urls["sqlite"], TAROT_TRUSTED_PROXIES=trusted)
    try:
        # Two clients behind the proxy, then the first one again.
        assert statuses(base, ["203.0.113.7", "198.51.100.9", "203.0.113.7"]) == expected
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=20)
