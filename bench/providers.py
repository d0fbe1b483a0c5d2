"""What lazy SDK loading saves, and readings latency: RSS around the first provider reading.

Runs the real server against the test suite's fake LLM server (real SDKs, local HTTP), so
no key or network is needed, then 20 concurrent clients on `POST /readings?wait=true`.
"""

from __future__ import annotations

import json
import sys
import time
import urllib.request
from pathlib import Path

import servers  # bench/ is sys.path[0] when run as a script
from report import Row, markdown
from traffic import load

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
    server = servers.ours(f"lazy-{provider}", **env)
    try:
        before = server.idle_rss()
        written_by = post_reading(server.port)["provider"]
        time.sleep(1.0)
        return before, server.rss(), written_by
    finally:
        servers.stop(server)


def main() -> None:
    """Print the lazy-load table and the readings latency under 20 clients."""
    servers.reset_database()
    servers.prepare()
    rows = []
    try:
        with FakeLLMServer() as fake:
            for provider in ("openai", "gemini"):
                before, after, written_by = lazy_saving(fake, provider)
                rows.append(
                    Row(
                        f"RSS before / after first {provider} reading",
                        f"written by {provider}",
                        f"{before} / {after} MB",
                        f"+{after - before:.1f} MB",
                        f"by {written_by}",
                    )
                )
        server = servers.ours("readings")
        try:
            stats = load(server, "readings", connections=20, seconds=15)
        finally:
            servers.stop(server)
        rows.append(
            Row(
                "POST /readings?wait=true, offline, 20 clients",
                "p50 / p99",
                f"{stats['p50_ms']} / {stats['p99_ms']} ms",
                f"{stats['rps']} readings/s, {stats['cpu_10k']} CPU s/10k",
                f"{stats['errors']} errors, peak {stats['peak_sampled_mb']} MB",
            )
        )
    finally:
        servers.stop_all()
    print(markdown(rows))


if __name__ == "__main__":
    main()
