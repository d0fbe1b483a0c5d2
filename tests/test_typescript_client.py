"""A real TypeScript client: types generated from a live server's /openapi.json, checked, run.

`clients/typescript` pins openapi-typescript, openapi-fetch and typescript in its lockfile;
`.ci/run` installs them from scratch with `npm ci`, and this test does so too when they are
missing. The server is `tarot serve` on SQLite with the offline writer, on a free port.
"""

from __future__ import annotations

import http.client
import json
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CLIENT = ROOT / "clients" / "typescript"
BIN = CLIENT / "node_modules" / ".bin"


def run(*cmd: str | Path, timeout: float = 300) -> str:
    """Run a command in the client folder; fail with its output if it fails."""
    result = subprocess.run(
        [str(part) for part in cmd],
        cwd=CLIENT,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert result.returncode == 0, f"{cmd} failed:\n{result.stdout}\n{result.stderr}"
    return result.stdout


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get(port: int, path: str) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


@pytest.fixture(scope="module")
def node_packages() -> None:
    """The pinned packages, installed from the lockfile when they are not there yet."""
    for tool in ("node", "npm"):
        assert shutil.which(tool), f"{tool} is needed for the TypeScript client check"
    if not (BIN / "openapi-typescript").exists() or not (BIN / "tsc").exists():
        run("npm", "ci", "--no-audit", "--no-fund", timeout=600)


@pytest.fixture(scope="module")
def live_server(tmp_path_factory) -> str:
    """`tarot serve` on a fresh SQLite file; yields its base URL."""
    port = free_port()
    folder = tmp_path_factory.mktemp("ts-server")
    env = {k: v for k, v in os.environ.items() if not k.startswith("TAROT_")}
    env.update(
        PORT=str(port),
        DATABASE_URL=f"sqlite+aiosqlite:///{folder / 'tarot.db'}",
        TAROT_HOST="127.0.0.1",
        TAROT_LLM_PROVIDERS="offline",
        TAROT_LOG_LEVEL="warning",
    )
    env.pop("GEMINI_API_KEY", None)
    env.pop("OPENAI_API_KEY", None)
    log = (folder / "server.log").open("wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "tarot", "serve"], cwd=folder, env=env, stdout=log, stderr=log
    )
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                if get(port, "/ready")[0] == 200:
                    break
            except OSError:
                pass
            assert proc.poll() is None, (folder / "server.log").read_text()
            assert time.monotonic() < deadline, "the server never got ready"
            time.sleep(0.1)
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(timeout=15)


def test_generated_client_type_checks_and_runs_the_main_flow(node_packages, live_server):
    status, document = get(int(live_server.rsplit(":", 1)[1]), "/openapi.json")
    assert status == 200
    (CLIENT / "openapi.json").write_bytes(document)
    # A field with a default is optional to send, so it must not be required in request types.
    generate = ("openapi.json", "-o", "src/schema.d.ts", "--default-non-nullable=false")
    run(BIN / "openapi-typescript", *generate)
    schema = (CLIENT / "src" / "schema.d.ts").read_text()
    for operation in ("listCards", "getCard", "createReading", "getReading", "streamReading"):
        assert f"{operation}: {{" in schema, operation
    shutil.rmtree(CLIENT / "dist", ignore_errors=True)
    run(BIN / "tsc", "-p", ".")  # type-checks; noEmitOnError keeps dist empty on an error
    output = run("node", "dist/flow.js", live_server, timeout=120)
    report = json.loads(output.strip().splitlines()[-1])
    assert report["cards"] == 78
    assert report["streamed"] > 200
