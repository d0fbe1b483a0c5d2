"""Login burst: 20 concurrent logins against a real `tarot serve`, memory and latency.

Peak memory is VmHWM from /proc (the kernel's RSS high-water mark), read when the server is
idle and after the bursts; the goal is at most +20 MB over idle. Run from the repo root:
    .venv/bin/python bench/login.py [--rounds 5] [--concurrency 20]
"""

from __future__ import annotations

import argparse
import asyncio
import secrets
import signal
import statistics
import sys
import time
from collections import Counter

import httpx
import procfs
import servers  # bench/ is sys.path[0] when run as a script

DATABASE = "tarot_bench_login"
DATABASE_URL = f"postgresql://postgres@127.0.0.1:5432/{DATABASE}"
PASSWORD = secrets.token_urlsafe(16)
GOAL_MB = 20.0


async def burst(
    port: int, *, concurrency: int, rounds: int, email: str
) -> tuple[list[float], Counter[int]]:
    """`rounds` bursts of `concurrency` simultaneous logins; latencies in ms, wrong statuses.

    A wrong answer (a 503 when the database pool runs dry, say) is counted, not raised, so
    the memory figures are still read.
    """
    timings: list[float] = []
    wrong: Counter[int] = Counter()
    limits = httpx.Limits(max_connections=concurrency)
    async with httpx.AsyncClient(
        base_url=f"http://127.0.0.1:{port}", limits=limits, timeout=60
    ) as client:
        made = await client.post(
            "/api/v1/auth/register", json={"email": email, "password": PASSWORD}
        )
        made.raise_for_status()

        async def login(who: str, expected: int) -> None:
            began = time.perf_counter()
            answer = await client.post(
                "/api/v1/auth/login", json={"email": who, "password": PASSWORD}
            )
            timings.append((time.perf_counter() - began) * 1000)
            if answer.status_code != expected:
                wrong[answer.status_code] += 1

        for number in range(rounds):
            # Every fourth login is for an unknown email: the throwaway hash counts too.
            await asyncio.gather(
                *(
                    login(f"nobody{number}-{n}@example.com", 401)
                    if n % 4 == 3
                    else login(email, 200)
                    for n in range(concurrency)
                )
            )
    return timings, wrong


def percentile(values: list[float], share: float) -> float:
    """The share-quantile of values (inclusive method)."""
    return statistics.quantiles(values, n=100, method="inclusive")[round(share * 100) - 1]


def measure(*, rounds: int, concurrency: int) -> dict[str, float]:
    """A fresh database and server; VmHWM idle, after one login and after the bursts."""
    servers.reset_database(DATABASE)
    env = {"TAROT_RATE_AUTH": "1000000/minute", "TAROT_SECRET_KEY": secrets.token_urlsafe(48)}
    servers.prepare(DATABASE_URL, **env)
    server = servers.ours("login", database_url=DATABASE_URL, **env)
    try:
        time.sleep(2)
        idle_rss, idle_hwm = server.rss(), server.rss("VmHWM")
        # One registration and login first: they import argon2 and PyJWT (which loads
        # cryptography, ~9 MB) once, so the bursts show what hashing itself adds.
        asyncio.run(burst(server.port, concurrency=1, rounds=1, email="first@example.com"))
        first_hwm = server.rss("VmHWM")
        cpu_before = server.cpu()
        timings, wrong = asyncio.run(
            burst(server.port, concurrency=concurrency, rounds=rounds, email="bench@example.com")
        )
        cpu_s = server.cpu() - cpu_before
        return {
            "cpu_10k": procfs.per_10k(cpu_s, len(timings)),
            "idle_rss_mb": idle_rss,
            "idle_hwm_mb": idle_hwm,
            "first_hwm_mb": first_hwm,
            "hwm_mb": server.rss("VmHWM"),
            "rss_after_mb": server.rss(),
            "p50_ms": percentile(timings, 0.5),
            "p99_ms": percentile(timings, 0.99),
            "logins": len(timings),
            "errors": sum(wrong.values()),
            "errors_503": wrong[503],
            "rounds": rounds,
            "concurrency": concurrency,
        }
    finally:
        servers.stop(server)


def main() -> None:
    """Print the login burst's table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        r = measure(rounds=args.rounds, concurrency=args.concurrency)
    finally:
        servers.stop_all()
    growth, first = r["hwm_mb"] - r["idle_hwm_mb"], r["first_hwm_mb"] - r["idle_hwm_mb"]
    rows = [
        ("Idle VmRSS / VmHWM", "—", f"{r['idle_rss_mb']} / {r['idle_hwm_mb']} MB", "reference"),
        (
            "VmHWM after one registration + login",
            "—",
            f"{r['first_hwm_mb']} MB",
            f"+{first:.1f} MB",
        ),
        (
            f"VmHWM after {args.rounds}x{args.concurrency} concurrent logins",
            f"<= idle + {GOAL_MB:g} MB ({r['idle_hwm_mb'] + GOAL_MB:.1f})",
            f"{r['hwm_mb']} MB",
            f"+{growth:.1f} MB {'PASS' if growth <= GOAL_MB else '**FAIL**'}",
        ),
        ("VmRSS after the bursts", "—", f"{r['rss_after_mb']} MB", ""),
        (
            "Login p50 / p99",
            "— (hashes queue one at a time)",
            f"{r['p50_ms']:.0f} / {r['p99_ms']:.0f} ms",
            f"{r['logins']:.0f} logins, {r['errors']:.0f} wrong answers ({r['errors_503']} 503s)",
        ),
    ]
    print("| metric | target | measured | verdict |\n|---|---|---|---|")
    print("\n".join("| " + " | ".join(row) + " |" for row in rows))


if __name__ == "__main__":
    main()
