"""The tarotapi.dev-compatible routes, decoded as strictly as the Android clients decode them."""

from __future__ import annotations

import httpx
import pytest

from tarot.schemas.cards import CardUpdate
from tarot.services import cards as card_service

BASE = "/tarotapi/api/v1"
MAJOR_KEYS = ["type", "name_short", "name", "value", "value_int", "meaning_up", "meaning_rev"]
MAJOR_KEYS += ["desc"]
MINOR_KEYS = ["name", "name_short", "value", "value_int", "suit", "type", "meaning_up"]
MINOR_KEYS += ["meaning_rev", "desc"]
MINOR_VALUES = ["ace", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"]
MINOR_VALUES += ["page", "knight", "queen", "king"]
SUITS = ["wands", "cups", "pentacles", "swords"]
ORDER_IN_SUIT = ["pa", "kn", "qu", "ki", "ac", "02", "03", "04", "05", "06", "07", "08", "09"]
ORDER_IN_SUIT += ["10"]
SUIT_CODES = {"wands": "wa", "cups": "cu", "pentacles": "pe", "swords": "sw"}
CANONICAL = [f"ar{n:02d}" for n in range(1, 21)] + ["ar00", "ar21"]
CANONICAL += [SUIT_CODES[suit] + rank for suit in SUITS for rank in ORDER_IN_SUIT]
NAMES = {"ar08": "Fortitude", "ar10": "Wheel Of Fortune", "ar20": "The Last Judgment"}


def strict_card(card: dict) -> dict:
    """Fail unless the card has exactly the original's keys, in order, with its value types."""
    assert isinstance(card, dict)
    keys = MAJOR_KEYS if card.get("type") == "major" else MINOR_KEYS
    assert list(card) == keys, list(card)
    for key in ("name", "name_short", "value", "meaning_up", "meaning_rev", "desc"):
        assert isinstance(card[key], str) and card[key], (card["name_short"], key)
    assert type(card["value_int"]) is int
    if card["type"] == "major":
        assert 0 <= card["value_int"] <= 21
        expected = "ZERO" if card["value_int"] == 0 else str(card["value_int"])
        assert card["value"] == expected
    else:
        assert card["type"] == "minor"
        assert card["suit"] in SUITS
        assert card["value"] == MINOR_VALUES[card["value_int"] - 1]
    return card


def strict_list(response: httpx.Response) -> list[dict]:
    """A `{"nhits", "cards"}` body, strictly decoded; returns the cards."""
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json; charset=utf-8"
    assert response.headers["access-control-allow-origin"] == "*"
    body = response.json()
    assert list(body) == ["nhits", "cards"]
    assert type(body["nhits"]) is int and body["nhits"] == len(body["cards"])
    return [strict_card(card) for card in body["cards"]]


def codes(cards: list[dict]) -> list[str]:
    return [card["name_short"] for card in cards]


async def test_all_cards_in_canonical_order_with_the_three_names(client):
    cards = strict_list(await client.get(f"{BASE}/cards"))
    assert codes(cards) == CANONICAL
    by_code = {card["name_short"]: card for card in cards}
    for code, name in NAMES.items():
        assert by_code[code]["name"] == name
    assert "suit" not in by_code["ar00"]
    assert by_code["ar00"]["value"] == "ZERO"
    assert by_code["cuki"]["value_int"] == 14 and by_code["cuki"]["value"] == "king"
    assert codes(strict_list(await client.get(f"{BASE}/cards/"))) == CANONICAL


async def test_every_card_by_its_exact_short_code(client):
    for code in CANONICAL:
        response = await client.get(f"{BASE}/cards/{code}")
        assert response.status_code == 200
        body = response.json()
        assert list(body) == ["nhits", "card"] and body["nhits"] == 1
        assert strict_card(body["card"])["name_short"] == code
    for miss in ("AR01", "ar99", "the-magician"):
        response = await client.get(f"{BASE}/cards/{miss}")
        assert response.status_code == 404
        assert response.json() == {"error": {"status": 404, "message": "Not Found"}}
        assert response.headers["access-control-allow-origin"] == "*"


@pytest.mark.parametrize(
    ("query", "count"),
    [
        ("n=3", 3),
        ("n=2.5", 3),
        ("n=78", 78),
        ("n=abc", 78),
        ("n=0", 78),
        ("n=-2", 78),
        ("n=79", 78),
        ("", 78),
        ("n=0.1", 1),
    ],
)
async def test_random_cards(client, query, count):
    cards = strict_list(await client.get(f"{BASE}/cards/random?{query}"))
    assert len(cards) == count
    assert len(set(codes(cards))) == count
    assert set(codes(cards)) <= set(CANONICAL)


async def test_random_is_shuffled(client):
    orders = {tuple(codes(strict_list(await client.get(f"{BASE}/cards/random")))) for _ in range(3)}
    assert len(orders) > 1


async def test_search_quirks(client):
    async def search(query: str) -> list[str]:
        return codes(strict_list(await client.get(f"{BASE}/cards/search?{query}")))

    assert await search("value=4") == ["ar04", "ar14"]
    assert await search("value=4&name=death") == ["ar13"], "the last pair wins"
    assert await search("name=DEATH&value=4") == ["ar04", "ar14"]
    assert await search("suit=cups") == [code for code in CANONICAL if code.startswith("cu")]
    assert await search("type=major") == CANONICAL[:22]
    assert await search("nope=1") == []
    value_int = await search("value_int=1")
    assert "ar01" in value_int and "ar21" in value_int and "waac" in value_int
    magician = (await client.get(f"{BASE}/cards/ar01")).json()["card"]
    word = magician["meaning_rev"].split()[-1].strip(".,;").upper()
    assert "ar01" in await search(f"meaning={word}")
    assert "ar01" in await search(f"q={magician['desc'][:12].upper()}")
    response = await client.get(f"{BASE}/cards/search", follow_redirects=False)
    assert response.status_code == 302
    assert response.headers["location"] == f"{BASE}/cards"


async def test_suits_and_courts(client):
    for suit in SUITS:
        cards = strict_list(await client.get(f"{BASE}/cards/suits/{suit}"))
        assert codes(cards) == [SUIT_CODES[suit] + rank for rank in ORDER_IN_SUIT]
    assert (await client.get(f"{BASE}/cards/suits/Cups")).status_code == 404
    courts = strict_list(await client.get(f"{BASE}/cards/courts"))
    assert len(courts) == 16
    assert {card["value"] for card in courts} == {"page", "knight", "queen", "king"}
    kings = (await client.get(f"{BASE}/cards/courts/kings")).json()
    assert kings == (await client.get(f"{BASE}/cards/courts/king")).json()
    assert codes(strict_list(await client.get(f"{BASE}/cards/courts/king"))) == [
        "waki",
        "cuki",
        "peki",
        "swki",
    ]
    for miss in ("kin", "aces", "emperor"):
        assert (await client.get(f"{BASE}/cards/courts/{miss}")).status_code == 404


async def test_redirects_unknown_paths_and_preflight(client):
    for path in ("", "/"):
        response = await client.get(BASE + path, follow_redirects=False)
        assert response.status_code == 302
        assert response.headers["location"] == f"{BASE}/cards"
    for path in ("/nothing", "/cards/suits", "/cards/ar01/extra"):
        response = await client.get(BASE + path)
        assert response.status_code == 404, path
        assert response.json() == {"error": {"status": 404, "message": "Not Found"}}
    response = await client.post(f"{BASE}/cards", json={})
    assert response.status_code == 404
    preflight = await client.options(
        f"{BASE}/cards",
        headers={
            "Origin": "https://app.example",
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "x-app-version",
        },
    )
    assert preflight.status_code == 204
    assert preflight.headers["access-control-allow-origin"] == "*"
    assert preflight.headers["access-control-allow-headers"] == "x-app-version"
    assert set(preflight.headers["allow"].replace(" ", "").split(",")) == {"GET", "HEAD", "OPTIONS"}
    assert "access-control-allow-credentials" not in preflight.headers
    head = await client.head(f"{BASE}/cards/ar01")
    assert head.status_code == 200


async def test_public_cors_even_when_the_api_restricts_origins(make_client):
    async with make_client("sqlite", cors_origins="https://mine.example") as client:
        preflight = await client.options(
            f"{BASE}/cards/random",
            headers={"Origin": "https://other.example", "Access-Control-Request-Method": "GET"},
        )
        assert preflight.status_code == 204
        assert preflight.headers["access-control-allow-origin"] == "*"
        response = await client.get(f"{BASE}/cards", headers={"Origin": "https://other.example"})
        assert response.headers["access-control-allow-origin"] == "*"
        native = await client.options(
            "/api/v1/cards",
            headers={"Origin": "https://other.example", "Access-Control-Request-Method": "GET"},
        )
        assert native.status_code == 400, "the native API keeps its own origin list"


async def _edit_magician(client, meaning: str) -> None:
    app = client.app
    async with app.state.tarot.db.sessionmaker.begin() as session:
        await card_service.update_card(
            session=session,
            db=app.state.tarot.db,
            cache=app.state.tarot.catalog_cache,
            image_base_url=app.state.tarot.settings.image_base_url,
            card_id="ar01",
            data=CardUpdate(meaning_upright=meaning),
        )


async def test_bodies_share_the_catalog_cache_invalidation(client, restore_catalog):
    before = (await client.get(f"{BASE}/cards/ar01")).json()["card"]
    cache = client.app.state.tarot.catalog_cache
    hits = cache.hits
    assert (await client.get(f"{BASE}/cards/ar01")).json()["card"] == before
    assert cache.hits > hits, "served from the catalog cache"
    await _edit_magician(client, "An admin's fresh words for the upright Magician.")
    after = (await client.get(f"{BASE}/cards/ar01")).json()["card"]
    assert after["meaning_up"] == "An admin's fresh words for the upright Magician."
    listed = strict_list(await client.get(f"{BASE}/cards"))
    assert listed[0]["meaning_up"] == after["meaning_up"]
    # A second edit, back to the old words, renews the bytes again (the fixture restores too).
    await _edit_magician(client, before["meaning_up"])
    assert (await client.get(f"{BASE}/cards/ar01")).json()["card"] == before
