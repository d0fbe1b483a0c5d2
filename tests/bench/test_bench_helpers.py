"""The benchmark's pure helpers: /proc parsing, wrk's script and summary, the report table."""

from __future__ import annotations

import asyncio
import base64
import json
import math
import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
import limit_app
import loadgen
import procfs
import report
import rows as table_rows
import wrk

STATUS = "Name:\tpython\nVmPeak:\t  200000 kB\nVmHWM:\t   90112 kB\nVmRSS:\t   81920 kB\n"
# A command name with spaces and parentheses, as a process may call itself.
STAT = "4242 (uvicorn (w) 1) S 1 4242 4242 0 -1 4194560 9000 0 3 0 250 75 7 8 20 0 3 0"


def test_status_lines_are_read_as_mib() -> None:
    assert procfs.status_mb(STATUS) == 80.0
    assert procfs.status_mb(STATUS, "VmHWM") == 88.0
    with pytest.raises(ValueError, match="VmSwap"):
        procfs.status_mb(STATUS, "VmSwap")


def test_stat_ticks_skip_a_command_name_with_spaces_and_parentheses() -> None:
    assert procfs.stat_ticks(STAT) == 250 + 75  # utime + stime, not cutime/cstime


def test_cpu_seconds_of_this_process_agree_with_os_times() -> None:
    times = os.times()
    measured = procfs.cpu_seconds(os.getpid())
    assert abs(measured - (times.user + times.system)) < 0.05


def test_rss_of_this_process_is_positive() -> None:
    assert procfs.rss_mb(os.getpid()) > 1
    assert procfs.rss_mb(os.getpid(), "VmHWM") >= procfs.rss_mb(os.getpid()) - 0.01


def test_cpu_per_10k_requests() -> None:
    assert procfs.per_10k(2.0, 40_000) == 0.5
    assert math.isnan(procfs.per_10k(1.0, 0))


def test_wrk_script_lists_every_step_and_fills_every_placeholder() -> None:
    body = json.dumps({"question": 'Say "yes"?', "spread": "three-card"})
    lua = wrk.script([("GET", "/api/v1/cards?limit=100"), ("POST", "/api/v1/readings")], body)
    assert '{"GET", "/api/v1/cards?limit=100"}, {"POST", "/api/v1/readings"}' in lua
    assert json.dumps(body) in lua  # a Lua string literal with its quotes escaped
    assert "%(" not in lua and "%%" not in lua
    assert "percentile(99)" in lua and "done = function" in lua


def test_wrk_command_runs_one_thread() -> None:
    cmd = wrk.command(8123, "/tmp/x.lua", connections=50, seconds=10)
    assert cmd[:4] == ["wrk", "-t1", "-c50", "-d10s"]
    assert cmd[-1] == "http://127.0.0.1:8123"


def test_wrk_summary_is_the_json_line_after_wrk_text() -> None:
    output = (
        "Running 10s test @ http://127.0.0.1:8123\n  1 threads and 50 connections\n"
        "  1000 requests in 10.00s, 9.8MB read\nRequests/sec:    100.00\n"
        '{"requests": 1000, "errors": 2, "non_2xx_3xx": 2, "seconds": 10.000, "rps": 100.0, '
        '"p50_ms": 3.100, "p90_ms": 5.000, "p99_ms": 9.900, "max_ms": 20.000}\n'
    )
    result = wrk.parse(output)
    assert (result["requests"], result["errors"], result["p99_ms"]) == (1000, 2, 9.9)
    assert result["readings"] is None
    with pytest.raises(ValueError):
        wrk.parse("Running 10s test\nRequests/sec: 1\n")


def test_loadgen_plans_one_card_and_the_mix() -> None:
    assert loadgen.plan("card") == [("card", "GET", "/api/v1/cards/the-fool")]
    mix = loadgen.plan("mix")
    assert len(mix) == 10 and sum(kind == "reading" for kind, _, _ in mix) == 1


def test_judge_says_met_or_by_how_much_it_missed() -> None:
    assert report.judge(74.0, 75.0, higher=False, unit=" MB") == "met"
    assert report.judge(78.0, 75.0, higher=False, unit=" MB") == "miss by 3.0 MB (4 %)"
    assert report.judge(7000, 6267, higher=True, unit=" rps", digits=0) == "met"
    assert report.judge(5000, 6267, higher=True, unit=" rps", digits=0) == (
        "miss by 1267 rps (20 %)"
    )
    assert report.judge(3, 0, higher=False, digits=0) == "miss by 3"
    assert report.judge(float("nan"), 1, higher=True) == "n/a"
    assert report.judge(2.0, 2, higher=False, unit=" MB", strict=True).startswith("miss by 0 MB")
    assert report.judge(1.99, 2, higher=False, strict=True) == "met"


def test_ratios_are_taken_within_each_round_before_the_median() -> None:
    rounds = [
        {"cards_rps": 100.0, "limit_cards_rps": 200.0},
        {"cards_rps": 300.0, "limit_cards_rps": 300.0},
        {"cards_rps": 90.0, "limit_cards_rps": 100.0},
    ]
    summary = report.summarize(rounds)
    assert summary["cards_vs_limit"]["median"] == 0.9  # of 0.5, 1.0, 0.9
    assert summary["cards_rps"] == {"median": 100.0, "min": 90.0, "max": 300.0, "n": 3}


FULL = {
    "floor_idle_mb": 71.0,
    "idle_mb": 73.5,
    "openapi_mb": 77.0,
    "startup_s": 0.8,
    "idle_xacts": 0.0,
    "cards_rps": 3500.0,
    "limit_cards_rps": 4000.0,
    "cards_cpu_10k": 1.2,
    "limit_cards_cpu_10k": 1.0,
    "card_rps": 7000.0,
    "limit_card_rps": 9000.0,
    "card_cpu_10k": 1.0,
    "limit_card_cpu_10k": 0.9,
    **{
        f"readings_{db}_{key}": value
        for db in ("pg", "sqlite")
        for key, value in (("per_s", 400.0), ("p50_ms", 40.0), ("p99_ms", 120.0))
    },
    "readings_pg_errors": 0.0,
    "readings_sqlite_errors": 0.0,
    "readings_pg_cpu_10k": 20.0,
    "readings_sqlite_cpu_10k": 20.0,
    "login_idle_hwm_mb": 76.0,
    "login_hwm_mb": 95.0,
    "login_p50_ms": 400.0,
    "login_p99_ms": 800.0,
    "login_rounds": 5.0,
    "login_logins": 100.0,
    "login_cpu_10k": 900.0,
    "login_errors": 0.0,
    "login_errors_503": 0.0,
    "login_concurrency": 20.0,
    "mixed_peak_mb": 101.0,
    "mixed_rps": 800.0,
    "mixed_errors": 0.0,
    "mixed_cpu_10k": 9.0,
    "soak_requests": 100_000.0,
    "soak_start_mb": 88.0,
    "soak_end_mb": 88.1,
    "soak_growth_mb": 0.1,
    "soak_cpu_10k": 3.0,
}


def test_the_table_judges_every_row_of_the_issue() -> None:
    rows = {row.metric: row for row in table_rows.table(report.summarize([FULL]))}
    assert rows["Idle RSS, ours on PG"].verdict == "met"
    assert rows["Idle RSS, ours on PG"].ratio == "+2.5 MB over floor"
    assert rows["RSS after /openapi.json, ours on PG"].verdict.startswith("miss by 1.0 MB")
    assert rows["Idle DB transactions per 10 s, ours on PG"].verdict == "met"
    assert rows["Card list rps, ours"].verdict == "met"  # 87.5 % of the limit
    assert rows["Card list rps, ours vs Node"].verdict.startswith("miss by 2767 rps")
    assert rows["Card list CPU s per 10k requests"].ratio == "x1.20 of limit"
    assert rows["One card rps, ours"].verdict.startswith("miss by 622 rps")
    assert rows["Offline reading p99, 20 clients, PG"].verdict.startswith("miss by 20.0 ms")
    assert rows["Offline reading p99, 20 clients, SQLite"].verdict == "met"
    assert rows["Offline readings per s, 20 clients, SQLite"].verdict == "met"
    assert rows["Login burst: VmHWM after 5x20 logins"].verdict == "met"
    assert rows["Mixed load: peak RSS (VmHWM)"].verdict.startswith("miss by 1.0 MB")
    assert rows["Soak: RSS growth over 100000 requests"].verdict == "met"
    table = report.markdown(list(rows.values()))
    assert (
        table.splitlines()[0] == "| metric | target | measured | ratio to floor/limit | verdict |"
    )
    assert len(table.splitlines()) == len(rows) + 2


def test_a_section_left_out_leaves_out_its_rows() -> None:
    rows = table_rows.table(
        report.summarize(
            [{"mixed_peak_mb": 90.0, "mixed_rps": 1.0, "mixed_cpu_10k": 1.0, "mixed_errors": 0.0}]
        )
    )
    assert [row.metric for row in rows] == ["Mixed load: peak RSS (VmHWM)"]


def test_the_limit_app_sends_the_payload_bytes_and_headers(tmp_path: Path) -> None:
    body = b'{"cards": []}'
    file = tmp_path / "payloads.json"
    payload = {"headers": [["ETag", '"abc"'], ["Content-Length", "999"]]}
    payload["body"] = base64.b64encode(body).decode()
    file.write_text(json.dumps({"/api/v1/cards?limit=100": payload}))
    routes = limit_app.load(str(file))

    async def answer(path: str, query: bytes) -> list[dict]:
        sent: list[dict] = []

        async def send(message: dict) -> None:
            sent.append(message)

        scope = {"type": "http", "path": path, "query_string": query}
        await limit_app.app(scope, None, send)
        return sent

    limit_app.ROUTES = routes
    start, content = asyncio.run(answer("/api/v1/cards", b"limit=100"))
    assert start["status"] == 200 and content["body"] == body
    assert (b"etag", b'"abc"') in start["headers"]
    assert (b"content-length", str(len(body)).encode()) in start["headers"]
    assert (b"content-length", b"999") not in start["headers"]
    assert asyncio.run(answer("/api/v1/cards", b""))[0]["status"] == 404
    assert asyncio.run(answer("/ready", b""))[0]["status"] == 200


def test_idle_traffic_counts_new_client_states_and_flags_autovacuum() -> None:
    import dbtraffic

    listen = (11, "client backend", "t0")
    samples = [
        [listen, (12, "client backend", "t1")],
        [listen, (12, "client backend", "t1")],
        [listen, (12, "client backend", "t2")],  # the poller ran one more statement
        [listen, (12, "client backend", "t3"), (13, "autovacuum worker", None)],
    ]
    assert dbtraffic.count_changes(samples) == (2, True)
    assert dbtraffic.count_changes(samples[:2]) == (0, False)
    assert dbtraffic.count_changes([]) == (0, False)


def test_runs_where_the_server_was_short_of_its_core_are_named() -> None:
    summary = report.summarize(
        [{"cards_server_busy": 0.95, "limit_card_server_busy": 0.4, "readings_pg_server_busy": 0.7}]
    )
    assert table_rows.starved(summary) == ["limit_card", "readings_pg"]
