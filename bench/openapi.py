"""The cost of /openapi.json: its size and the RSS a real server keeps after building it."""

from __future__ import annotations

import http.client
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TAROT = [str(ROOT / ".venv" / "bin" / "tarot"), "serve"]


def free_port() -> int:
    """A port the kernel says is free right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get(port: int, path: str) -> tuple[int, bytes]:
    """Status and body of a GET to the server."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def rss_mb(pid: int) -> float:
    """VmRSS of a process in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 1024, 2)
    raise RuntimeError(f"no VmRSS for {pid}")


def measure(extra_env: dict[str, str] | None = None, settle: float = 2.0) -> dict:
    """Start `tarot serve` on a fresh SQLite file and measure around the first /openapi.json."""
    port = free_port()
    workdir = Path(tempfile.mkdtemp(prefix="tarot-openapi-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("TAROT_")}
    env.update(
        PORT=str(port),
        DATABASE_URL=f"sqlite+aiosqlite:///{workdir / 'tarot.db'}",
        TAROT_HOST="127.0.0.1",
        TAROT_LOG_LEVEL="warning",
        TAROT_LLM_PROVIDERS="offline",
        MALLOC_ARENA_MAX="2",
        **(extra_env or {}),
    )
    proc = subprocess.Popen(TAROT, cwd=workdir, env=env, stdout=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if get(port, "/ready")[0] == 200:
                    break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the server never got ready")
            time.sleep(0.05)
        # Warm the usual routes so the delta is the document's alone.
        for path in ("/api/v1/cards?limit=100", "/api/v1/spreads", "/health"):
            get(port, path)
        time.sleep(settle)
        before = rss_mb(proc.pid)
        status, body = get(port, "/openapi.json")
        assert status == 200, status
        time.sleep(settle)
        after = rss_mb(proc.pid)
        get(port, "/openapi.json")
        again = rss_mb(proc.pid)
        document = json.loads(body)
        operations = sum(len(item) for item in document["paths"].values())
        return {
            "document_bytes": len(body),
            "operations": operations,
            "rss_before_mb": before,
            "rss_after_mb": after,
            "rss_cost_mb": round(after - before, 2),
            "rss_after_second_get_mb": again,
        }
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def main() -> None:
    """Print the figures as JSON, the median RSS cost of a few runs."""
    runs = [measure() for _ in range(int(sys.argv[1]) if len(sys.argv) > 1 else 3)]
    costs = sorted(run["rss_cost_mb"] for run in runs)
    print(json.dumps({"runs": runs, "median_rss_cost_mb": costs[len(costs) // 2]}, indent=2))


if __name__ == "__main__":
    main()
