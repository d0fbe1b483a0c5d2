"""The cost of /openapi.json: its size and the RSS a real server keeps after building it."""

from __future__ import annotations

import json
import sys

import servers  # bench/ is sys.path[0] when run as a script
from servers import get


def measure(extra_env: dict[str, str] | None = None, settle: float = 2.0) -> dict:
    """Start `tarot serve` on a fresh SQLite file and measure around the first /openapi.json."""
    server = servers.ours("openapi", database_url=servers.sqlite_url(), **(extra_env or {}))
    try:
        # Warm the usual routes so the delta is the document's alone.
        for path in ("/api/v1/cards?limit=100", "/api/v1/spreads", "/health"):
            get(server.port, path)
        before = server.idle_rss(settle)
        status, body = get(server.port, "/openapi.json")
        assert status == 200, status
        after = server.idle_rss(settle)
        get(server.port, "/openapi.json")
        again = server.rss()
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
        servers.stop(server)


def main() -> None:
    """Print the figures as JSON, the median RSS cost of a few runs."""
    runs = [measure() for _ in range(int(sys.argv[1]) if len(sys.argv) > 1 else 3)]
    costs = sorted(run["rss_cost_mb"] for run in runs)
    print(json.dumps({"runs": runs, "median_rss_cost_mb": costs[len(costs) // 2]}, indent=2))


if __name__ == "__main__":
    main()
