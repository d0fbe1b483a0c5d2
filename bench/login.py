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
import subprocess
import sys
import time

import asyncpg
import httpx
from run import ADMIN_DSN, PROCS, ROOT, TAROT, launch, server_env, stop

DATABASE = "tarot_bench_login"
DATABASE_URL = f"postgresql://postgres@127.0.0.1:5432/{DATABASE}"
PASSWORD = secrets.token_urlsafe(16)
GOAL_MB = 20.0


async def reset_database() -> None:
    conn = await asyncpg.connect(ADMIN_DSN)
    try:
        await conn.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
        await conn.execute(f"CREATE DATABASE {DATABASE}")
    finally:
        await conn.close()


async def burst(port: int, *, concurrency: int, rounds: int, email: str) -> list[float]:
    """`rounds` bursts of `concurrency` simultaneous logins; each login's latency in ms."""
    timings: list[float] = []
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
                raise RuntimeError(f"login answered {answer.status_code}: {answer.text}")

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
    return timings


def percentile(values: list[float], share: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[round(share * 100) - 1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    asyncio.run(reset_database())
    env = {"DATABASE_URL": DATABASE_URL, "TAROT_RATE_AUTH": "1000000/minute"}
    env["TAROT_SECRET_KEY"] = secrets.token_urlsafe(48)
    prepared = subprocess.run(
        [TAROT[0], "db", "prepare"], cwd=ROOT, env=server_env(0, **env), capture_output=True
    )
    if prepared.returncode:
        raise RuntimeError(f"tarot db prepare failed:\n{prepared.stderr.decode()}")
    try:
        server = launch("login", TAROT, **env)
        time.sleep(2)
        idle_rss, idle_hwm = server.rss(), server.rss("VmHWM")
        # One registration and login first: they import argon2 and PyJWT (which loads
        # cryptography, ~9 MB) once, so the bursts show what hashing itself adds.
        asyncio.run(burst(server.port, concurrency=1, rounds=1, email="first@example.com"))
        first_hwm = server.rss("VmHWM")
        timings = asyncio.run(
            burst(
                server.port,
                concurrency=args.concurrency,
                rounds=args.rounds,
                email="bench@example.com",
            )
        )
        after_hwm, after_rss = server.rss("VmHWM"), server.rss()
    finally:
        stop(*PROCS)
    growth, first = after_hwm - idle_hwm, first_hwm - idle_hwm
    rows = [
        ("Idle VmRSS / VmHWM", "—", f"{idle_rss} / {idle_hwm} MB", "reference"),
        ("VmHWM after one registration + login", "—", f"{first_hwm} MB", f"+{first:.1f} MB"),
        (
            f"VmHWM after {args.rounds}x{args.concurrency} concurrent logins",
            f"<= idle + {GOAL_MB:g} MB ({idle_hwm + GOAL_MB:.1f})",
            f"{after_hwm} MB",
            f"+{growth:.1f} MB {'PASS' if growth <= GOAL_MB else '**FAIL**'}",
        ),
        ("VmRSS after the bursts", "—", f"{after_rss} MB", ""),
        (
            "Login p50 / p99",
            "— (hashes queue one at a time)",
            f"{percentile(timings, 0.5):.0f} / {percentile(timings, 0.99):.0f} ms",
            f"{len(timings)} logins",
        ),
    ]
    print("| metric | target | measured | verdict |\n|---|---|---|---|")
    print("\n".join("| " + " | ".join(row) + " |" for row in rows))


if __name__ == "__main__":
    main()
