"""A small HTTP/1.1 keep-alive load generator on asyncio streams; prints one JSON object.

A reading counts once it is completed: `POST ?wait=true`, then polling its URL if the wait
ended first, so its latency is the client's whole wait for a usable reading.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import time
from collections import Counter

HOST = "127.0.0.1"
CARD_IDS = ("the-fool", "ar01", "cuqu", "the-magician", "swki")
READING = json.dumps({"question": "What should I focus on this week?", "spread": "three-card"})
REQUEST_TIMEOUT = 60.0
POLL_SECONDS = 0.02


def plan(mix: str) -> list[tuple[str, str, str]]:
    """The repeating (kind, method, path) sequence each request is drawn from, in order."""
    cards = ("cards", "GET", "/api/v1/cards?limit=100")
    spreads = ("spreads", "GET", "/api/v1/spreads")
    by_id = [("card", "GET", f"/api/v1/cards/{card_id}") for card_id in CARD_IDS]
    if mix == "cards":
        return [cards]
    if mix == "card":
        return [by_id[0]]
    if mix == "soak":
        return [step for card in by_id for step in (card, spreads)]
    if mix == "readings":
        return [("reading", "POST", "/api/v1/readings?wait=true")]
    # "mix": 10% readings, the rest split between the three cached reads.
    reading = ("reading", "POST", "/api/v1/readings?wait=true")
    gets = [cards, by_id[0], spreads, cards, by_id[1], spreads, cards, by_id[2], spreads]
    return [*gets, reading]


async def call(reader, writer, port: int, method: str, path: str) -> tuple[int, bool]:
    """Send one request and read the whole response; (status, server wants to close, body)."""
    body = READING.encode() if method == "POST" else b""
    head = f"{method} {path} HTTP/1.1\r\nHost: {HOST}:{port}\r\n"
    if body:
        head += f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
    writer.write(head.encode() + b"\r\n" + body)
    status = int((await reader.readline()).split()[1])
    headers = {}
    while (line := await reader.readline()) not in (b"\r\n", b""):
        name, _, value = line.decode("latin-1").partition(":")
        headers[name.strip().lower()] = value.strip().lower()
    chunks = []
    if headers.get("transfer-encoding") == "chunked":
        while size := int((await reader.readline()).split(b";")[0], 16):
            chunks.append((await reader.readexactly(size + 2))[:-2])
        await reader.readline()
    else:
        chunks.append(await reader.readexactly(int(headers.get("content-length", 0))))
    return status, headers.get("connection") == "close", b"".join(chunks)


async def finish_reading(reader, writer, port: int, status: int, body: bytes) -> int:
    """Poll a reading that the wait did not see finish; 200 once completed, 0 if it failed."""
    reading = json.loads(body) if 200 <= status < 300 else {}
    while reading.get("status") in ("pending", "running"):
        await asyncio.sleep(POLL_SECONDS)
        path = f"/api/v1/readings/{reading['id']}"
        status, _, body = await call(reader, writer, port, "GET", path)
        reading = json.loads(body) if status == 200 else {}
    if reading and reading.get("status") != "completed":
        return 0  # failed: not a reading the client can use
    return status


async def worker(args, steps, ticket, deadline: float, stats: dict) -> None:
    """One connection: issue requests until the deadline or the request budget runs out."""
    reader = writer = None
    while time.monotonic() < deadline and next(ticket) < args.count:
        kind, method, path = steps[next(stats["step"]) % len(steps)]
        start = time.perf_counter()
        try:
            if writer is None:
                reader, writer = await asyncio.open_connection(HOST, args.port)
            async with asyncio.timeout(REQUEST_TIMEOUT):
                status, close, body = await call(reader, writer, args.port, method, path)
                if kind == "reading" and not close:
                    status = await finish_reading(reader, writer, args.port, status, body)
        except (
            OSError,
            TimeoutError,
            ValueError,
            IndexError,
            KeyError,
            asyncio.IncompleteReadError,
        ):
            status, close = 0, True  # 0: no HTTP answer (reset, timeout, garbage)
        stats["latency"].setdefault(kind, []).append((time.perf_counter() - start) * 1000)
        if not 200 <= status < 400:
            stats["errors"][str(status)] += 1
            stats["errors_by_kind"][kind] += 1
        if close and writer is not None:
            writer.close()
            reader = writer = None
    if writer is not None:
        writer.close()


def pct(values: list[float], q: float) -> float:
    """The q-quantile of values (nearest rank), rounded to 0.01 ms."""
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 2) if ordered else 0.0


async def run(args) -> dict:
    """Drive the connections and summarise what came back."""
    stats = {"latency": {}, "errors": Counter(), "errors_by_kind": Counter()}
    stats["step"] = itertools.count()
    ticket = itertools.count()
    start = time.monotonic()
    deadline = start + (args.duration or args.max_seconds)
    steps = plan(args.mix)
    await asyncio.gather(
        *(worker(args, steps, ticket, deadline, stats) for _ in range(args.connections))
    )
    elapsed = time.monotonic() - start
    everything = [ms for values in stats["latency"].values() for ms in values]
    readings = stats["latency"].get("reading", [])
    return {
        "mix": args.mix,
        "connections": args.connections,
        "seconds": round(elapsed, 2),
        "requests": len(everything),
        "errors": sum(stats["errors"].values()),
        "errors_by_status": dict(stats["errors"]),
        "rps": round(len(everything) / elapsed, 1),
        "p50_ms": pct(everything, 0.50),
        "p99_ms": pct(everything, 0.99),
        "readings": {
            "requests": len(readings),
            "errors": stats["errors_by_kind"]["reading"],
            "p50_ms": pct(readings, 0.50),
            "p99_ms": pct(readings, 0.99),
        },
    }


def main() -> None:
    """Parse arguments, run, print the JSON summary."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument(
        "--mix", choices=("mix", "cards", "card", "soak", "readings"), default="mix"
    )
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--duration", type=float, default=0, help="seconds (time mode)")
    parser.add_argument("--count", type=int, default=10**9, help="requests (count mode)")
    parser.add_argument("--max-seconds", type=float, default=600, help="cap for count mode")
    print(json.dumps(asyncio.run(run(parser.parse_args()))))


if __name__ == "__main__":
    main()
