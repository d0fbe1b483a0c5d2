"""The SSE route follows a running reading live, chunk by chunk, from the worker's memory."""

from api.test_readings import parse_sse
from fakes.llm_servers import FakeLLMServer
from tarot.services.pipeline import writer as queue_module


async def test_a_follower_gets_chunks_while_the_reading_is_running(make_client, monkeypatch):
    # No progress saves until the end: any chunk seen while running came over the live path.
    monkeypatch.setattr(queue_module, "FLUSH_SECONDS", 3600)
    reply = "One piece. Two pieces. Three pieces. Four pieces. Five pieces. Six pieces."
    with FakeLLMServer(reply=reply, chunks=6, chunk_delay=0.3) as fake:
        settings = {
            "llm_providers": "openai",
            "OPENAI_API_KEY": "sk-test",
            "openai_base_url": fake.openai_base_url,
            "llm_first_chunk_timeout_seconds": 10,
        }
        async with make_client("postgres", **settings) as client:
            body = {"question": "Is it live?", "spread": "single"}
            reading = (await client.post("/api/v1/readings", json=body)).json()
            url = f"/api/v1/readings/{reading['id']}/stream"
            async with client.stream("GET", url) as response:
                events = parse_sse((await response.aread()).decode())
    status = None
    chunks_while_running = []
    for event in events:
        if event.get("event") == "status":
            status = event["data"]["status"]
        elif event.get("event") == "chunk" and status == "running":
            chunks_while_running.append(event["data"]["text"])
    assert status == "completed"
    assert len(chunks_while_running) >= 2, events
    assert "".join(e["data"]["text"] for e in events if e.get("event") == "chunk") == reply
