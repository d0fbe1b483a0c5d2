"""What lazy SDK loading saves, and readings latency: RSS around the first provider reading.

Runs the real server against the test suite's fake LLM server (real SDKs, local HTTP), so
no key or network is needed, then 20 concurrent clients on `POST /readings?wait=true`.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
import urllib.request
from pathlib import Path

import run  # bench/ is sys.path[0] when run as a script
from run import PROCS, launch, load, markdown, reset_database, stop

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from fakes.llm_servers import FakeLLMServer


def post_reading(port: int) -> dict:
    """One reading, waited for; the JSON body."""
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/api/v1/readings?wait=true",
        data=json.dumps({"question": "Which way now?", "spread": "three-card"}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310 - loopback only
        return json.load(response)


def lazy_saving(fake: FakeLLMServer, provider: str) -> tuple[float, float, str]:
    """Idle RSS, then RSS after the first reading routed to `provider`."""
    env = {"TAROT_LLM_PROVIDERS": f"{provider},offline"}
    if provider == "openai":
        env |= {"OPENAI_API_KEY": "sk-bench", "TAROT_OPENAI_BASE_URL": fake.openai_base_url}
    else:
        env |= {"GEMINI_API_KEY": "gm-bench", "TAROT_GEMINI_BASE_URL": fake.gemini_base_url}
    server = launch(f"lazy-{provider}", run.TAROT, **env)
    try:
        before = server.idle_rss()
        written_by = post_reading(server.port)["provider"]
        time.sleep(1.0)
        return before, server.rss(), written_by
    finally:
        stop(server.proc)


def main() -> None:
    """Print the lazy-load table and the readings latency under 20 clients."""
    asyncio.run(reset_database())
    rows = []
    try:
        with FakeLLMServer() as fake:
            for provider in ("openai", "gemini"):
                before, after, written_by = lazy_saving(fake, provider)
                rows.append(
                    (
                        f"RSS before / after first {provider} reading",
                        f"written by {provider}",
                        f"{before} / {after} MB",
                        f"+{after - before:.1f} MB, by {written_by}",
                    )
                )
        server = launch("readings", run.TAROT)
        try:
            stats, peak = load(server, "readings", False, connections=20, duration=15)
        finally:
            stop(server.proc)
        rows.append(
            (
                "POST /readings?wait=true, offline, 20 clients",
                "p50 / p99",
                f"{stats['p50_ms']} / {stats['p99_ms']} ms",
                f"{stats['rps']} readings/s, {stats['errors']} errors, peak {peak} MB",
            )
        )
    finally:
        stop(*PROCS)
    print(markdown(rows))


if __name__ == "__main__":
    main()
