"""Benchmark the tarot API from outside: memory against the floor, rps and CPU against a bare
uvicorn sending the same bytes, readings, idle database traffic, logins, a mixed load, a soak.

    .venv/bin/python bench/run.py                      # 3 rounds, medians
    .venv/bin/python bench/run.py --quick              # 1 short round
    .venv/bin/python bench/run.py --sections idle,catalog --rounds 5
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import report
import rows as table_rows
import servers  # bench/ is sys.path[0] when run as a script
from sections import SECTIONS, Options
from traffic import have_wrk

ROOT = servers.ROOT


def machine() -> dict:
    """Where and when the numbers were taken."""
    mem_kb = int(Path("/proc/meminfo").read_text().split()[1])
    git = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    return {
        "nproc": os.cpu_count(),
        "ram_mb": mem_kb // 1024,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "git_commit": git or None,
        "server_cpu": servers.SERVER_CPU,
        "load_cpu": servers.LOAD_CPU,
        "loadavg_start": [round(x, 2) for x in os.getloadavg()],
    }


def options(args: argparse.Namespace, use_wrk: bool) -> Options:
    """Run lengths for a full or a quick run; --seconds overrides the load rows' length."""
    if args.quick:
        opts = Options(load_s=3, mixed_s=5, soak_requests=20_000, use_wrk=use_wrk, login_rounds=2)
    else:
        opts = Options(load_s=10, mixed_s=20, soak_requests=100_000, use_wrk=use_wrk)
    if args.seconds:
        opts = Options(**{**opts.__dict__, "load_s": args.seconds})
    return opts


def bench(names: list[str], rounds: int, opts: Options) -> list[dict[str, float]]:
    """Every selected section once per round, on a freshly prepared database."""
    servers.reset_database()
    servers.prepare()
    # Warm the bytecode and page caches so startup times do not count a first compile.
    subprocess.run([servers.PYTHON, "-c", "import tarot.main"], cwd=ROOT, check=True)
    results = []
    for number in range(1, rounds + 1):
        metrics: dict[str, float] = {}
        for name in names:
            began = time.monotonic()
            metrics.update(SECTIONS[name](opts))
            print(f"round {number}/{rounds}: {name} {time.monotonic() - began:.0f} s", flush=True)
        results.append(metrics)
    return results


def main() -> None:
    """Run, print the table, write bench/results.json."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rounds", type=int, help="rounds to take medians of (3; --quick: 1)")
    parser.add_argument("--quick", action="store_true", help="short runs, one round")
    parser.add_argument("--sections", default=",".join(SECTIONS), help="comma-separated")
    parser.add_argument("--loadgen", choices=("auto", "wrk", "python"), default="auto")
    parser.add_argument("--seconds", type=float, help="length of each catalog/readings run")
    args = parser.parse_args()
    names = [name.strip() for name in args.sections.split(",") if name.strip()]
    unknown = set(names) - set(SECTIONS)
    if unknown:
        parser.error(f"unknown sections {sorted(unknown)}; known: {', '.join(SECTIONS)}")
    use_wrk = args.loadgen == "wrk" or (args.loadgen == "auto" and have_wrk())
    rounds = args.rounds or (1 if args.quick else 3)
    if servers.LOAD_CPU is not None:
        os.sched_setaffinity(0, {servers.LOAD_CPU})  # this script samples on the load core too
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # so that finally still runs
    info = machine()
    try:
        per_round = bench(names, rounds, options(args, use_wrk))
    finally:
        servers.stop_all()
    info["loadavg_end"] = [round(x, 2) for x in os.getloadavg()]
    summary = report.summarize(per_round)
    rows = table_rows.table(summary)
    results = {
        "machine": info,
        "loadgen": "wrk" if use_wrk else "python",
        "quick": args.quick,
        "rounds": per_round,
        "summary": summary,
        "table": [row.__dict__ for row in rows],
    }
    (ROOT / "bench" / "results.json").write_text(json.dumps(results, indent=2) + "\n")
    print(
        f"\n{info['date']}  {info['nproc']} CPUs (server on {info['server_cpu']}, load on "
        f"{info['load_cpu']}), {info['ram_mb']} MB RAM, Python {info['python']}, commit "
        f"{info['git_commit']}, loadgen {results['loadgen']}, {rounds} round(s), medians; "
        f"load average {info['loadavg_start'][0]} at start, {info['loadavg_end'][0]} at end"
    )
    print(report.markdown(rows))
    if short := table_rows.starved(summary):
        print(
            f"\nnote: the server had less than 0.8 of its core in {', '.join(short)}: the "
            "machine was shared or the server waited on something else; compare CPU per 10k."
        )
    print(f"\nresults: bench/results.json; server logs: {servers.log_dir()}")


if __name__ == "__main__":
    main()
