"""SIGTERM under load: no new claims, running readings handed back, streams told to reconnect."""

import asyncio
import signal
import subprocess

import httpx
from sqlalchemy import select

from fakes.app_server import AppServer
from fakes.llm_servers import FakeLLMServer
from tarot.db.models import Reading


async def test_sigterm_hands_work_back_and_exits_with_an_sse_client_open(
    database_urls, make_client, tmp_path
):
    reply = " ".join(f"Sentence {n} of a slow reading." for n in range(20))
    with FakeLLMServer(reply=reply, chunks=20, chunk_delay=0.5) as fake:
        env = {
            "DATABASE_URL": database_urls["postgres"],
            "TAROT_LLM_PROVIDERS": "gemini,offline",
            "GEMINI_API_KEY": "gm-test",
            "TAROT_GEMINI_BASE_URL": fake.gemini_base_url,
            "TAROT_WORKER_CONCURRENCY": "1",
            "TAROT_LLM_FIRST_CHUNK_TIMEOUT_SECONDS": "5",
            "TAROT_QUEUE_SWEEP_SECONDS": "0.2",
        }
        server = AppServer(env=env, log_path=tmp_path / "server.log").start()
        try:
            async with httpx.AsyncClient(base_url=server.base_url, timeout=20) as http:
                ids = []
                for n in range(3):
                    body = {"question": f"Will it wait {n}?", "spread": "single"}
                    ids.append((await http.post("/api/v1/readings", json=body)).json()["id"])
                frames: list[str] = []
                first_chunk = asyncio.Event()

                async def follow() -> None:
                    async with http.stream("GET", f"/api/v1/readings/{ids[0]}/stream") as stream:
                        async for line in stream.aiter_lines():
                            frames.append(line)
                            if line.startswith("event: chunk"):
                                first_chunk.set()

                follower = asyncio.create_task(follow())
                await asyncio.wait_for(first_chunk.wait(), timeout=20)
                server.terminate()
                await asyncio.wait_for(follower, timeout=10)
                exit_code = await asyncio.to_thread(server.process.wait, 10)
        except (TimeoutError, subprocess.TimeoutExpired):
            raise AssertionError(f"no clean stop within 10 s:\n{server.log()}") from None
        finally:
            server.stop()
        requests_made = len(fake.requests)

    # uvicorn re-raises the SIGTERM it handled once it has shut down, as a shell expects.
    assert exit_code in (0, -signal.SIGTERM), server.log()
    assert any(line.startswith("retry:") for line in frames), frames
    async with make_client(
        "postgres", worker_concurrency=0, reading_inline_offline=False
    ) as client:
        async with client.app.state.tarot.db.sessionmaker() as session:
            rows = {str(r.id): r for r in await session.scalars(select(Reading))}
    running, *waiting = (rows[reading_id] for reading_id in ids)
    assert running.status == "pending", "handed back, not left running until its lease ends"
    assert running.lease_until is None and running.claims == 1
    assert all(row.status == "pending" and row.claims == 0 for row in waiting), "no new claims"
    assert requests_made == 1
