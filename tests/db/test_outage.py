"""A real server over a real Postgres that is stopped, frozen and restarted under it.

Every database-backed answer during the outage is a 503 problem+json with Retry-After, on
the same keep-alive connection (no reset); the server recovers by itself once Postgres is
back, and no accepted reading is lost or written twice.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator

import asyncpg
import httpx
import pytest

from fakes.app_server import AppServer
from fakes.llm_servers import FakeLLMServer
from fakes.pg_cluster import ThrowawayPostgres
from tarot.config import Settings
from tarot.db.migrate import seed, upgrade
from tarot.db.session import create_database

PROBLEM = "application/problem+json"
REPLY = " ".join(f"Line {n} of a reading that outlives an outage." for n in range(12))


@pytest.fixture(scope="module")
async def cluster() -> ThrowawayPostgres:
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
        yield pg
    finally:
        pg.destroy()


@pytest.fixture(scope="module")
def gemini() -> Iterator[FakeLLMServer]:
    # 6 s per reading: long enough that all four are mid-stream together on a loaded machine.
    with FakeLLMServer(reply=REPLY, chunks=12, chunk_delay=0.5) as server:
        yield server


@pytest.fixture
def server(cluster, gemini, tmp_path) -> Iterator[AppServer]:
    gemini.reset()
    env = {
        "DATABASE_URL": f"postgresql://postgres@127.0.0.1:{cluster.port}/tarot",
        "TAROT_LLM_PROVIDERS": "gemini,offline",
        "GEMINI_API_KEY": "gm-test",
        "TAROT_GEMINI_BASE_URL": gemini.gemini_base_url,
        "TAROT_LLM_FIRST_CHUNK_TIMEOUT_SECONDS": "5",
        "TAROT_QUEUE_SWEEP_SECONDS": "0.2",
        "TAROT_RATE_READINGS_ANONYMOUS": "10000/minute",
    }
    with AppServer(env=env, log_path=tmp_path / "server.log") as app:
        yield app


async def ask(http: httpx.AsyncClient, method: str, path: str, **options):
    """The response and the local address of the connection that carried it."""
    response = await http.request(method, path, **options)
    return response, response.extensions["network_stream"].get_extra_info("client_addr")


def assert_outage_answer(response: httpx.Response) -> None:
    assert response.status_code == 503, response.text
    assert response.headers["content-type"] == PROBLEM
    assert int(response.headers["retry-after"]) > 0
    assert response.json()["status"] == 503
    assert "connection" not in response.headers or response.headers["connection"] != "close"


async def until_ok(http, method, path, *, address, seconds=30, **options) -> httpx.Response:
    """Ask again until it succeeds; every answer meanwhile is an outage answer on `address`."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        response, used = await ask(http, method, path, **options)
        assert used == address, "the keep-alive connection was dropped"
        if response.status_code < 500:
            return response
        assert_outage_answer(response)
        await asyncio.sleep(0.2)
    raise AssertionError(f"{path} did not recover")


def client(server: AppServer) -> httpx.AsyncClient:
    # One connection only, so a reset would show as a new local address (or an error).
    limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
    return httpx.AsyncClient(base_url=server.base_url, timeout=15, limits=limits)


DB_ROUTES = [
    ("GET", "/ready", {}),
    ("GET", "/api/v1/readings/{id}", {}),
    ("GET", "/api/v1/readings", {"params": {"ids": "{id}"}}),
    ("POST", "/api/v1/readings", {"json": {"question": "Now?", "spread": "single"}}),
]


def routes(reading_id: str):
    for method, path, options in DB_ROUTES:
        options = {
            key: {k: v.replace("{id}", reading_id) for k, v in value.items()}
            for key, value in options.items()
        }
        yield method, path.replace("{id}", reading_id), options


async def test_stopped_then_restarted_database(cluster, server):
    async with client(server) as http:
        created, address = await ask(
            http, "POST", "/api/v1/readings", json={"question": "Before?", "spread": "single"}
        )
        reading_id = created.json()["id"]
        cluster.stop()
        try:
            for method, path, options in routes(reading_id):
                response, used = await ask(http, method, path, **options)
                assert_outage_answer(response)
                assert used == address, f"{method} {path}: the connection was dropped"
        finally:
            cluster.start()
        await until_ok(http, "GET", f"/api/v1/readings/{reading_id}", address=address)
        after, used = await ask(
            http,
            "POST",
            "/api/v1/readings",
            params={"wait": True},
            json={"question": "After?", "spread": "single"},
        )
        assert after.status_code == 201 and after.json()["status"] == "completed"
        assert used == address
        await wait_for_log(server, "reading workers resume")
    log = server.log()
    assert log.count("reading workers back off") == 1, log
    assert log.count("reading workers resume") == 1, log
    assert "Traceback" not in log, log


async def test_frozen_database(cluster, server):
    async with client(server) as http:
        created, address = await ask(
            http, "POST", "/api/v1/readings", json={"question": "Frozen?", "spread": "single"}
        )
        reading_id = created.json()["id"]
        await until_ok(http, "GET", f"/api/v1/readings/{reading_id}", address=address)
        cluster.freeze()
        try:
            for method, path, options in routes(reading_id):
                response, used = await ask(http, method, path, **options)
                assert_outage_answer(response)
                assert used == address, f"{method} {path}: the connection was dropped"
        finally:
            cluster.thaw()
        recovered = await until_ok(http, "GET", f"/api/v1/readings/{reading_id}", address=address)
    assert recovered.status_code == 200
    assert "Traceback" not in server.log(), server.log()


async def test_readings_in_flight_survive_a_restart_and_are_written_once(cluster, server, gemini):
    async with client(server) as http:
        ids = []
        for n in range(4):
            body = {"question": f"In flight {n}?", "spread": "single"}
            ids.append((await http.post("/api/v1/readings", json=body)).json()["id"])

        async def all_writing() -> bool:
            # Mid-generation: one reading at least has text saved, and none has finished yet
            # (on a loaded machine the four workers don't always start within one poll).
            bodies = [(await http.get(f"/api/v1/readings/{rid}")).json() for rid in ids]
            unfinished = all(body["status"] in ("pending", "running") for body in bodies)
            return unfinished and any(
                body["status"] == "running" and body["interpretation"] for body in bodies
            )

        end = time.monotonic() + 30
        while not (writing := await all_writing()) and time.monotonic() < end:
            await asyncio.sleep(0.1)
        assert writing, "the outage must hit readings mid-generation"
        cluster.stop()
        await asyncio.sleep(1.5)  # the providers keep streaming while progress saves fail
        cluster.start()
        address = (await ask(http, "GET", "/health"))[1]
        finished = []
        for reading_id in ids:
            for _ in range(300):
                response = await until_ok(
                    http, "GET", f"/api/v1/readings/{reading_id}", address=address
                )
                if response.json()["status"] in ("completed", "failed"):
                    finished.append(response.json())
                    break
                await asyncio.sleep(0.1)
    assert [reading["status"] for reading in finished] == ["completed"] * 4, server.log()
    assert all(reading["interpretation"] == REPLY for reading in finished)
    assert all(reading["provider"] == "gemini" for reading in finished)
    assert len(gemini.requests) == 4, "no reading was abandoned and written a second time"
    log = server.log()
    assert log.count("reading workers back off") == 1, log
    assert "Traceback" not in log, log


async def wait_for_log(server: AppServer, text: str, seconds: float = 20) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if text in server.log():
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"{text!r} never logged:\n{server.log()}")
