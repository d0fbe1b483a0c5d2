"""The suite itself: without its Postgres it stops at once with one line saying what to set."""

import os
import socket
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_an_unreachable_test_database_stops_the_suite_in_one_line():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # closed again: nothing listens there
    env = os.environ | {"TAROT_TEST_DATABASE_URL": f"postgresql://postgres@127.0.0.1:{port}/test"}
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    lines = [line for line in (result.stdout + result.stderr).splitlines() if line.strip()]
    assert result.returncode != 0
    assert len(lines) == 1, lines[:20]
    assert "TAROT_TEST_DATABASE_URL" in lines[0] and f"127.0.0.1:{port}" in lines[0]
