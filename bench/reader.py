"""How long the offline reader takes to write one reading, by spread (CPU only, no I/O).

Run from the repository root: `.venv/bin/python bench/reader.py`. Data files are loaded and
each spread warmed up first; the figure is the time of `write()` for a prepared context, which
is what a worker spends per offline reading (the target is under 1 ms). CPU time of the
thread is reported beside wall time, because on a busy machine wall time mostly measures
waiting for a core.
"""

from __future__ import annotations

import statistics
import sys
import time

from tarot.llm.reader.compose import write
from tarot.llm.reader.sample import context, spreads

QUESTIONS = (
    "Should I take the new job offer?",
    "How can I heal my relationship with my sister?",
    "Should I stay in Madrid or move to Berlin?",
    "When will I meet someone special?",
    "What should I focus on this month?",
)
ROUNDS = 400


def measure(spread: str, language: str) -> tuple[list[float], list[float]]:
    """CPU and wall milliseconds per reading over ROUNDS seeded readings of one spread."""
    contexts = [
        context(QUESTIONS[i % len(QUESTIONS)], spread, seed=i, language=language)
        for i in range(ROUNDS)
    ]
    for item in contexts[:20]:  # warm-up: data loads, caches fill
        write(item)
    cpu, wall = [], []
    for item in contexts:
        started, began = time.thread_time(), time.perf_counter()
        write(item)
        cpu.append((time.thread_time() - started) * 1000)
        wall.append((time.perf_counter() - began) * 1000)
    return sorted(cpu), sorted(wall)


def main() -> None:
    """Print a markdown table of CPU p50 / p99 and wall p50 / p99 per spread."""
    language = sys.argv[1] if len(sys.argv) > 1 else "en"
    print(f"| spread ({language}) | cards | CPU p50 / p99 ms | wall p50 / p99 ms | target |")
    print("|---|---|---|---|---|")
    for slug, spread in spreads().items():
        cpu, wall = measure(slug, language)
        p99 = int(len(cpu) * 0.99) - 1
        verdict = "PASS" if cpu[p99] < 1.0 else "**FAIL**"
        print(
            f"| {slug} | {len(spread['positions'])} | {statistics.median(cpu):.3f} / "
            f"{cpu[p99]:.3f} | {statistics.median(wall):.3f} / {wall[p99]:.3f} | "
            f"CPU p99 < 1 ms {verdict} |"
        )


if __name__ == "__main__":
    main()
