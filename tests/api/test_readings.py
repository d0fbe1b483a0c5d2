"""Reading routes with the offline writer, on Postgres and SQLite."""

import asyncio
import json
import uuid

import pytest

PROBLEM = "application/problem+json"


def parse_sse(raw: str) -> list[dict]:
    """Split an SSE body into events: {event, id, data} (comments become {comment})."""
    events = []
    for block in raw.split("\n\n"):
        if not block.strip():
            continue
        if block.startswith(":"):
            events.append({"comment": block[1:].strip()})
            continue
        event: dict = {"data": ""}
        for line in block.split("\n"):
            field, _, value = line.partition(": ")
            event[field] = event.get("data", "") + value if field == "data" else value
        event["data"] = json.loads(event["data"]) if event["data"] else None
        events.append(event)
    return events


async def create(client, wait=True, **body):
    payload = {"question": "What should I focus on this month?", "spread": "three-card"} | body
    return await client.post("/api/v1/readings", params={"wait": wait}, json=payload)


async def test_wait_returns_completed_offline_reading(client):
    response = await create(client, spread="celtic-cross")
    assert response.status_code == 201
    reading = response.json()
    assert response.headers["location"].endswith(f"/api/v1/readings/{reading['id']}")
    assert reading["status"] == "completed"
    assert reading["provider"] == "offline" and reading["model"]
    assert [card["position"] for card in reading["cards"]] == list(range(1, 11))
    assert len({card["card_id"] for card in reading["cards"]}) == 10
    assert reading["attempts"][-1]["provider"] == "offline"
    assert reading["attempts"][-1]["outcome"] == "ok"
    text = reading["interpretation"].lower()
    for card, section in zip(reading["cards"], reading["sections"], strict=True):
        assert card["name"].lower().removeprefix("the ") in text
        assert section["position_name"] == card["position_name"]
        assert (
            section["card_id"] == card["card_id"] and section["text"] in reading["interpretation"]
        )
    assert reading["answer"]["question_type"] == "how"
    assert reading["answer"]["summary"] in reading["interpretation"]
    assert reading["safety_class"] is None
    assert reading["written_language"] == "en" and reading["language_fallback"] is False
    assert reading["completed_at"] >= reading["created_at"]


async def test_without_wait_is_accepted_then_completes(client):
    response = await create(client, wait=False)
    assert response.status_code == 202
    reading = response.json()
    assert reading["status"] in ("pending", "running", "completed")
    assert len(reading["cards"]) == 3
    for _ in range(100):
        polled = (await client.get(f"/api/v1/readings/{reading['id']}")).json()
        if polled["status"] == "completed":
            break
        await asyncio.sleep(0.05)
    assert polled["status"] == "completed"
    assert polled["cards"] == reading["cards"], "the draw is fixed when the reading is stored"


async def test_seeded_draw_is_reproducible(client):
    first = (await create(client, seed=1234, wait=False)).json()
    second = (await create(client, seed=1234, wait=False)).json()
    other = (await create(client, seed=1235, wait=False)).json()
    assert first["cards"] == second["cards"]
    assert first["cards"] != other["cards"]
    upright = (await create(client, seed=1234, reversals=False, wait=False)).json()
    assert not any(card["reversed"] for card in upright["cards"])


async def test_stream_replays_and_resumes(client):
    reading = (await create(client)).json()
    async with client.stream("GET", f"/api/v1/readings/{reading['id']}/stream") as response:
        assert response.headers["content-type"].startswith("text/event-stream")
        events = parse_sse((await response.aread()).decode())
    kinds = [event.get("event") for event in events]
    assert kinds[0] == "status" and kinds[-1] == "done"
    chunks = [event for event in events if event.get("event") == "chunk"]
    assert "".join(chunk["data"]["text"] for chunk in chunks) == reading["interpretation"]
    assert events[-1]["data"]["provider"] == "offline"

    [last_chunk] = chunks[-1:]
    generation, _, length = last_chunk["id"].partition("-")
    assert int(length) == len(reading["interpretation"])
    resume_at = len(reading["interpretation"]) // 2
    async with client.stream(
        "GET",
        f"/api/v1/readings/{reading['id']}/stream",
        headers={"Last-Event-ID": f"{generation}-{resume_at}"},
    ) as response:
        resumed = parse_sse((await response.aread()).decode())
    text = "".join(e["data"]["text"] for e in resumed if e.get("event") == "chunk")
    assert text == reading["interpretation"][resume_at:]
    assert "reset" not in [e.get("event") for e in resumed]


async def test_resume_from_an_older_generation_starts_over(client):
    reading = (await create(client)).json()
    async with client.stream(
        "GET",
        f"/api/v1/readings/{reading['id']}/stream",
        headers={"Last-Event-ID": "7-40"},  # text a dead worker had written
    ) as response:
        events = parse_sse((await response.aread()).decode())
    kinds = [e.get("event") for e in events]
    assert kinds.index("reset") < kinds.index("chunk")
    text = "".join(e["data"]["text"] for e in events if e.get("event") == "chunk")
    assert text == reading["interpretation"], "the whole text of the current generation"


async def test_stream_follows_a_reading_live(client):
    reading = (await create(client, wait=False, spread="horseshoe")).json()
    async with client.stream("GET", f"/api/v1/readings/{reading['id']}/stream") as response:
        events = parse_sse((await response.aread()).decode())
    statuses = [e["data"]["status"] for e in events if e.get("event") == "status"]
    assert statuses[-1] == "completed"
    final = (await client.get(f"/api/v1/readings/{reading['id']}")).json()
    chunks = [e for e in events if e.get("event") == "chunk"]
    assert "".join(e["data"]["text"] for e in chunks) == final["interpretation"]
    lengths = [int(e["id"].partition("-")[2]) for e in chunks]
    assert lengths == sorted(lengths)


async def test_history_newest_first_and_paginated(client):
    ids = [
        (await create(client, wait=False, question=f"question {n}")).json()["id"] for n in range(3)
    ]
    stranger = (await create(client, wait=False)).json()["id"]
    page = (await client.get("/api/v1/readings", params={"ids": ids, "limit": 2})).json()
    assert page["total"] == 3
    assert [item["id"] for item in page["items"]] == [ids[2], ids[1]]
    rest = (
        await client.get("/api/v1/readings", params={"ids": ids, "limit": 2, "offset": 2})
    ).json()
    assert [item["id"] for item in rest["items"]] == [ids[0]]
    assert stranger not in {item["id"] for item in page["items"] + rest["items"]}
    assert (await client.get("/api/v1/readings")).json()["total"] == 0


async def test_delete(client):
    reading = (await create(client)).json()
    assert (await client.delete(f"/api/v1/readings/{reading['id']}")).status_code == 204
    assert (await client.get(f"/api/v1/readings/{reading['id']}")).status_code == 404
    assert (await client.delete(f"/api/v1/readings/{reading['id']}")).status_code == 404


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"spread": "pentagram"}, 404),
        ({"question": ""}, 422),
        ({"question": "x" * 501}, 422),
        ({"question": "\x00\x01\x02"}, 422),
        ({"seed": -1}, 422),
        ({"seed": "lucky"}, 422),
        ({"seed": 2**64}, 422),
        ({"seed": True}, 422),  # lax pydantic read these as 1 and 2
        ({"seed": 2.0}, 422),
        ({"seed": "7"}, 422),
        ({"language": "english please"}, 422),
        ({"reversals": "sometimes"}, 422),
        ({"unexpected": 1}, 422),
    ],
)
async def test_bad_input_is_problem_json(pg_client, body, status):
    response = await create(pg_client, wait=False, **body)
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM
    assert response.json()["status"] == status
    assert response.json()["detail"]


async def test_malformed_body_is_422(pg_client):
    response = await pg_client.post(
        "/api/v1/readings", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert response.status_code == 422
    assert response.headers["content-type"] == PROBLEM


async def test_unknown_or_malformed_reading_id(pg_client):
    missing = await pg_client.get(f"/api/v1/readings/{uuid.uuid4()}")
    assert missing.status_code == 404 and missing.headers["content-type"] == PROBLEM
    garbled = await pg_client.get("/api/v1/readings/not-a-uuid")
    assert garbled.status_code == 422 and garbled.headers["content-type"] == PROBLEM
    stream = await pg_client.get(f"/api/v1/readings/{uuid.uuid4()}/stream")
    assert stream.status_code == 404


async def test_an_unusable_last_event_id_restarts_the_stream(pg_client):
    # A browser's EventSource gives up for good on any non-200, so a bad id must not be a 422.
    reading = (await create(pg_client)).json()
    async with pg_client.stream("GET", f"/api/v1/readings/{reading['id']}/stream") as response:
        [last] = [e for e in parse_sse((await response.aread()).decode()) if "id" in e][-1:]
    generation, _, whole = last["id"].partition("-")
    past_the_end = f"{generation}-{int(whole) + 1}"  # the right generation, too much text
    for bad in ("12", "abc", "1-\u00b2", "-5", "1-2-3", "x" * 500, past_the_end):
        async with pg_client.stream(
            "GET",
            f"/api/v1/readings/{reading['id']}/stream",
            headers={"Last-Event-ID": bad.encode()},  # UTF-8 bytes, as a client may send
        ) as response:
            assert response.status_code == 200, bad
            events = parse_sse((await response.aread()).decode())
        kinds = [event.get("event") for event in events]
        assert kinds[0] == "reset", bad
        text = "".join(e["data"]["text"] for e in events if e.get("event") == "chunk")
        assert text == reading["interpretation"], bad
        assert kinds[-1] == "done", bad


async def test_question_control_characters_are_stripped(pg_client):
    reading = (await create(pg_client, question="Will\x00 it\x1b[31m rain?\n")).json()
    assert reading["question"] == "Will it[31m rain?"


async def test_backpressure_answers_503_with_retry_after(make_client):
    async with make_client(
        "postgres", worker_concurrency=0, reading_inline_offline=False, queue_max_pending=2
    ) as client:
        assert (await create(client, wait=False)).status_code == 202
        assert (await create(client, wait=False)).status_code == 202
        refused = await create(client, wait=False)
        assert refused.status_code == 503
        assert refused.headers["retry-after"].isdigit()
        assert refused.headers["content-type"] == PROBLEM
        assert (await client.get("/api/v1/cards/ar00")).status_code == 200


@pytest.mark.parametrize("backend", ["postgres", "sqlite"])
async def test_the_pending_cap_is_exact_under_concurrency(make_client, backend):
    async with make_client(
        backend, worker_concurrency=0, reading_inline_offline=False, queue_max_pending=20
    ) as client:
        answers = await asyncio.gather(*(create(client, wait=False) for _ in range(45)))
        codes = [answer.status_code for answer in answers]
        assert codes.count(202) == 20, codes
        assert codes.count(503) == 25, codes
        listed = await client.get(
            "/api/v1/readings",
            params={"ids": [a.json()["id"] for a in answers if a.status_code == 202]},
        )
        assert listed.json()["total"] == 20


async def test_wait_is_bounded(make_client):
    async with make_client(
        "postgres", worker_concurrency=0, reading_inline_offline=False, reading_wait_seconds=0.3
    ) as client:
        response = await create(client, wait=True)
        assert response.status_code == 202
        assert response.json()["status"] == "pending"
