"""Database outage timings: time to the first 503 with Postgres stopped and frozen, and the
time from restart to the first 200. A throwaway cluster, a real uvicorn, one keep-alive client.

    .venv/bin/python bench/outage.py
"""

from __future__ import annotations

import asyncio
import sys
import time
from pathlib import Path

import asyncpg
import httpx
import servers  # bench/ is sys.path[0] when run as a script

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from fakes.pg_cluster import ThrowawayPostgres
from tarot.config import Settings
from tarot.db.migrate import seed, upgrade
from tarot.db.session import create_database

ASKED = 10


async def timed(http: httpx.AsyncClient, path: str) -> tuple[int, float]:
    began = time.monotonic()
    response = await http.get(path)
    return response.status_code, time.monotonic() - began


async def first(http: httpx.AsyncClient, path: str, status: int, since: float) -> float:
    """Seconds from `since` until `path` answers `status`."""
    while True:
        if (await http.get(path)).status_code == status:
            return time.monotonic() - since
        await asyncio.sleep(0.05)


async def main() -> None:
    pg = ThrowawayPostgres().create()
    try:
        admin = await asyncpg.connect(pg.url)
        await admin.execute('CREATE DATABASE "tarot"')
        await admin.close()
        url = f"postgresql+asyncpg://postgres@127.0.0.1:{pg.port}/tarot"
        await upgrade(url)
        db = create_database(Settings(DATABASE_URL=url))
        async with db.sessionmaker.begin() as session:
            await seed(session)
        await db.dispose()
        server = servers.ours("outage", database_url=url, cpu=None)
        try:
            base_url = f"http://127.0.0.1:{server.port}"
            async with httpx.AsyncClient(base_url=base_url, timeout=60) as http:
                created = await http.post(
                    "/api/v1/readings", json={"question": "Timing?", "spread": "single"}
                )
                path = f"/api/v1/readings/{created.json()['id']}"
                rows = []
                for name, down, up in (
                    ("stopped", pg.stop, pg.start),
                    ("frozen (SIGSTOP)", pg.freeze, pg.thaw),
                ):
                    await first(http, path, 200, time.monotonic())
                    down()
                    answers = [await timed(http, path) for _ in range(ASKED)]
                    began = time.monotonic()
                    up()
                    recovery = await first(http, path, 200, began)
                    rows.append((name, answers, recovery))
        finally:
            servers.stop(server)
        print(f"| database | {ASKED} answers | first / slowest | restart/thaw to first 200 |")
        print("|---|---|---|---|")
        for name, answers, recovery in rows:
            statuses = ",".join(sorted({str(status) for status, _ in answers}))
            slowest = max(seconds for _, seconds in answers)
            times = f"{answers[0][1]:.2f} / {slowest:.2f} s"
            print(f"| {name} | {statuses} | {times} | {recovery:.2f} s |")
    finally:
        pg.destroy()


if __name__ == "__main__":
    asyncio.run(main())
