"""The catalog in English, Traditional Chinese and Spanish, by `?lang=` or Accept-Language."""

import pytest

from tarot.data import translations
from tarot.data.translations import loaded_languages


def _names(page: dict) -> dict[str, str]:
    return {card["id"]: card["name"] for card in page["items"]}


async def test_cards_in_traditional_chinese(client):
    response = await client.get("/api/v1/cards", params={"lang": "zh-TW", "limit": 100})
    assert response.status_code == 200
    assert response.headers["content-language"] == "zh-TW"
    assert "Accept-Language" in response.headers["vary"]
    names = _names(response.json())
    assert names["the-fool"] == "愚者"
    assert names["wheel-of-fortune"] == "命運之輪"
    assert names["ace-of-cups"] == "聖杯王牌"
    assert names["knight-of-pentacles"] == "錢幣騎士"
    fool = response.json()["items"][0]
    assert fool["code"] == "ar00"  # codes, slugs and images do not change
    assert fool["image_url"].endswith("/the-fool.svg")
    cjk = sum("\u4e00" <= char <= "\u9fff" for char in fool["meaning_upright"])
    assert cjk > 0.7 * len(fool["meaning_upright"])


@pytest.mark.parametrize(
    ("header", "expected", "fool"),
    [
        ("zh-TW", "zh-TW", "愚者"),
        ("zh-Hant", "zh-TW", "愚者"),
        ("zh", "zh-TW", "愚者"),
        ("es-MX,es;q=0.9", "es", "El Loco"),
        ("fr;q=1, es;q=0.8, zh-TW;q=0.5", "es", "El Loco"),
        ("de, zh-TW;q=0.2, es;q=0", "zh-TW", "愚者"),
        ("fr-CA, de", "en", "The Fool"),
        ("*", "en", "The Fool"),
        ("", "en", "The Fool"),
    ],
)
async def test_accept_language_is_negotiated_by_q_value(pg_client, header, expected, fool):
    response = await pg_client.get("/api/v1/cards/the-fool", headers={"Accept-Language": header})
    assert response.status_code == 200
    assert response.headers["content-language"] == expected
    assert response.json()["name"] == fool
    assert "Accept-Language" in response.headers["vary"]


async def test_lang_query_wins_and_unknown_is_english(pg_client):
    chosen = await pg_client.get(
        "/api/v1/cards/ar01", params={"lang": "es"}, headers={"Accept-Language": "zh-TW"}
    )
    assert chosen.json()["name"] == "El Mago"
    french = await pg_client.get("/api/v1/cards/ar01", params={"lang": "fr"})
    assert french.headers["content-language"] == "en"
    assert french.json()["name"] == "The Magician"
    bad = await pg_client.get("/api/v1/cards/ar01", params={"lang": "<script>"})
    assert bad.status_code == 422
    assert bad.headers["content-type"].startswith("application/problem+json")


async def test_each_language_has_its_own_etag_and_304(client):
    english = await client.get("/api/v1/cards", params={"limit": 100})
    chinese = await client.get("/api/v1/cards", params={"limit": 100, "lang": "zh-TW"})
    spanish = await client.get("/api/v1/cards", params={"limit": 100, "lang": "es"})
    etags = {r.headers["etag"] for r in (english, chinese, spanish)}
    assert len(etags) == 3
    assert [c["id"] for c in chinese.json()["items"]] == [c["id"] for c in english.json()["items"]]
    again = await client.get(
        "/api/v1/cards",
        params={"limit": 100},
        headers={"Accept-Language": "zh-TW", "If-None-Match": chinese.headers["etag"]},
    )
    assert again.status_code == 304
    assert "Accept-Language" in again.headers["vary"]
    other = await client.get(
        "/api/v1/cards", params={"limit": 100}, headers={"If-None-Match": chinese.headers["etag"]}
    )
    assert other.status_code == 200
    assert other.json()["items"][0]["name"] == "The Fool"


async def test_filters_and_search_work_in_the_language(client):
    cups = await client.get("/api/v1/cards", params={"lang": "zh-TW", "suit": "cups"})
    page = cups.json()
    assert page["total"] == 14
    assert all(card["name"].startswith("聖杯") for card in page["items"])
    found = await client.get("/api/v1/cards", params={"lang": "zh-TW", "q": "聖杯", "limit": 100})
    ids = {card["id"] for card in found.json()["items"]}
    assert {"ace-of-cups", "king-of-cups"} <= ids
    spanish = await client.get("/api/v1/cards", params={"lang": "es", "q": "espadas"})
    assert "ace-of-swords" in {card["id"] for card in spanish.json()["items"]}
    majors = await client.get("/api/v1/cards", params={"lang": "es", "arcana": "major", "limit": 5})
    assert majors.json()["total"] == 22
    assert [card["name"] for card in majors.json()["items"]][:2] == ["El Loco", "El Mago"]


async def test_spreads_random_and_daily_in_the_language(client):
    spreads = await client.get("/api/v1/spreads", headers={"Accept-Language": "es"})
    assert spreads.headers["content-language"] == "es"
    three = next(s for s in spreads.json() if s["slug"] == "three-card")
    assert [p["position"] for p in three["positions"]] == [1, 2, 3]
    assert three["name"] != "Past, Present, Future"
    assert three["positions"][0]["prompt"].startswith("¿")
    one = await client.get("/api/v1/spreads/celtic-cross", params={"lang": "zh-TW"})
    assert len(one.json()["positions"]) == 10
    assert "Accept-Language" in one.headers["vary"]
    drawn = await client.get("/api/v1/cards/random", params={"n": 3, "seed": 5, "lang": "zh-TW"})
    english = await client.get("/api/v1/cards/random", params={"n": 3, "seed": 5})
    assert [d["card"]["id"] for d in drawn.json()] == [d["card"]["id"] for d in english.json()]
    assert drawn.headers["content-language"] == "zh-TW"
    assert drawn.json()[0]["card"]["name"] != english.json()[0]["card"]["name"]
    daily = await client.get("/api/v1/cards/daily", headers={"Accept-Language": "zh-TW"})
    assert daily.headers["content-language"] == "zh-TW"
    assert "Accept-Language" in daily.headers["vary"]


async def test_tarotapi_compat_routes_stay_english(client):
    response = await client.get("/tarotapi/api/v1/cards/ar00", headers={"Accept-Language": "zh-TW"})
    assert response.json()["card"]["name"] == "The Fool"
    listed = await client.get("/tarotapi/api/v1/cards", params={"lang": "es"})
    assert listed.json()["cards"][0]["name"] != "El Mago"


async def test_languages_not_asked_for_are_not_loaded(pg_client):
    translations.forget_translations()
    pg_client.app.state.tarot.catalog_cache.invalidate()
    await pg_client.get("/api/v1/cards", params={"limit": 100})
    await pg_client.get("/api/v1/spreads")
    assert loaded_languages() == ()
    await pg_client.get("/api/v1/cards", params={"lang": "es"})
    assert loaded_languages() == ("es",)
    await pg_client.get("/api/v1/spreads", headers={"Accept-Language": "es-AR"})
    assert loaded_languages() == ("es",)
