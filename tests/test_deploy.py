"""The Procfile and zeabur.json say what they should, and the real command serves."""

import json
import os
import shlex
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]


def procfile_web() -> str:
    lines = (ROOT / "Procfile").read_text().splitlines()
    [web] = [line.removeprefix("web:").strip() for line in lines if line.startswith("web:")]
    return web


def test_procfile_and_zeabur_agree_and_say_why():
    web = procfile_web()
    zeabur = json.loads((ROOT / "zeabur.json").read_text())
    assert zeabur["start_command"] == web
    assert zeabur["health_check"]["path"] == "/health"
    assert "pip install" in zeabur["build_command"]
    words = shlex.split(web.replace("&&", " && "))
    assert "MALLOC_ARENA_MAX=2" in words
    assert words.index("prepare") < words.index("uvicorn"), "migrations run first"
    assert words[words.index("--workers") + 1] == "1"
    assert "--proxy-headers" in words and "--forwarded-allow-ips" in words
    assert words[words.index("--http") + 1] == "httptools", "the C parser: twice h11's rps"
    assert words[words.index("--loop") + 1] == "asyncio", "uvloop costs 2.2 MB for no rps"
    assert '"${PORT:-8000}"' in web
    assert "--no-access-log" in words, "access logs would record the stream_url tokens"


def test_the_procfile_command_serves_until_ready(tmp_path):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("TAROT_") and key not in ("DATABASE_URL", "PORT")
    } | {
        "PORT": str(port),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'deploy.db'}",
        "TAROT_SECRET_KEY": "deploy-test-secret-key-0123456789-abcdef",
        "TAROT_ENV": "production",
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
    }
    server = subprocess.Popen(  # noqa: S602 - the Procfile line is a shell command by design
        procfile_web(), shell=True, env=env, cwd=tmp_path, start_new_session=True
    )
    try:
        deadline = time.monotonic() + 60
        ready = None
        while time.monotonic() < deadline and server.poll() is None:
            try:
                ready = httpx.get(f"http://127.0.0.1:{port}/ready", timeout=1)
                if ready.status_code == 200:
                    break
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        assert ready is not None and ready.status_code == 200, "never became ready"
        cards = httpx.get(f"http://127.0.0.1:{port}/api/v1/cards", params={"limit": 100})
        assert cards.json()["total"] == 78, "the command migrated and seeded"
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=20)
