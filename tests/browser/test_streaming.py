"""A real Chromium follows an owned reading with its own EventSource, through a dropped line."""

from __future__ import annotations

import json
import re

import httpx
import pytest

from browser.proxy import CuttingProxy
from fakes.llm_servers import FakeLLMServer

REPLY = " ".join(
    f"Sentence {n} of the reading settles one more thought about the path ahead." for n in range(24)
)

FOLLOW = """
(() => {
  const got = window.got = {chunks: [], ids: [], opens: 0, idsAtOpen: [], resets: 0, done: null};
  const source = new EventSource(%s);
  source.onopen = () => { got.opens += 1; got.idsAtOpen.push(got.ids.at(-1) || null); };
  source.addEventListener("chunk", (e) => {
    got.chunks.push(JSON.parse(e.data).text);
    got.ids.push(e.lastEventId);
  });
  source.addEventListener("reset", () => { got.resets += 1; });
  source.addEventListener("done", (e) => { got.done = JSON.parse(e.data); source.close(); });
  return true;
})()
"""


@pytest.fixture(scope="module")
def slow_llm():
    """The OpenAI SDK's fake server, sending the reply in 12 pieces 0.25 s apart."""
    with FakeLLMServer(reply=REPLY, chunks=12, chunk_delay=0.25) as server:
        yield server


@pytest.fixture(scope="module")
def paced_server(start_live_server, slow_llm):
    """A live server whose readings stream for a few seconds (OpenAI SDK -> fake server)."""
    with start_live_server(
        TAROT_LLM_PROVIDERS="openai,offline",
        OPENAI_API_KEY="sk-browser-test-key",
        TAROT_OPENAI_BASE_URL=slow_llm.openai_base_url,
    ) as server:
        yield server


async def _owned_reading(base: str, *, email: str, spread: str = "three-card") -> tuple[dict, dict]:
    """Register, sign in and ask; returns the 202 body and the auth header."""
    account = {"email": email, "password": "a long enough password"}
    async with httpx.AsyncClient(base_url=base) as client:
        (await client.post("/api/v1/auth/register", json=account)).raise_for_status()
        login = (await client.post("/api/v1/auth/login", json=account)).raise_for_status()
        auth = {"Authorization": f"Bearer {login.json()['access_token']}"}
        created = await client.post(
            "/api/v1/readings",
            json={"question": "Where is my work heading?", "spread": spread},
            headers=auth,
        )
    assert created.status_code == 202, created.text
    return created.json(), auth


async def test_event_source_resumes_an_owned_reading_after_the_line_drops(paced_server, page):
    live_port = int(paced_server.url.rsplit(":", 1)[1])
    async with CuttingProxy(live_port, marker=b"event: chunk") as proxy:
        base = f"http://127.0.0.1:{proxy.port}"
        reading, auth = await _owned_reading(base, email="stream@example.com")
        stream_url = reading["stream_url"]
        assert stream_url.startswith(f"{base}/api/v1/readings/{reading['id']}/stream?token=")
        # Without the token (and without a header, as EventSource is) the reading is hidden.
        async with httpx.AsyncClient() as client:
            hidden = await client.get(f"{base}/api/v1/readings/{reading['id']}/stream")
        assert hidden.status_code == 404

        await page.goto(f"{base}/health")
        await page.evaluate(FOLLOW % json.dumps(stream_url))
        got = await page.wait_for("window.got.done && window.got", timeout=60)

    final = httpx.get(f"{paced_server.url}/api/v1/readings/{reading['id']}", headers=auth).json()
    assert final["status"] == "completed" and final["provider"] == "openai"
    assert final["interpretation"] == REPLY
    assert proxy.cuts == 1
    assert got["opens"] == 2, "the browser reconnected by itself once"
    assert got["resets"] == 0
    # Complete and nothing twice: the pieces add up to the stored text exactly.
    assert "".join(got["chunks"]) == REPLY
    assert len(got["chunks"]) >= 2
    resumed_from = got["idsAtOpen"][1]
    assert re.fullmatch(r"\d+-\d+", resumed_from)
    streams = [head for head in proxy.request_heads() if "/stream?token=" in head]
    assert len(streams) == 2
    resumes = [head for head in streams if "last-event-id" in head.lower()]
    assert len(resumes) == 1, "the first request starts fresh, the reconnect resumes"
    assert f"last-event-id: {resumed_from}" in resumes[0].lower()
    # What the browser had before the drop ends exactly where the resume starts.
    before = "".join(got["chunks"][: got["ids"].index(resumed_from) + 1])
    assert len(before) == int(resumed_from.split("-")[1])


async def test_the_stream_token_is_never_logged(paced_server, page):
    reading, _ = await _owned_reading(paced_server.url, email="logs@example.com", spread="single")
    token = reading["stream_url"].split("token=", 1)[1]
    await page.goto(f"{paced_server.url}/health")
    await page.evaluate(FOLLOW % json.dumps(reading["stream_url"]))
    await page.wait_for("window.got.done", timeout=60)
    log = paced_server.log()
    assert "Uvicorn running" in log, "the server's output is captured"
    assert token not in log
    assert "token=" not in log
