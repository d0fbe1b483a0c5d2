"""Idle RSS over the floor and catalog rps, per HTTP parser and event loop (issue Performance).

Starts the floor (`bench/floor_app.py`) and `tarot serve` (or uvicorn with `--http`/`--loop`)
on a database of its own, reads VmRSS after /ready, after the catalog routes and after
/openapi.json, and with `--wrk` runs wrk on the card list and on one card, reporting rps and
the server's CPU seconds per 10k requests (steadier than rps on a shared machine).
"""

from __future__ import annotations

import argparse
import asyncio
import http.client
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

import asyncpg

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
ADMIN_DSN = "postgresql://postgres@127.0.0.1:5432/test"
DB_NAME = "tarot_lean"
DB_URL = f"postgresql://postgres@127.0.0.1:5432/{DB_NAME}"
TICKS = os.sysconf("SC_CLK_TCK")
CODE: Path | None = None
WARM = ("/api/v1/cards?limit=100", "/api/v1/cards/the-fool", "/api/v1/spreads")
TARGETS = {"list": "/api/v1/cards?limit=100", "card": "/api/v1/cards/the-fool"}


def free_port() -> int:
    """A port the kernel says is free right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get(port: int, path: str) -> int | None:
    """Status of a GET, or None when nothing answers."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        response.read()
        return response.status
    except OSError:
        return None
    finally:
        conn.close()


def status_kb(pid: int, key: str = "VmRSS") -> int:
    """One line of /proc/<pid>/status, in kB."""
    text = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(rf"^{key}:\s+(\d+)", text, re.M).group(1))


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time of a process."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def command(kind: str, port: int, http_impl: str, loop: str) -> list[str]:
    """The server command line for one configuration."""
    if kind == "floor":
        cmd = [str(BIN / "python"), "-m", "uvicorn", "bench.floor_app:app"]
    elif kind == "serve":
        return [str(BIN / "tarot"), "serve"]
    else:
        cmd = [str(BIN / "python"), "-m", "uvicorn", "tarot.main:create_app", "--factory"]
    cmd += ["--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"]
    return [*cmd, "--no-access-log", "--http", http_impl, "--loop", loop]


def launch(kind: str, http_impl: str, loop: str) -> tuple[subprocess.Popen, int]:
    """Start a server and wait for /ready."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("TAROT_")}
    env.update(PORT=str(port), DATABASE_URL=DB_URL, TAROT_HOST="127.0.0.1")
    env.update(TAROT_LOG_LEVEL="warning", TAROT_LLM_PROVIDERS="offline", MALLOC_ARENA_MAX="2")
    if CODE:  # another checkout's backend/, ahead of the editable install
        env["PYTHONPATH"] = str(CODE)
    proc = subprocess.Popen(
        command(kind, port, http_impl, loop), cwd=ROOT, env=env, stdout=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 60
    while get(port, "/ready") != 200:
        if proc.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"{kind} never got ready")
        time.sleep(0.02)
    return proc, port


def wrk(port: int, path: str, pid: int, seconds: int) -> dict:
    """rps and server CPU seconds per 10k requests for one URL, 50 connections."""
    before = cpu_seconds(pid)
    out = subprocess.run(
        ["wrk", "-t2", "-c50", f"-d{seconds}s", f"http://127.0.0.1:{port}{path}"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    used = cpu_seconds(pid) - before
    requests = int(re.search(r"(\d+) requests in", out).group(1))
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {
        "rps": round(float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))),
        "cpu_s_per_10k": round(used / requests * 10_000, 2),
        "errors": int(non2xx.group(1)) if non2xx else 0,
    }


def measure(kind: str, http_impl: str, loop: str, settle: float, wrk_seconds: int) -> dict:
    """RSS (MiB) idle, after the catalog routes and after /openapi.json; rps when asked."""
    proc, port = launch(kind, http_impl, loop)
    try:
        time.sleep(settle)
        result = {"idle": status_kb(proc.pid) / 1024}
        if kind != "floor":
            for path in WARM:
                assert get(port, path) == 200, path
            time.sleep(settle)
            result["warm"] = status_kb(proc.pid) / 1024
            if wrk_seconds:
                for name, path in TARGETS.items():
                    result[name] = wrk(port, path, proc.pid, wrk_seconds)
            assert get(port, "/openapi.json") == 200
            time.sleep(settle)
            result["openapi"] = status_kb(proc.pid) / 1024
        return result
    finally:
        proc.terminate()
        proc.wait(timeout=10)


async def recreate_database() -> None:
    """Drop and create our own database."""
    conn = await asyncpg.connect(ADMIN_DSN)
    try:
        await conn.execute(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
        await conn.execute(f"CREATE DATABASE {DB_NAME}")
    finally:
        await conn.close()


def prepare_database() -> None:
    """A fresh database of our own, migrated and seeded."""
    asyncio.run(recreate_database())
    env = {k: v for k, v in os.environ.items() if not k.startswith("TAROT_")}
    env["DATABASE_URL"] = DB_URL
    subprocess.run([str(BIN / "tarot"), "db", "prepare"], env=env, check=True, cwd=ROOT)


def main() -> None:
    """Print medians over runs, as JSON, for each configuration asked for."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--settle", type=float, default=2.0)
    parser.add_argument("--wrk", type=int, default=0, help="seconds of wrk per URL (0: none)")
    parser.add_argument("--root", type=Path, help="another checkout whose .venv to run")
    parser.add_argument("--code", type=Path, help="serve another checkout's backend/ code")
    parser.add_argument(
        "configs",
        nargs="*",
        default=["floor:h11:asyncio", "serve:-:-"],
        help="kind:http:loop, kind one of floor, serve (tarot serve), app (uvicorn --factory)",
    )
    args = parser.parse_args()
    global CODE
    CODE = args.code and args.code.resolve() / "backend"
    if args.root:
        global ROOT, BIN
        ROOT, BIN = args.root.resolve(), args.root.resolve() / ".venv" / "bin"
    prepare_database()
    report = {}
    for config in args.configs:
        kind, http_impl, loop = config.split(":")
        runs = [measure(kind, http_impl, loop, args.settle, args.wrk) for _ in range(args.runs)]
        summary: dict = {}
        for key, value in runs[0].items():
            if isinstance(value, dict):
                summary[key] = {k: statistics.median(run[key][k] for run in runs) for k in value}
            else:
                summary[key] = round(statistics.median(run[key] for run in runs), 1)
        report[config] = summary
        print(config, json.dumps(summary), file=sys.stderr, flush=True)
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
