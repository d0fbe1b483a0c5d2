"""A server killed mid-generation loses nothing: another instance finishes the reading."""

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time

import httpx
from sqlalchemy import select

from fakes.llm_servers import FakeLLMServer
from tarot.db.models import Reading


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def wait_for(predicate, *, seconds: float, what: str):
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if value := await predicate():
            return value
        await asyncio.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


async def test_sigkill_mid_generation_then_another_instance_finishes(database_urls, make_client):
    reply = "One. Two. Three. Four. Five. Six. Seven. Eight."
    with FakeLLMServer(reply=reply, chunks=8, chunk_delay=0.4) as fake:
        port = free_port()
        env = os.environ | {
            "DATABASE_URL": database_urls["postgres"],
            "TAROT_LLM_PROVIDERS": "gemini,offline",
            "GEMINI_API_KEY": "gm-test",
            "TAROT_GEMINI_BASE_URL": fake.gemini_base_url,
            "TAROT_READING_LEASE_SECONDS": "1",
            "TAROT_LLM_FIRST_CHUNK_TIMEOUT_SECONDS": "5",
        }
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "--factory",
                "tarot.main:create_app",
                "--port",
                str(port),
                "--log-level",
                "warning",
            ],
            env=env,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            async with httpx.AsyncClient(base_url=base, timeout=5) as http:

                async def up():
                    try:
                        return (await http.get("/health")).status_code == 200
                    except httpx.TransportError:
                        return False

                await wait_for(up, seconds=20, what="the server to start")
                created = await http.post(
                    "/api/v1/readings", json={"question": "Will it finish?", "spread": "single"}
                )
                reading_id = created.json()["id"]

                async def partly_written():
                    body = (await http.get(f"/api/v1/readings/{reading_id}")).json()
                    return body["status"] == "running" and body["interpretation"]

                await wait_for(partly_written, seconds=10, what="a partial interpretation")
        finally:
            server.send_signal(signal.SIGKILL)
            server.wait(timeout=10)

        async with make_client(
            "postgres",
            llm_providers="gemini,offline",
            GEMINI_API_KEY="gm-test",
            gemini_base_url=fake.gemini_base_url,
            llm_first_chunk_timeout_seconds=5,
        ) as client:
            orphan = (await client.get(f"/api/v1/readings/{reading_id}")).json()
            assert orphan["status"] == "running", "the killed worker left it mid-way"

            async def finished():
                body = (await client.get(f"/api/v1/readings/{reading_id}")).json()
                return body if body["status"] == "completed" else None

            done = await wait_for(finished, seconds=20, what="the reclaimed reading")
            async with client.app.state.tarot.db.sessionmaker() as session:
                claims = await session.scalar(
                    select(Reading.claims).where(Reading.id == done["id"])
                )
    assert done["provider"] == "gemini"
    assert done["interpretation"] == reply, "regenerated whole, not stitched from the dead run"
    assert claims == 2
