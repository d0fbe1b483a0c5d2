"""What the languages cost: idle RSS of a real server, then RSS after each language is used.

Run from the repository root: `.venv/bin/python bench/languages.py [--base DIR] [--runs N]`.
`--base DIR` also measures another checkout (e.g. a worktree of `main`) with the same venv,
so the idle rows compare the code alone. Median of N runs (default 3).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import statistics
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from openapi import free_port, get, rss_mb

ROOT = Path(__file__).resolve().parent.parent
TAROT = [str(ROOT / ".venv" / "bin" / "tarot"), "serve"]
ENGLISH = ("/api/v1/cards?limit=100", "/api/v1/spreads", "/api/v1/cards/ar01")
READINGS = {
    "zh-TW": "我應該接受新的工作機會嗎？",  # noqa: RUF001
    "es": "¿Cómo puedo mejorar la relación con mi hermana?",
}


def post_reading(port: int, question: str, language: str) -> int:
    """POST a three-card reading and wait for it; the status code."""
    body = json.dumps({"question": question, "spread": "three-card", "language": language})
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.request(
            "POST", "/api/v1/readings?wait=true", body, {"Content-Type": "application/json"}
        )
        response = conn.getresponse()
        response.read()
        return response.status
    finally:
        conn.close()


@contextmanager
def server(code_root: Path) -> Iterator[tuple[int, int]]:
    """`tarot serve` from `code_root` on a fresh SQLite file, English warmed; (port, pid)."""
    port = free_port()
    workdir = Path(tempfile.mkdtemp(prefix="tarot-languages-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("TAROT_")}
    env.update(
        PORT=str(port),
        PYTHONPATH=str(code_root / "backend"),
        DATABASE_URL=f"sqlite+aiosqlite:///{workdir / 'tarot.db'}",
        TAROT_HOST="127.0.0.1",
        TAROT_LOG_LEVEL="warning",
        TAROT_LLM_PROVIDERS="offline",
        MALLOC_ARENA_MAX="2",
    )
    proc = subprocess.Popen(TAROT, cwd=workdir, env=env, stdout=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if get(port, "/ready")[0] == 200:
                    break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the server never got ready")
            time.sleep(0.05)
        for path in ENGLISH:
            assert get(port, path)[0] == 200
        assert post_reading(port, "What should I focus on this month?", "en") in (200, 201)
        yield port, proc.pid
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def measure(code_root: Path, settle: float) -> dict[str, float]:
    """RSS at idle with English used, then after each language's catalog and reading."""
    with server(code_root) as (port, pid):
        time.sleep(settle)
        rows = {"idle, English used": rss_mb(pid)}
        for language, question in READINGS.items():
            for path in ENGLISH:
                get(port, f"{path}{'&' if '?' in path else '?'}lang={language}")
            time.sleep(settle)
            rows[f"+ {language} catalog"] = rss_mb(pid)
            assert post_reading(port, question, language) in (200, 201)
            time.sleep(settle)
            rows[f"+ {language} reading"] = rss_mb(pid)
        return rows


def measure_idle(code_root: Path, runs: int, settle: float) -> float:
    """Idle RSS of a checkout with English used only (it may know no other language)."""
    values = []
    for _ in range(runs):
        with server(code_root) as (_port, pid):
            time.sleep(settle)
            values.append(rss_mb(pid))
    return round(statistics.median(values), 2)


def main() -> None:
    """Print a markdown table of RSS per step, and the idle difference to `--base`."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", type=Path, help="another checkout to compare idle RSS with")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--settle", type=float, default=2.0)
    args = parser.parse_args()
    samples = [measure(ROOT, args.settle) for _ in range(args.runs)]
    print("| step | RSS MB (median) |\n|---|---|")
    for key in samples[0]:
        print(f"| {key} | {statistics.median(s[key] for s in samples):.2f} |")
    if args.base:
        ours = measure_idle(ROOT, args.runs, args.settle)
        base = measure_idle(args.base, args.runs, args.settle)
        grown = round(ours - base, 2)
        verdict = "PASS" if grown <= 1.0 else "**FAIL**"
        print(f"| idle, this checkout / --base | {ours} / {base} |")
        print(f"| idle growth over --base (target <= 1 MB) | {grown:+} {verdict} |")


if __name__ == "__main__":
    main()
