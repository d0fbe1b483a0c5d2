"""Benchmark the tarot API from outside: memory against a bare-stack floor, load, cache, soak."""

from __future__ import annotations

import argparse
import asyncio
import http.client
import json
import os
import platform
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import asyncpg
import psutil
from loadgen import READING, plan  # bench/ is sys.path[0] when run as a script

ROOT = Path(__file__).resolve().parent.parent
PYTHON = str(ROOT / ".venv" / "bin" / "python")
TAROT = [str(ROOT / ".venv" / "bin" / "tarot"), "serve"]
ADMIN_DSN = "postgresql://postgres@127.0.0.1:5432/test"
BENCH_URL = "postgresql://postgres@127.0.0.1:5432/tarot_bench"
LOG_DIR = Path(tempfile.mkdtemp(prefix="tarot-bench-"))
PROCS: list[subprocess.Popen] = []
# wrk: the same request sequence as loadgen.py; done() prints loadgen-shaped JSON.
WRK_LUA = """
local steps, i = {%s}, 0
request = function()
  i = i + 1
  local s = steps[(i %% #steps) + 1]
  if s[1] == "POST" then
    return wrk.format("POST", s[2], {["Content-Type"] = "application/json"}, %s)
  end
  return wrk.format("GET", s[2])
end
done = function(s, latency, _)
  local errors = s.errors.status + s.errors.connect + s.errors.read + s.errors.write
    + s.errors.timeout
  io.write(string.format('{"requests": %%d, "errors": %%d, "rps": %%.1f, "p50_ms": %%.2f, '
    .. '"p99_ms": %%.2f, "readings": null}\\n', s.requests, errors,
    s.requests / (s.duration / 1e6), latency:percentile(50) / 1e3, latency:percentile(99) / 1e3))
end
"""


@dataclass
class Server:
    """A server we started: its process, port, listening pid and time to ready."""

    proc: subprocess.Popen
    port: int
    pid: int
    startup_s: float

    def rss(self, key: str = "VmRSS") -> float:
        """A memory line of /proc/<pid>/status (VmRSS, VmHWM) in MB (MiB)."""
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return round(int(line.split()[1]) / 1024, 1)
        raise RuntimeError(f"{key} missing for pid {self.pid}")

    def idle_rss(self, seconds: float = 2.0) -> float:
        """RSS after leaving the server alone for a while."""
        time.sleep(seconds)
        return self.rss()


def free_port() -> int:
    """A port the kernel says is free right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def http_status(port: int, path: str) -> int | None:
    """Status of a GET to 127.0.0.1, or None when nothing answers."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
    try:
        conn.request("GET", path)
        return conn.getresponse().status
    except OSError:
        return None
    finally:
        conn.close()


def server_env(port: int, **extra: str) -> dict[str, str]:
    """The caller's environment minus keys and TAROT_* settings, plus the benchmark's own."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TAROT_")}
    env = {k: v for k, v in env.items() if not k.endswith("_API_KEY")}
    env.update(PORT=str(port), DATABASE_URL=BENCH_URL, TAROT_HOST="127.0.0.1")
    env.update(TAROT_LOG_LEVEL="warning", TAROT_LLM_PROVIDERS="offline")
    # Lift the queue and per-client limits: every request comes from one client, 127.0.0.1.
    env.update(TAROT_QUEUE_MAX_PENDING="10000", TAROT_RATE_READINGS_ANONYMOUS="1000000/minute")
    env.update(**extra)
    return env


def launch(name: str, cmd: list[str], **env: str) -> Server:
    """Spawn a server and poll /ready every 10 ms until it answers 200."""
    port = free_port()
    cmd = [part.replace("{port}", str(port)) for part in cmd]
    log = (LOG_DIR / f"{name}.log").open("wb")
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT, env=server_env(port, **env), stdout=log, stderr=log)
    PROCS.append(proc)
    while http_status(port, "/ready") != 200:
        if proc.poll() is not None or time.perf_counter() - t0 > 60:
            raise RuntimeError(f"{name} never got ready; see {log.name}")
        time.sleep(0.01)
    startup = round(time.perf_counter() - t0, 3)
    return Server(proc, port, listening_pid(proc, port), startup)


def listening_pid(proc: subprocess.Popen, port: int) -> int:
    """The pid listening on port: the spawned process or one of its children."""
    parent = psutil.Process(proc.pid)
    for candidate in [parent, *parent.children(recursive=True)]:
        for conn in candidate.net_connections(kind="tcp"):
            if conn.status == psutil.CONN_LISTEN and conn.laddr.port == port:
                return candidate.pid
    return proc.pid


def stop(*procs: subprocess.Popen) -> None:
    """Terminate processes, killing any that linger."""
    for proc in procs:
        if proc.poll() is None:
            proc.terminate()
    for proc in procs:
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def load(server: Server, mix: str, use_wrk: bool, **opts: float) -> tuple[dict, float]:
    """Run a load generator in its own process; (its JSON, highest server RSS sampled)."""
    seconds = opts.get("duration") or 600
    if use_wrk and "duration" in opts:
        steps = ", ".join(f'{{"{method}", "{path}"}}' for _, method, path in plan(mix))
        script = LOG_DIR / f"{mix}.lua"
        script.write_text(WRK_LUA % (steps, json.dumps(READING)))
        cmd = ["wrk", "-t2", f"-c{opts['connections']}", f"-d{int(seconds)}s", "--timeout", "60s"]
        cmd += ["-s", str(script), f"http://127.0.0.1:{server.port}"]
    else:
        cmd = [PYTHON, str(ROOT / "bench" / "loadgen.py"), "--port", str(server.port)]
        cmd += ["--mix", mix, *(f"--{k}={v}" for k, v in opts.items())]
    log = (LOG_DIR / f"loadgen-{mix}.log").open("ab")
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=log, text=True)
    PROCS.append(proc)
    deadline, peak = time.monotonic() + seconds + 60, 0.0
    while proc.poll() is None:
        if time.monotonic() > deadline:
            raise RuntimeError(f"load generator overran: {cmd}")
        peak = max(peak, server.rss())
        time.sleep(0.1)
    lines = [line for line in proc.stdout.read().splitlines() if line.startswith("{")]
    if proc.returncode or not lines:
        raise RuntimeError(f"load generator failed ({proc.returncode}); see {log.name}")
    return json.loads(lines[-1]), peak


async def reset_database() -> None:
    """Drop and recreate the benchmark database."""
    conn = await asyncpg.connect(ADMIN_DSN)
    try:
        await conn.execute("DROP DATABASE IF EXISTS tarot_bench WITH (FORCE)")
        await conn.execute("CREATE DATABASE tarot_bench")
    finally:
        await conn.close()


def machine() -> dict:
    """Where and when the numbers were taken."""
    mem_kb = int(Path("/proc/meminfo").read_text().split()[1])
    try:
        git = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
        ).stdout.strip()
    except OSError:
        git = ""
    return {
        "nproc": os.cpu_count(),
        "ram_mb": mem_kb // 1024,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "git_commit": git or None,
    }


def verdict(ok: bool) -> str:
    """PASS or FAIL."""
    return "PASS" if ok else "**FAIL**"


def table(r: dict) -> list[tuple[str, str, str, str]]:
    """The rows of the results table: metric, target, measured, ratio/verdict."""
    floor, lazy, eager = r["floor"]["idle_rss_mb"], r["lazy"]["idle_rss_mb"], r["eager"]
    ld, on, off, soak = r["load"], r["cache"]["on_rps"], r["cache"]["off_rps"], r["soak"]
    reads = ld["readings"]
    return [
        ("Floor idle RSS (bare stack)", "—", f"{floor} MB", "reference"),
        (
            "Idle RSS (ours, lazy)",
            f"<= floor + 5 MB ({floor + 5:.1f})",
            f"{lazy} MB",
            f"+{lazy - floor:.1f} MB, x{lazy / floor:.2f} {verdict(lazy <= floor + 5)}",
        ),
        (
            "Startup to ready (lazy)",
            "< 1.5 s",
            f"{r['lazy']['startup_s']:.2f} s",
            verdict(r["lazy"]["startup_s"] < 1.5),
        ),
        (
            "Eager / lazy idle RSS",
            ">= 1.4",
            f"{eager['idle_rss_mb']} / {lazy} MB",
            f"x{eager['idle_rss_mb'] / lazy:.2f} {verdict(eager['idle_rss_mb'] / lazy >= 1.4)}",
        ),
        (
            "Startup to ready (eager)",
            "—",
            f"{eager['startup_s']:.2f} s",
            f"x{eager['startup_s'] / r['lazy']['startup_s']:.2f} of lazy",
        ),
        (
            "Peak RSS under load (VmHWM)",
            "<= 100 MB",
            f"{ld['peak_rss_mb']} MB",
            verdict(ld["peak_rss_mb"] <= 100),
        ),
        (
            "Load: rps, errors",
            "—",
            f"{ld['rps']:.0f} rps, {ld['errors']} errors",
            f"{ld['requests']} requests",
        ),
        ("Load: latency p50 / p99", "—", f"{ld['p50_ms']:.1f} / {ld['p99_ms']:.1f} ms", ""),
        (
            "Load: readings POST p50 / p99",
            "—",
            f"{reads['p50_ms']:.1f} / {reads['p99_ms']:.1f} ms" if reads else "n/a (wrk)",
            f"{reads['requests']} readings, {reads['errors']} errors" if reads else "",
        ),
        ("RSS after load", "—", f"{ld['rss_after_mb']} MB", ""),
        (
            "Cached vs uncached rps",
            ">= 5x",
            f"{on:.0f} / {off:.0f} rps",
            f"x{on / off:.1f} {verdict(on / off >= 5)}",
        ),
        (
            f"Soak growth ({soak['baseline_at']} → {soak['requests']} requests)",
            "< 2 MB",
            f"{soak['rss_baseline_mb']} → {soak['rss_end_mb']} MB",
            f"{soak['growth_mb']:+.1f} MB {verdict(soak['growth_mb'] < 2)}",
        ),
    ]


def markdown(rows: list[tuple[str, str, str, str]]) -> str:
    """Rows as a markdown table."""
    lines = ["| metric | target | measured | ratio/verdict |", "|---|---|---|---|"]
    return "\n".join(lines + ["| " + " | ".join(row) + " |" for row in rows])


def bench(quick: bool, use_wrk: bool) -> dict:
    """Every measurement, in order; servers are stopped by the caller's finally."""
    load_s, cache_s, soak_n = (5, 3, 20_000) if quick else (20, 10, 100_000)
    r: dict = {"machine": machine(), "quick": quick, "loadgen": "wrk" if use_wrk else "python"}
    asyncio.run(reset_database())
    prepare = subprocess.run(
        [TAROT[0], "db", "prepare"], cwd=ROOT, env=server_env(0), capture_output=True, text=True
    )
    if prepare.returncode:
        raise RuntimeError(f"tarot db prepare failed:\n{prepare.stderr}")
    # Warm the bytecode and page caches so startup times do not count a first compile.
    subprocess.run([PYTHON, "-c", "import tarot.main"], cwd=ROOT, check=True)

    floor_cmd = [PYTHON, "-m", "uvicorn", "bench.floor_app:app", "--host", "127.0.0.1"]
    floor_cmd += ["--port", "{port}", "--log-level", "warning", "--no-access-log"]
    floor = launch("floor", floor_cmd)
    r["floor"] = {"idle_rss_mb": floor.idle_rss(), "startup_s": floor.startup_s}
    stop(floor.proc)

    ours = launch("lazy", TAROT)
    r["lazy"] = {"idle_rss_mb": ours.idle_rss(), "startup_s": ours.startup_s}
    r["lazy"]["pid_is_spawned_process"] = ours.pid == ours.proc.pid
    eager = launch("eager", TAROT, TAROT_EAGER_IMPORTS="1")
    r["eager"] = {"idle_rss_mb": eager.idle_rss(), "startup_s": eager.startup_s}
    stop(eager.proc)

    result, sampled = load(ours, "mix", use_wrk, connections=50, duration=load_s)
    result.update(peak_rss_mb=ours.rss("VmHWM"), peak_rss_sampled_mb=sampled)
    result["rss_after_mb"] = ours.idle_rss(1.0)
    r["load"] = result
    on, _ = load(ours, "cards", use_wrk, connections=50, duration=cache_s)

    baseline_at = min(10_000, soak_n // 2)
    first, _ = load(ours, "soak", False, connections=50, count=baseline_at)
    baseline = ours.rss()
    rest, _ = load(ours, "soak", False, connections=50, count=soak_n - baseline_at)
    end = ours.rss()
    r["soak"] = {
        "requests": first["requests"] + rest["requests"],
        "errors": first["errors"] + rest["errors"],
        "rps": rest["rps"],
        "baseline_at": baseline_at,
        "rss_baseline_mb": baseline,
        "rss_end_mb": end,
        "growth_mb": round(end - baseline, 1),
    }
    stop(ours.proc)

    uncached = launch("nocache", TAROT, TAROT_CACHE_ENABLED="0")
    off, _ = load(uncached, "cards", use_wrk, connections=50, duration=cache_s)
    stop(uncached.proc)
    r["cache"] = {"on_rps": on["rps"], "off_rps": off["rps"], "on": on, "off": off}
    r["cache"]["ratio"] = round(on["rps"] / off["rps"], 2)
    return r


def main() -> None:
    """Run the benchmark, print the table, write bench/results.json."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="shorter load, cache and soak runs")
    parser.add_argument("--loadgen", choices=("auto", "wrk", "python"), default="auto")
    args = parser.parse_args()
    use_wrk = args.loadgen == "wrk" or (args.loadgen == "auto" and shutil.which("wrk"))
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # so that finally still runs
    try:
        results = bench(args.quick, bool(use_wrk))
    finally:
        stop(*PROCS)
    results["table"] = [
        dict(zip(("metric", "target", "measured", "verdict"), row, strict=True))
        for row in table(results)
    ]
    (ROOT / "bench" / "results.json").write_text(json.dumps(results, indent=2) + "\n")
    m = results["machine"]
    print(
        f"{m['date']}  {m['nproc']} CPUs, {m['ram_mb']} MB RAM, Python {m['python']}, "
        f"commit {m['git_commit']}, loadgen {results['loadgen']}, quick={args.quick}"
    )
    print(markdown(table(results)))
    print(f"\nresults: bench/results.json; server logs: {LOG_DIR}")


if __name__ == "__main__":
    main()
