"""What the languages cost: idle RSS of a real server, then RSS after each language is used.

Run from the repository root: `.venv/bin/python bench/languages.py [--base DIR] [--runs N]`.
`--base DIR` also measures another checkout (e.g. a worktree of `main`) with the same venv,
so the idle rows compare the code alone. Median of N runs (default 3).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import servers  # bench/ is sys.path[0] when run as a script
from servers import get, post_reading

ROOT = servers.ROOT
ENGLISH = ("/api/v1/cards?limit=100", "/api/v1/spreads", "/api/v1/cards/ar01")
READINGS = {
    "zh-TW": "我應該接受新的工作機會嗎？",  # noqa: RUF001
    "es": "¿Cómo puedo mejorar la relación con mi hermana?",
}


@contextmanager
def server(code_root: Path) -> Iterator[tuple[int, servers.Server]]:
    """`tarot serve` from `code_root` on a fresh SQLite file, English warmed; (port, server)."""
    workdir = Path(tempfile.mkdtemp(prefix="tarot-languages-"))
    started = servers.ours(
        "languages",
        database_url=servers.sqlite_url(workdir),
        cwd=workdir,
        PYTHONPATH=str(code_root / "backend"),
    )
    try:
        for path in ENGLISH:
            assert get(started.port, path)[0] == 200
        assert post_reading(started.port, "What should I focus on this month?") in (200, 201)
        yield started.port, started
    finally:
        servers.stop(started)


def measure(code_root: Path, settle: float) -> dict[str, float]:
    """RSS at idle with English used, then after each language's catalog and reading."""
    with server(code_root) as (port, started):
        time.sleep(settle)
        rows = {"idle, English used": started.rss()}
        for language, question in READINGS.items():
            for path in ENGLISH:
                get(port, f"{path}{'&' if '?' in path else '?'}lang={language}")
            time.sleep(settle)
            rows[f"+ {language} catalog"] = started.rss()
            assert post_reading(port, question, language) in (200, 201)
            time.sleep(settle)
            rows[f"+ {language} reading"] = started.rss()
        return rows


def measure_idle(code_root: Path, runs: int, settle: float) -> float:
    """Idle RSS of a checkout with English used only (it may know no other language)."""
    values = []
    for _ in range(runs):
        with server(code_root) as (_port, started):
            time.sleep(settle)
            values.append(started.rss())
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
