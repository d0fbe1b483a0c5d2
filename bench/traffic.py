"""Load runs: wrk (or bench/loadgen.py) on the load core, the server's CPU and RSS around it."""

from __future__ import annotations

import json
import shutil
import subprocess
import time

import procfs
import servers
import wrk
from loadgen import READING, plan
from servers import LOAD_CPU, PYTHON, ROOT, Server, log_dir, pinned


def have_wrk() -> bool:
    """Whether wrk is on PATH."""
    return shutil.which("wrk") is not None


def load(
    server: Server,
    mix: str,
    *,
    connections: int,
    seconds: float | None = None,
    count: int | None = None,
    use_wrk: bool = False,
) -> dict:
    """One load run; the generator's summary plus server CPU per 10k and peak sampled RSS.

    wrk runs only for timed runs of plain requests: readings need their completion checked
    and the soak counts requests, so those always go through loadgen.py.
    """
    if use_wrk and seconds and mix != "readings":
        script = log_dir() / f"{mix}.lua"
        script.write_text(wrk.script([(m, p) for _, m, p in plan(mix)], READING))
        cmd = wrk.command(server.port, str(script), connections=connections, seconds=int(seconds))
        tool = "wrk"
    else:
        cmd = [PYTHON, str(ROOT / "bench" / "loadgen.py"), "--port", str(server.port)]
        cmd += ["--mix", mix, f"--connections={connections}"]
        cmd += [f"--duration={seconds}"] if seconds else [f"--count={count}"]
        tool = "python"
    log = (log_dir() / f"load-{server.name}-{mix}.log").open("ab")
    cpu_before = server.cpu()
    proc = subprocess.Popen(
        cmd, stdout=subprocess.PIPE, stderr=log, text=True, preexec_fn=pinned(LOAD_CPU)
    )
    servers.PROCS.append(proc)
    began = time.monotonic()
    deadline, peak, generator_cpu = began + (seconds or 600) + 60, 0.0, 0.0
    while proc.poll() is None:
        if time.monotonic() > deadline:
            servers.stop(proc)
            raise RuntimeError(f"load generator overran: {cmd}")
        peak = max(peak, server.rss())
        try:  # the generator's own CPU, last seen alive: was it the bottleneck?
            generator_cpu = procfs.cpu_seconds(proc.pid)
        except (OSError, ValueError, IndexError):
            pass
        time.sleep(0.1)
    elapsed = time.monotonic() - began
    cpu_s = server.cpu() - cpu_before
    output = proc.stdout.read() if proc.stdout else ""
    if proc.returncode:
        raise RuntimeError(f"load generator failed ({proc.returncode}); see {log.name}")
    result = wrk.parse(output) if tool == "wrk" else json.loads(output.strip().splitlines()[-1])
    result.update(tool=tool, server_cpu_s=round(cpu_s, 3), peak_sampled_mb=peak)
    result["cpu_10k"] = procfs.per_10k(cpu_s, result["requests"])
    # Shares of one core: near 1.0 for the server means it was the bottleneck.
    result["server_busy"] = round(cpu_s / elapsed, 2)
    result["loadgen_busy"] = round(generator_cpu / elapsed, 2)
    return result
