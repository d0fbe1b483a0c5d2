"""Real servers in subprocesses for the benchmarks: ours (PG or SQLite), the floor, the limit.

Each server is pinned to one core and the load generator to the other (on a 2+ CPU machine),
so a server's rps is what one core gives, and the generator never steals from it.
"""

from __future__ import annotations

import asyncio
import base64
import http.client
import json
import os
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import asyncpg
import procfs
import psutil

ROOT = Path(__file__).resolve().parent.parent
PYTHON = str(ROOT / ".venv" / "bin" / "python")
TAROT = [str(ROOT / ".venv" / "bin" / "tarot"), "serve"]
ADMIN_DSN = "postgresql://postgres@127.0.0.1:5432/test"
PG_DATABASE = "tarot_bench"
PG_URL = f"postgresql://postgres@127.0.0.1:5432/{PG_DATABASE}"
PROCS: list[subprocess.Popen] = []
UVICORN = ["-m", "uvicorn", "--host", "127.0.0.1", "--port", "{port}"]
UVICORN += ["--log-level", "warning", "--no-access-log"]
UVICORN += ["--http", "httptools", "--loop", "asyncio"]  # as `tarot serve` and the Procfile run


def cores() -> tuple[int | None, int | None]:
    """(server core, load-generator core), or (None, None) on a single-CPU machine."""
    allowed = sorted(os.sched_getaffinity(0))
    return (allowed[0], allowed[1]) if len(allowed) >= 2 else (None, None)


SERVER_CPU, LOAD_CPU = cores()


@cache
def log_dir() -> Path:
    """One temporary folder per run for server and load-generator output."""
    return Path(tempfile.mkdtemp(prefix="tarot-bench-"))


def pinned(cpu: int | None):
    """A preexec_fn that pins the child (and every thread it starts) to one core."""
    if cpu is None:
        return None
    return lambda: os.sched_setaffinity(0, {cpu})


@dataclass
class Server:
    """A server we started: its process, port, listening pid and time to ready."""

    name: str
    proc: subprocess.Popen
    port: int
    pid: int
    startup_s: float

    def rss(self, key: str = "VmRSS") -> float:
        """VmRSS (or VmHWM) of the listening process in MiB."""
        return procfs.rss_mb(self.pid, key)

    def idle_rss(self, seconds: float = 2.0) -> float:
        """RSS after leaving the server alone for a while."""
        time.sleep(seconds)
        return self.rss()

    def cpu(self) -> float:
        """CPU seconds the listening process has used so far."""
        return procfs.cpu_seconds(self.pid)


def free_port() -> int:
    """A port the kernel says is free right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def request(
    port: int, method: str, path: str, body: bytes | None = None, timeout: float = 60
) -> tuple[int, list[tuple[str, str]], bytes]:
    """Status, headers and body of one request to 127.0.0.1 on a fresh connection."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        headers = {"Content-Type": "application/json"} if body is not None else {}
        conn.request(method, path, body, headers)
        response = conn.getresponse()
        return response.status, response.getheaders(), response.read()
    finally:
        conn.close()


def get(port: int, path: str) -> tuple[int, bytes]:
    """Status and body of a GET."""
    status, _, body = request(port, "GET", path)
    return status, body


def post_reading(port: int, question: str, language: str = "en") -> int:
    """POST a three-card reading, waiting for it; the status code."""
    body = json.dumps({"question": question, "spread": "three-card", "language": language})
    return request(port, "POST", "/api/v1/readings?wait=true", body.encode())[0]


def sqlite_url(folder: Path | None = None) -> str:
    """A fresh SQLite file in its own temporary folder."""
    folder = folder or Path(tempfile.mkdtemp(prefix="tarot-bench-sqlite-"))
    return f"sqlite+aiosqlite:///{folder / 'tarot.db'}"


def server_env(port: int, database_url: str = PG_URL, **extra: str) -> dict[str, str]:
    """The caller's environment minus keys and TAROT_* settings, plus the benchmark's own."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TAROT_")}
    env = {k: v for k, v in env.items() if not k.endswith("_API_KEY")}
    env.update(PORT=str(port), DATABASE_URL=database_url, TAROT_HOST="127.0.0.1")
    env.update(TAROT_LOG_LEVEL="warning", TAROT_LLM_PROVIDERS="offline")
    env.update(MALLOC_ARENA_MAX="2")  # as the Procfile and zeabur.json deploy it
    # Lift the queue and per-client limits: every request comes from one client, 127.0.0.1.
    env.update(TAROT_QUEUE_MAX_PENDING="10000", TAROT_RATE_READINGS_ANONYMOUS="1000000/minute")
    env.update(extra)
    return env


def launch(
    name: str,
    cmd: list[str],
    *,
    database_url: str = PG_URL,
    cwd: Path = ROOT,
    cpu: int | None = SERVER_CPU,
    **env: str,
) -> Server:
    """Spawn a server pinned to `cpu` and poll /ready every 10 ms until it answers 200."""
    port = free_port()
    cmd = [part.replace("{port}", str(port)) for part in cmd]
    log = (log_dir() / f"{name}.log").open("ab")
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        cmd,
        cwd=cwd,
        env=server_env(port, database_url, **env),
        stdout=log,
        stderr=log,
        preexec_fn=pinned(cpu),  # only sched_setaffinity runs between fork and exec
    )
    PROCS.append(proc)
    while _status(port, "/ready") != 200:
        if proc.poll() is not None or time.perf_counter() - t0 > 60:
            stop(proc)
            raise RuntimeError(f"{name} never got ready; see {log.name}")
        time.sleep(0.01)
    startup = round(time.perf_counter() - t0, 3)
    return Server(name, proc, port, listening_pid(proc, port), startup)


def _status(port: int, path: str) -> int | None:
    """Status of a GET, or None when nothing answers yet."""
    try:
        return request(port, "GET", path, timeout=2)[0]
    except OSError:
        return None


def listening_pid(proc: subprocess.Popen, port: int) -> int:
    """The pid listening on port: the spawned process or one of its children."""
    parent = psutil.Process(proc.pid)
    for candidate in [parent, *parent.children(recursive=True)]:
        for conn in candidate.net_connections(kind="tcp"):
            if conn.status == psutil.CONN_LISTEN and conn.laddr.port == port:
                return candidate.pid
    return proc.pid


def ours(name: str, *, database_url: str = PG_URL, **options) -> Server:
    """`tarot serve` (uvicorn in the same process); options are launch()'s cwd, cpu or env."""
    return launch(name, TAROT, database_url=database_url, **options)


def floor() -> Server:
    """The bare stack: uvicorn + FastAPI + an async engine holding one Postgres connection."""
    return launch("floor", [PYTHON, *UVICORN, "bench.floor_app:app"])


def limit(port_of_ours: int, paths: list[str]) -> Server:
    """A bare uvicorn ASGI app answering `paths` with the bytes and headers ours sends."""
    payloads = {}
    for path in paths:
        status, headers, body = request(port_of_ours, "GET", path)
        if status != 200:
            raise RuntimeError(f"{path} answered {status}")
        kept = [(k, v) for k, v in headers if k.lower() not in ("date", "server")]
        payloads[path] = {"headers": kept, "body": base64.b64encode(body).decode()}
    file = log_dir() / "limit-payloads.json"
    file.write_text(json.dumps(payloads))
    return launch("limit", [PYTHON, *UVICORN, "bench.limit_app:app"], LIMIT_PAYLOADS=str(file))


def stop(*procs: subprocess.Popen | Server) -> None:
    """Terminate servers or processes, killing any that linger."""
    plain = [p.proc if isinstance(p, Server) else p for p in procs]
    for proc in plain:
        if proc.poll() is None:
            proc.terminate()
    for proc in plain:
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def stop_all() -> None:
    """Stop everything this run started."""
    stop(*PROCS)


def reset_database(name: str = PG_DATABASE) -> None:
    """Drop and recreate a Postgres database."""

    async def reset() -> None:
        conn = await asyncpg.connect(ADMIN_DSN)
        try:
            await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            await conn.execute(f'CREATE DATABASE "{name}"')
        finally:
            await conn.close()

    asyncio.run(reset())


def prepare(database_url: str = PG_URL, **env: str) -> None:
    """`tarot db prepare`: migrate and seed, in a child so the servers start on a ready schema."""
    done = subprocess.run(
        [TAROT[0], "db", "prepare"],
        cwd=ROOT,
        env=server_env(0, database_url, **env),
        capture_output=True,
        text=True,
    )
    if done.returncode:
        raise RuntimeError(f"tarot db prepare failed:\n{done.stderr}")
