"""Reading a process's memory and CPU time from /proc, as the kernel counts them."""

from __future__ import annotations

import os
from pathlib import Path


def status_mb(text: str, key: str = "VmRSS") -> float:
    """A kB line of /proc/<pid>/status (VmRSS, VmHWM) in MiB."""
    for line in text.splitlines():
        if line.startswith(key + ":"):
            return round(int(line.split()[1]) / 1024, 2)
    raise ValueError(f"no {key} line")


def stat_ticks(text: str) -> int:
    """utime + stime, in clock ticks, from the text of /proc/<pid>/stat."""
    # The command name (field 2) may hold spaces and parentheses: split after its last ')'.
    fields = text[text.rindex(")") + 2 :].split()
    return int(fields[11]) + int(fields[12])  # fields 14 and 15 of the whole line


def rss_mb(pid: int, key: str = "VmRSS") -> float:
    """A memory figure of a live process in MiB."""
    return status_mb(Path(f"/proc/{pid}/status").read_text(), key)


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds a process (all its threads) has used so far."""
    ticks = stat_ticks(Path(f"/proc/{pid}/stat").read_text())
    return ticks / os.sysconf("SC_CLK_TCK")


def per_10k(cpu_s: float, requests: int) -> float:
    """CPU seconds per 10,000 requests."""
    return round(cpu_s * 10_000 / requests, 3) if requests else float("nan")
