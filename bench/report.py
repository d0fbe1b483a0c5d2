"""The results table: medians over rounds, each row judged against its goal."""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass

# Ours against a bare uvicorn sending the same bytes, computed per round (side by side).
RATIOS = {
    "cards_vs_limit": ("cards_rps", "limit_cards_rps"),
    "cards_cpu_vs_limit": ("cards_cpu_10k", "limit_cards_cpu_10k"),
    "card_vs_limit": ("card_rps", "limit_card_rps"),
    "card_cpu_vs_limit": ("card_cpu_10k", "limit_card_cpu_10k"),
}
DIFFERENCES = {
    "idle_over_floor": ("idle_mb", "floor_idle_mb"),
    "openapi_over_floor": ("openapi_mb", "floor_idle_mb"),
    "login_growth_mb": ("login_hwm_mb", "login_idle_hwm_mb"),
}


@dataclass(frozen=True)
class Row:
    """One line of the table."""

    metric: str
    target: str
    measured: str
    ratio: str
    verdict: str


def derive(metrics: dict[str, float]) -> dict[str, float]:
    """One round's metrics plus the ratios and differences computed within that round."""
    out = dict(metrics)
    for key, (a, b) in RATIOS.items():
        if a in out and b in out and out[b]:
            out[key] = out[a] / out[b]
    for key, (a, b) in DIFFERENCES.items():
        if a in out and b in out:
            out[key] = out[a] - out[b]
    return out


def summarize(rounds: list[dict[str, float]]) -> dict[str, dict[str, float]]:
    """Median, min and max of every metric over the rounds that have it."""
    derived = [derive(r) for r in rounds]
    keys = {key for r in derived for key in r}
    out = {}
    for key in sorted(keys):
        values = [r[key] for r in derived if key in r and not math.isnan(r[key])]
        if values:
            out[key] = {
                "median": statistics.median(values),
                "min": min(values),
                "max": max(values),
                "n": len(values),
            }
    return out


def judge(
    measured: float,
    goal: float,
    *,
    higher: bool,
    unit: str = "",
    digits: int = 1,
    strict: bool = False,
) -> str:
    """'met', or 'miss by' the gap to the goal, with the gap as a share of the goal."""
    if math.isnan(measured):
        return "n/a"
    if strict and measured == goal:
        return f"miss by 0{unit} (at the limit)"
    if (measured >= goal) if higher else (measured <= goal):
        return "met"
    gap = goal - measured if higher else measured - goal
    share = f" ({gap / goal * 100:.0f} %)" if goal else ""
    return f"miss by {gap:.{digits}f}{unit}{share}"


def fmt(stat: dict[str, float], unit: str, digits: int) -> str:
    """The median with its unit, and the range when there was more than one round."""
    text = f"{stat['median']:.{digits}f}{unit}"
    if stat["n"] > 1:
        text += f" ({stat['min']:.{digits}f} .. {stat['max']:.{digits}f})"
    return text


def markdown(rows: list[Row]) -> str:
    """Rows as a markdown table."""
    lines = [
        "| metric | target | measured | ratio to floor/limit | verdict |",
        "|---|---|---|---|---|",
    ]
    return "\n".join(
        lines
        + [f"| {r.metric} | {r.target} | {r.measured} | {r.ratio} | {r.verdict} |" for r in rows]
    )
