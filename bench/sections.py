"""The benchmark's sections; each runs one round and returns its metrics as flat numbers."""

from __future__ import annotations

import time
from dataclasses import dataclass

import dbtraffic
import login
import procfs
import servers
from servers import ADMIN_DSN, PG_DATABASE, Server
from traffic import load

CARDS = "/api/v1/cards?limit=100"
CARD = "/api/v1/cards/the-fool"
# Postgres (15+) flushes an idle backend's counters within 10 s: settle past that first.
STATS_SETTLE_S = 12.0
IDLE_WINDOW_S = 10.0


@dataclass(frozen=True)
class Options:
    """How long each run lasts and which load generator sends it."""

    load_s: float  # catalog and readings rows
    mixed_s: float
    soak_requests: int
    use_wrk: bool
    login_rounds: int = 5
    login_concurrency: int = 20


def idle(_: Options) -> dict[str, float]:
    """Floor and ours at idle on Postgres, ours after /openapi.json, idle database traffic."""
    floor = servers.floor()
    try:
        out = {"floor_idle_mb": floor.idle_rss(), "floor_startup_s": floor.startup_s}
    finally:
        servers.stop(floor)
    ours = servers.ours("idle")
    try:
        ready = time.monotonic()
        out.update(idle_mb=ours.idle_rss(), startup_s=ours.startup_s)
        time.sleep(max(0.0, ready + STATS_SETTLE_S - time.monotonic()))
        for _ in range(3):  # a window an autovacuum worker visited is measured again
            traffic = dbtraffic.window(ADMIN_DSN, PG_DATABASE, IDLE_WINDOW_S)
            if not traffic["autovacuum"]:
                break
        out["idle_xacts"] = float(traffic["xacts"])
        out["idle_statements_seen"] = float(traffic["statements_seen"])
        out["idle_autovacuum"] = float(traffic["autovacuum"])
        status, _ = servers.get(ours.port, "/openapi.json")
        if status != 200:
            raise RuntimeError(f"/openapi.json answered {status}")
        out["openapi_mb"] = ours.idle_rss()
    finally:
        servers.stop(ours)
    return out


def _warm(server: Server, *paths: str, times: int = 50) -> None:
    """A few requests per path, so caches are filled and code paths are hot."""
    for _ in range(times):
        for path in paths:
            servers.get(server.port, path)


def catalog(opts: Options) -> dict[str, float]:
    """Card list and one card on ours (PG) and on the limit server, side by side."""
    ours = servers.ours("catalog")
    limit = None
    try:
        _warm(ours, CARDS, CARD)
        limit = servers.limit(ours.port, [CARDS, CARD])
        _warm(limit, CARDS, CARD)
        out: dict[str, float] = {}
        for mix, key in (("cards", "cards"), ("card", "card")):
            for prefix, server in (("", ours), ("limit_", limit)):
                result = load(
                    server, mix, connections=50, seconds=opts.load_s, use_wrk=opts.use_wrk
                )
                out[f"{prefix}{key}_rps"] = result["rps"]
                out[f"{prefix}{key}_cpu_10k"] = result["cpu_10k"]
                out[f"{prefix}{key}_p99_ms"] = result["p99_ms"]
                out[f"{prefix}{key}_errors"] = result["errors"]
                out[f"{prefix}{key}_server_busy"] = result["server_busy"]
                out[f"{prefix}{key}_loadgen_busy"] = result["loadgen_busy"]
    finally:
        servers.stop(*(s for s in (ours, limit) if s is not None))
    return out


def readings(opts: Options) -> dict[str, float]:
    """Offline readings, 20 clients each waiting for its reading, on Postgres and SQLite."""
    out: dict[str, float] = {}
    for db, url in (("pg", servers.PG_URL), ("sqlite", servers.sqlite_url())):
        server = servers.ours(f"readings-{db}", database_url=url)
        try:
            result = load(server, "readings", connections=20, seconds=opts.load_s)
        finally:
            servers.stop(server)
        out[f"readings_{db}_per_s"] = result["rps"]
        out[f"readings_{db}_p50_ms"] = result["p50_ms"]
        out[f"readings_{db}_p99_ms"] = result["p99_ms"]
        out[f"readings_{db}_errors"] = result["errors"]
        out[f"readings_{db}_cpu_10k"] = result["cpu_10k"]
        out[f"readings_{db}_server_busy"] = result["server_busy"]
        out[f"readings_{db}_loadgen_busy"] = result["loadgen_busy"]
    return out


def login_burst(opts: Options) -> dict[str, float]:
    """bench/login.py's bursts: VmHWM growth over idle and the logins' latency."""
    result = login.measure(rounds=opts.login_rounds, concurrency=opts.login_concurrency)
    return {f"login_{key}": value for key, value in result.items()}


def soak(server: Server, requests: int, use_wrk: bool) -> dict:
    """At least `requests` soak requests: loadgen counts them; wrk runs in timed chunks."""
    if not use_wrk:
        return load(server, "soak", connections=50, count=requests)
    total = {"requests": 0, "errors": 0, "server_cpu_s": 0.0}
    rps = 2000.0  # a first guess; each chunk's own rate sizes the next
    while total["requests"] < requests:
        left = requests - total["requests"]
        chunk = load(
            server, "soak", connections=50, seconds=min(10, max(1, round(left / rps))), use_wrk=True
        )
        rps = max(chunk["rps"], 1.0)
        for key in total:
            total[key] += chunk[key]
    total["cpu_10k"] = procfs.per_10k(total["server_cpu_s"], int(total["requests"]))
    return total


def mixed(opts: Options) -> dict[str, float]:
    """Peak RSS under the mixed load, then RSS growth over a soak of cached reads."""
    server = servers.ours("mixed")
    try:
        result = load(server, "mix", connections=50, seconds=opts.mixed_s, use_wrk=opts.use_wrk)
        out = {
            "mixed_peak_mb": server.rss("VmHWM"),
            "mixed_rps": result["rps"],
            "mixed_errors": result["errors"],
            "mixed_cpu_10k": result["cpu_10k"],
            "mixed_p99_ms": result["p99_ms"],
        }
        first_n = min(10_000, opts.soak_requests // 2)
        first = soak(server, first_n, opts.use_wrk)
        start = server.rss()
        rest = soak(server, opts.soak_requests - first["requests"], opts.use_wrk)
        end = server.rss()
    finally:
        servers.stop(server)
    requests = first["requests"] + rest["requests"]
    out.update(soak_requests=requests, soak_start_mb=start, soak_end_mb=end)
    out.update(soak_growth_mb=round(end - start, 2), soak_errors=first["errors"] + rest["errors"])
    out["soak_cpu_10k"] = rest["cpu_10k"]
    return out


SECTIONS = {
    "idle": idle,
    "catalog": catalog,
    "readings": readings,
    "login": login_burst,
    "mixed": mixed,
}
