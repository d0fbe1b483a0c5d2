"""The rows of the results table, in the issue's order, each judged against its goal."""

from __future__ import annotations

from collections.abc import Callable

from report import Row, fmt, judge

# tarotapi.dev's Node server, measured once (the figures).
NODE_CARDS_RPS = 2089
NODE_CARDS_CPU_10K = 4.75
NODE_CARD_RPS = 3811
NODE_READINGS_PER_S = 159


def table(s: dict[str, dict[str, float]]) -> list[Row]:
    """Every row whose metrics were measured, in the issue's order."""
    m: Callable[[str], float] = lambda key: s[key]["median"]  # noqa: E731
    has = lambda *keys: all(key in s for key in keys)  # noqa: E731
    rows: list[Row] = []
    if has("floor_idle_mb"):
        rows.append(
            Row(
                "Idle RSS, floor (bare stack, PG)",
                "reference",
                fmt(s["floor_idle_mb"], " MB", 1),
                "",
                "",
            )
        )
    if has("idle_mb", "idle_over_floor"):
        goal = m("floor_idle_mb") + 3
        rows.append(
            Row(
                "Idle RSS, ours on PG",
                f"<= floor + 3 MB ({goal:.1f})",
                fmt(s["idle_mb"], " MB", 1),
                f"{m('idle_over_floor'):+.1f} MB over floor",
                judge(m("idle_over_floor"), 3, higher=False, unit=" MB"),
            )
        )
    if has("openapi_mb", "openapi_over_floor"):
        goal = m("floor_idle_mb") + 5
        rows.append(
            Row(
                "RSS after /openapi.json, ours on PG",
                f"<= floor + 5 MB ({goal:.1f})",
                fmt(s["openapi_mb"], " MB", 1),
                f"{m('openapi_over_floor'):+.1f} MB over floor",
                judge(m("openapi_over_floor"), 5, higher=False, unit=" MB"),
            )
        )
    if has("startup_s"):
        rows.append(Row("Startup to ready, ours on PG", "—", fmt(s["startup_s"], " s", 2), "", ""))
    if has("idle_xacts"):
        rows.append(
            Row(
                "Idle DB transactions per 10 s, ours on PG",
                "0 (beyond LISTEN)",
                fmt(s["idle_xacts"], "", 0),
                _idle_note(s),
                judge(m("idle_xacts"), 0, higher=False, digits=0),
            )
        )
    rows += _catalog_rows(s, m, has)
    for db, p99_goal in (("pg", 100), ("sqlite", 150)):
        rows += _reading_rows(s, m, has, db, p99_goal)
    if has("login_hwm_mb", "login_growth_mb"):
        rows.append(
            Row(
                f"Login burst: VmHWM after {m('login_rounds'):.0f}x"
                f"{m('login_concurrency'):.0f} logins",
                f"<= idle + 20 MB ({m('login_idle_hwm_mb') + 20:.1f})",
                fmt(s["login_hwm_mb"], " MB", 1),
                f"{m('login_growth_mb'):+.1f} MB over idle",
                judge(m("login_growth_mb"), 20, higher=False, unit=" MB"),
            )
        )
        rows.append(
            Row(
                "Login burst: p50 / p99",
                "— (one hash at a time)",
                f"{m('login_p50_ms'):.0f} / {m('login_p99_ms'):.0f} ms",
                f"{m('login_logins'):.0f} logins a round, {m('login_cpu_10k'):.0f} CPU s/10k",
                f"{m('login_errors'):.0f} wrong answers ({m('login_errors_503'):.0f} 503s)",
            )
        )
    if has("mixed_peak_mb"):
        rows.append(
            Row(
                "Mixed load: peak RSS (VmHWM)",
                "<= 100 MB",
                fmt(s["mixed_peak_mb"], " MB", 1),
                f"{m('mixed_rps'):.0f} rps, {m('mixed_cpu_10k'):.2f} CPU s/10k, "
                f"{m('mixed_errors'):.0f} errors",
                judge(m("mixed_peak_mb"), 100, higher=False, unit=" MB"),
            )
        )
    if has("soak_growth_mb"):
        rows.append(
            Row(
                f"Soak: RSS growth over {m('soak_requests'):.0f} requests",
                "< 2 MB",
                fmt(s["soak_growth_mb"], " MB", 2),
                f"{m('soak_start_mb'):.1f} -> {m('soak_end_mb'):.1f} MB, "
                f"{m('soak_cpu_10k'):.2f} CPU s/10k",
                judge(m("soak_growth_mb"), 2, higher=False, unit=" MB", digits=2, strict=True),
            )
        )
    return rows


def _idle_note(s: dict[str, dict[str, float]]) -> str:
    """The second view of idle traffic: statements seen on the server's connections."""
    if "idle_statements_seen" not in s:
        return ""
    note = f"{s['idle_statements_seen']['median']:.0f} statements seen in pg_stat_activity"
    if s.get("idle_autovacuum", {}).get("max"):
        note += "; autovacuum visited a window"
    return note


def _busy(s: dict[str, dict[str, float]], key: str) -> str:
    """How busy the server's and the generator's cores were (1.0 = one whole core)."""
    server, loadgen = s.get(f"{key}_server_busy"), s.get(f"{key}_loadgen_busy")
    if server is None or loadgen is None:
        return ""
    return f"; cores busy: server {server['median']:.2f}, load {loadgen['median']:.2f}"


def _catalog_rows(s, m, has) -> list[Row]:
    """Card list and one card: rps and CPU per 10k against the limit server and Node."""
    rows = []
    if has("cards_rps", "limit_cards_rps", "cards_vs_limit"):
        rows.append(
            Row(
                "Card list rps, limit server (same bytes)",
                "reference",
                fmt(s["limit_cards_rps"], "", 0),
                f"{m('limit_cards_cpu_10k'):.2f} CPU s/10k{_busy(s, 'limit_cards')}",
                "",
            )
        )
        rows.append(
            Row(
                "Card list rps, ours",
                ">= 70 % of limit",
                fmt(s["cards_rps"], "", 0),
                f"x{m('cards_vs_limit'):.2f} of limit{_busy(s, 'cards')}",
                judge(m("cards_vs_limit") * 100, 70, higher=True, unit=" points"),
            )
        )
        rows.append(
            Row(
                "Card list rps, ours vs Node",
                f">= 3 x {NODE_CARDS_RPS} ({3 * NODE_CARDS_RPS})",
                fmt(s["cards_rps"], "", 0),
                f"x{m('cards_rps') / NODE_CARDS_RPS:.2f} of Node",
                judge(m("cards_rps"), 3 * NODE_CARDS_RPS, higher=True, unit=" rps", digits=0),
            )
        )
    if has("cards_cpu_10k"):
        goal = round(NODE_CARDS_CPU_10K / 3, 2)
        ratio = f"x{m('cards_cpu_vs_limit'):.2f} of limit" if has("cards_cpu_vs_limit") else ""
        rows.append(
            Row(
                "Card list CPU s per 10k requests",
                f"<= {NODE_CARDS_CPU_10K} / 3 ({goal})",
                fmt(s["cards_cpu_10k"], " s", 2),
                ratio,
                judge(m("cards_cpu_10k"), goal, higher=False, unit=" s", digits=2),
            )
        )
    if has("card_rps"):
        ratio = (
            f"x{m('card_vs_limit'):.2f} of limit ({m('limit_card_rps'):.0f}){_busy(s, 'card')}"
            if has("card_vs_limit")
            else ""
        )
        rows.append(
            Row(
                "One card rps, ours",
                f">= 2 x {NODE_CARD_RPS} ({2 * NODE_CARD_RPS})",
                fmt(s["card_rps"], "", 0),
                ratio,
                judge(m("card_rps"), 2 * NODE_CARD_RPS, higher=True, unit=" rps", digits=0),
            )
        )
    if has("card_cpu_10k"):
        ratio = f"x{m('card_cpu_vs_limit'):.2f} of limit" if has("card_cpu_vs_limit") else ""
        rows.append(
            Row("One card CPU s per 10k requests", "—", fmt(s["card_cpu_10k"], " s", 2), ratio, "")
        )
    return rows


def _reading_rows(s, m, has, db: str, p99_goal: float) -> list[Row]:
    """Offline readings under 20 clients on one database: p99 and readings per second."""
    key = f"readings_{db}"
    if not has(f"{key}_per_s"):
        return []
    name = "PG" if db == "pg" else "SQLite"
    goal = 2 * NODE_READINGS_PER_S
    return [
        Row(
            f"Offline reading p99, 20 clients, {name}",
            f"<= {p99_goal} ms",
            fmt(s[f"{key}_p99_ms"], " ms", 1),
            f"p50 {m(f'{key}_p50_ms'):.1f} ms, {m(f'{key}_errors'):.0f} errors",
            judge(m(f"{key}_p99_ms"), p99_goal, higher=False, unit=" ms"),
        ),
        Row(
            f"Offline readings per s, 20 clients, {name}",
            f">= 2 x {NODE_READINGS_PER_S} ({goal})",
            fmt(s[f"{key}_per_s"], "", 0),
            f"x{m(f'{key}_per_s') / NODE_READINGS_PER_S:.2f} of Node, "
            f"{m(f'{key}_cpu_10k'):.2f} CPU s/10k{_busy(s, key)}",
            judge(m(f"{key}_per_s"), goal, higher=True, unit="/s", digits=0),
        ),
    ]


def starved(s: dict[str, dict[str, float]], below: float = 0.8) -> list[str]:
    """Load runs whose server got less than `below` of its core while it had work queued."""
    return sorted(
        key.removesuffix("_server_busy")
        for key, stat in s.items()
        if key.endswith("_server_busy") and stat["median"] < below
    )
