"""Readings through the HTTP API in zh-TW and Spanish: written natively, honest fields, safety."""

from __future__ import annotations

import json
import re
import unicodedata

import pytest

from fakes.llm_servers import FakeLLMServer
from tarot.llm.reader import data as reader_data

JOB_ZH = "我應該接受新的工作機會嗎？"  # noqa: RUF001
SISTER_ES = "¿Cómo puedo mejorar la relación con mi hermana?"
CRISIS = {
    "en": "I don't want to be alive anymore. Will things ever get better?",
    "zh-TW": "我不想活了，事情還會好起來嗎？",  # noqa: RUF001
    "es": "No quiero vivir más, ¿va a mejorar algo?",
}
ENGLISH_WORDS = re.compile(r"\b(the|and|your|you|this|with|what)\b", re.I)
SPANISH_WORDS = re.compile(r"\b(el|la|los|las|de|que|tu|con|para|una?)\b", re.I)


async def create(client, question: str, language: str, spread: str = "three-card", **body):
    payload = {"question": question, "spread": spread, "language": language} | body
    response = await client.post("/api/v1/readings", params={"wait": True}, json=payload)
    assert response.status_code == 201, response.text
    return response.json()


def cjk_share(text: str) -> float:
    """The share of CJK ideographs among the letters of a text."""
    letters = [char for char in text if unicodedata.category(char).startswith("L")]
    cjk = [char for char in letters if "\u4e00" <= char <= "\u9fff" or "\u3400" <= char <= "\u4dbf"]
    return len(cjk) / max(1, len(letters))


async def catalog_names(client, reading: dict, language: str) -> list[str]:
    names = []
    for card in reading["cards"]:
        response = await client.get(f"/api/v1/cards/{card['card_id']}", params={"lang": language})
        names.append(response.json()["name"])
    return names


async def test_a_zh_tw_reading_is_chinese_with_the_chinese_card_names(client):
    reading = await create(client, JOB_ZH, "zh-TW", seed=17)
    text = reading["interpretation"]
    assert cjk_share(text) >= 0.7, text
    names = await catalog_names(client, reading, "zh-TW")
    assert all(name in text for name in names), (names, text)
    assert [card["name"] for card in reading["cards"]] == names
    assert reading["cards"][0]["position_name"] == reading["sections"][0]["position_name"]
    assert cjk_share(reading["cards"][0]["position_name"]) == 1.0
    assert reading["language"] == "zh-TW"
    assert reading["written_language"] == "zh-TW" and reading["language_fallback"] is False
    assert reading["answer"]["question_type"] == "yes_no"
    assert "，" in text and "。" in text and " " not in text.replace("\n", "")  # noqa: RUF001


@pytest.mark.parametrize("tag", ["zh-Hant", "zh"])
async def test_other_chinese_tags_are_written_in_zh_tw(pg_client, tag):
    reading = await create(pg_client, JOB_ZH, tag, seed=4)
    assert cjk_share(reading["interpretation"]) >= 0.7
    assert reading["language"] == tag and reading["language_fallback"] is False


async def test_a_spanish_request_gets_spanish(client):
    reading = await create(client, SISTER_ES, "es", seed=17)
    text = reading["interpretation"]
    names = await catalog_names(client, reading, "es")
    lowered = text.lower()
    assert all(name.lower() in lowered for name in names), (names, text)
    words = re.findall(r"\w+", text)
    assert len(SPANISH_WORDS.findall(text)) > 0.15 * len(words)
    assert len(ENGLISH_WORDS.findall(text)) < 0.01 * len(words)
    assert reading["written_language"] == "es" and reading["language_fallback"] is False
    assert reading["answer"]["question_type"] == "how"
    assert "¿" in text or "«" in text or "“" in text  # the question is quoted as Spanish does


async def test_french_comes_back_in_english_and_says_so(client):
    reading = await create(client, "Dois-je accepter ce nouveau travail ?", "fr", seed=2)
    assert reading["language"] == "fr"
    assert reading["written_language"] == "en" and reading["language_fallback"] is True
    assert reading["cards"][0]["name"] == (await catalog_names(client, reading, "en"))[0]
    assert len(ENGLISH_WORDS.findall(reading["interpretation"])) > 10


@pytest.mark.parametrize("language", ["en", "zh-TW", "es"])
async def test_the_crisis_question_gets_the_safe_answer_in_each_language(client, language):
    reading = await create(client, CRISIS[language], language, seed=2)
    assert reading["safety_class"] == "crisis"
    assert reading["answer"]["lean"] == "not_applicable" and reading["answer"]["strength"] == 0
    care = reader_data.phrases(language)["slots"]["safety.crisis.care"]
    assert any(line in reading["interpretation"] for line in care)
    assert reading["written_language"] == language
    verdicts = [*reader_data.phrases(language)["slots"]["answer.yes.strong"]]
    verdicts += reader_data.phrases(language)["slots"]["answer.no.strong"]
    assert not any(line[:12] in reading["interpretation"] for line in verdicts)


async def test_an_llm_gets_the_localized_names_and_writes_in_the_language(make_client):
    with FakeLLMServer(reply="這是一段中文解讀。") as fake:
        settings = {"llm_providers": "openai,offline", "OPENAI_API_KEY": "sk-test",
                    "openai_base_url": fake.openai_base_url}  # fmt: skip
        async with make_client("postgres", **settings) as client:
            reading = await create(client, JOB_ZH, "zh-TW", seed=17)
            names = await catalog_names(client, reading, "zh-TW")
            english = await catalog_names(client, reading, "en")
            spread = (await client.get("/api/v1/spreads/three-card?lang=zh-TW")).json()
        prompt = json.dumps(fake.requests[0].body, ensure_ascii=False)
    assert reading["provider"] == "openai" and reading["interpretation"] == "這是一段中文解讀。"
    assert reading["written_language"] == "zh-TW" and reading["language_fallback"] is False
    assert all(f"Card: {name} ({en};" in prompt for name, en in zip(names, english, strict=True))
    assert all(place["name"] in prompt for place in spread["positions"])
    assert "Traditional Chinese" in prompt
    assert f"Spread: {spread['name']}" in prompt
