"""Deploy check: a clean copy, zeabur.json's build, then its start command and the Procfile's.

Everything happens in a temporary directory outside the checkout: the copy of the tracked
files is built non-editable into a fresh venv, the copy is deleted, and each start command
runs from an empty directory, with `PORT` and a `postgres://` `DATABASE_URL` (as Zeabur sets
them) pointing at a fresh database. It passes when `/ready` answers 200 and the catalog is
seeded; anything else fails loudly with the server's output.

Usage: python3 .ci/deploy_check.py [postgres-server-url]   (standard library only)
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
READY_SECONDS = 120


def fail(message: str) -> None:
    print(f"DEPLOY CHECK FAILED: {message}", file=sys.stderr)
    sys.exit(1)


def copy_sources(target: Path) -> None:
    """Tracked and new (not ignored) files, as a clone would have them; symlinks stay links."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout.split(b"\0")
    for name in filter(None, (entry.decode() for entry in listed)):
        source, dest = ROOT / name, target / name
        if not source.exists() and not source.is_symlink():
            continue  # deleted in the working tree
        dest.parent.mkdir(parents=True, exist_ok=True)
        if source.is_symlink():
            dest.symlink_to(os.readlink(source))
        else:
            shutil.copy2(source, dest)


def clean_env(venv: Path, **extra: str) -> dict[str, str]:
    """The caller's environment minus every tarot or database setting, with the venv first."""
    keep = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("TAROT_")
        and key not in ("DATABASE_URL", "PORT", "VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME")
    }
    path = f"{venv / 'bin'}{os.pathsep}{keep.get('PATH', '/usr/bin:/bin')}"
    return keep | {"PATH": path, "VIRTUAL_ENV": str(venv)} | extra


def run_sql(venv: Path, server_url: str, statement: str) -> None:
    """Run one statement on the server's maintenance database with the venv's asyncpg."""
    script = (
        "import asyncio, sys, asyncpg\n"
        "async def main():\n"
        "    conn = await asyncpg.connect(sys.argv[1], timeout=5)\n"
        "    await conn.execute(sys.argv[2])\n"
        "    await conn.close()\n"
        "asyncio.run(main())\n"
    )
    python = str(venv / "bin" / "python")
    subprocess.run([python, "-c", script, server_url, statement], check=True, env=clean_env(venv))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - our own server
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def serve_until_ready(label: str, command: str, *, venv: Path, env: dict, workdir: Path) -> None:
    """Run a start command literally under bash and wait for /ready 200, then stop it."""
    print(f"-- {label}: {command}", flush=True)
    log_path = workdir / f"{label.replace(' ', '-')}.log"
    with log_path.open("wb") as log:
        server = subprocess.Popen(  # the platform runs this line in a shell too
            ["bash", "-c", command],
            cwd=workdir,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    base = f"http://127.0.0.1:{env['PORT']}"
    try:
        deadline, status = time.monotonic() + READY_SECONDS, None
        while time.monotonic() < deadline and server.poll() is None:
            try:
                status, _ = get(f"{base}/ready")
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                status = None
            if status == 200:
                break
            time.sleep(0.5)
        if status != 200:
            output = log_path.read_text(errors="replace")[-4000:]
            fail(f"{label} never answered /ready 200 (last {status}); its output:\n{output}")
        _, body = get(f"{base}/api/v1/cards?limit=1")
        if json.loads(body).get("total") != 78:
            fail(f"{label} is ready but the catalog is not seeded: {body[:200]!r}")
        print(f"-- {label}: /ready 200, 78 cards", flush=True)
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
                server.wait()


def main() -> None:
    server_url = (sys.argv[1:] or ["postgresql://postgres@127.0.0.1:5432/postgres"])[0]
    server_url = server_url.replace("postgresql+asyncpg://", "postgresql://", 1)
    zeabur = json.loads((ROOT / "zeabur.json").read_text())
    procfile = (ROOT / "Procfile").read_text().splitlines()
    [web] = [line.removeprefix("web:").strip() for line in procfile if line.startswith("web:")]
    with tempfile.TemporaryDirectory(prefix="tarot-deploy-") as temp:
        temp_dir = Path(temp)
        source, venv, workdir = temp_dir / "source", temp_dir / "venv", temp_dir / "run"
        copy_sources(source)
        workdir.mkdir()
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        print(f"-- build: {zeabur['build_command']}", flush=True)
        built = subprocess.run(
            ["bash", "-c", zeabur["build_command"]],
            cwd=source,
            env=clean_env(venv),
            capture_output=True,
            text=True,
            check=False,
        )
        if built.returncode != 0:
            fail(f"the build exited {built.returncode}:\n{(built.stdout + built.stderr)[-4000:]}")
        shutil.rmtree(source)  # the installed package must not need the source tree
        base = server_url.rpartition("/")[0].removeprefix("postgresql://")
        for label, command in (
            ("zeabur start_command", zeabur["start_command"]),
            ("Procfile", web),
        ):
            database = f"tarot_deploy_{uuid.uuid4().hex[:10]}"
            run_sql(venv, server_url, f'CREATE DATABASE "{database}"')
            try:
                env = clean_env(
                    venv,
                    PORT=str(free_port()),
                    DATABASE_URL=f"postgres://{base}/{database}",
                    TAROT_SECRET_KEY=uuid.uuid4().hex + uuid.uuid4().hex,
                    **zeabur.get("env", {}),
                )
                serve_until_ready(label, command, venv=venv, env=env, workdir=workdir)
            finally:
                run_sql(venv, server_url, f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
    print("deploy check passed")


if __name__ == "__main__":
    main()
