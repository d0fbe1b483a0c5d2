"""The reader's structured answer and safety class on every reading, whoever writes the prose."""

from __future__ import annotations

import json

import pytest

from fakes.llm_servers import FakeLLMServer

CRISIS = "I don't want to be alive anymore. Will things ever get better?"


async def create(client, question: str, spread: str = "three-card", **body):
    payload = {"question": question, "spread": spread} | body
    response = await client.post("/api/v1/readings", params={"wait": True}, json=payload)
    assert response.status_code == 201, response.text
    return response.json()


async def test_a_yes_no_question_gets_a_lean_and_sections(client):
    reading = await create(client, "Should I take the new job offer?", seed=7)
    answer = reading["answer"]
    assert answer["question_type"] == "yes_no"
    assert answer["lean"] in ("yes", "no", "unclear")
    assert 0 <= answer["strength"] <= 1
    assert set(answer["positions"]) <= {1, 2, 3} and answer["positions"]
    assert answer["summary"] in reading["interpretation"] and answer["advice"]
    assert [s["position_class"] for s in reading["sections"]] == ["past", "present", "future"]
    assert reading["safety_class"] is None


async def test_the_answer_survives_a_reload_and_comes_with_the_done_event(client):
    reading = await create(client, "How can I heal my relationship with my sister?", "celtic-cross")
    again = (await client.get(f"/api/v1/readings/{reading['id']}")).json()
    assert again["answer"] == reading["answer"] and again["sections"] == reading["sections"]
    assert again["answer"]["question_type"] == "how" and again["answer"]["lean"] == "not_applicable"
    async with client.stream("GET", f"/api/v1/readings/{reading['id']}/stream") as stream:
        body = "".join([chunk async for chunk in stream.aiter_text()])
    done = body.split("event: done\n")[1].split("data: ", 1)[1].split("\n\n")[0]
    assert json.loads(done)["answer"] == reading["answer"]


@pytest.mark.parametrize("backend", ["postgres", "sqlite"])
async def test_a_pending_reading_already_has_its_answer(make_client, backend):
    # Queued (not written at once), so the reading is seen before any text exists.
    async with make_client(backend, worker_concurrency=0, reading_inline_offline=False) as client:
        response = await client.post(
            "/api/v1/readings", params={"wait": False}, json={"question": "Will I pass my exams?"}
        )
    assert response.status_code == 202
    assert response.json()["answer"]["question_type"] == "yes_no"
    assert response.json()["written_language"] is None


async def test_a_medical_question_puts_care_first_and_gives_no_verdict(client):
    reading = await create(client, "Will my surgery go well?", seed=3)
    assert reading["safety_class"] == "medical"
    assert reading["answer"]["lean"] == "not_applicable"
    first = reading["interpretation"].split("\n\n")[0].lower()
    assert "doctor" in first


async def test_a_language_the_reader_lacks_is_written_in_english_and_says_so(client):
    reading = await create(client, "What should I focus on?", language="fr")
    assert reading["language"] == "fr"
    assert reading["written_language"] == "en" and reading["language_fallback"] is True


@pytest.mark.parametrize("sdk", ["openai", "gemini"])
async def test_a_crisis_question_never_reaches_an_llm(make_client, sdk):
    with FakeLLMServer(reply="The cards lean towards yes.") as fake:
        settings = {"llm_providers": f"{sdk},offline"}
        if sdk == "openai":
            settings |= {"OPENAI_API_KEY": "sk-test", "openai_base_url": fake.openai_base_url}
        else:
            settings |= {"GEMINI_API_KEY": "gm-test", "gemini_base_url": fake.gemini_base_url}
        async with make_client("postgres", **settings) as client:
            reading = await create(client, CRISIS)
            ordinary = await create(client, "Should I take the new job offer?")
    assert reading["provider"] == "offline"
    assert reading["safety_class"] == "crisis"
    assert reading["answer"]["lean"] == "not_applicable" and reading["answer"]["strength"] == 0
    assert "crisis line" in reading["interpretation"] and "lean" not in reading["interpretation"]
    assert ordinary["provider"] == sdk, "the chain still serves every other question"
    assert len(fake.requests) == 1


async def test_the_crisis_text_is_configurable(make_client):
    text = "Please call the local emergency number or the crisis line listed at example.org."
    async with make_client("sqlite", crisis_text=text) as client:
        reading = await create(client, "我不想活了")
    assert reading["safety_class"] == "crisis"
    assert text in reading["interpretation"]
    assert reading["answer"]["advice"] == text


async def test_an_llm_reading_carries_the_readers_answer(make_client):
    with FakeLLMServer(reply="Some prose.") as fake:
        settings = {"llm_providers": "openai,offline", "OPENAI_API_KEY": "sk-test",
                    "openai_base_url": fake.openai_base_url}  # fmt: skip
        async with make_client("sqlite", **settings) as client:
            reading = await create(client, "Should I stay in Madrid or move to Berlin?", seed=5)
        prompt = json.dumps(fake.requests[0].body)
    assert reading["provider"] == "openai" and reading["interpretation"] == "Some prose."
    assert reading["answer"]["question_type"] == "either_or"
    assert reading["written_language"] == "en" and reading["language_fallback"] is False
    assert "question type: either_or" in prompt
