"""The personal daily card: per account and local date, validated time zones, private caching."""

import re
import uuid
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from tests.api.test_accounts import register_and_login

from tarot.services.daily import local_day, personal_seed
from tarot.services.draw import draw

PROBLEM = "application/problem+json"


async def test_needs_sign_in_and_the_global_card_stays(client):
    assert (await client.get("/api/v1/me/daily")).status_code == 401
    assert (await client.get("/api/v1/cards/daily")).status_code == 200


async def test_stable_per_user_and_day_and_cached_until_local_midnight(client):
    alice = await register_and_login(client, "alice@example.com")
    first = await client.get("/api/v1/me/daily", params={"tz": "Asia/Taipei"}, headers=alice)
    assert first.status_code == 200, first.text
    body = first.json()
    today, midnight = local_day(ZoneInfo("Asia/Taipei"), datetime.now(UTC))
    assert body["date"] == today.isoformat() and body["timezone"] == "Asia/Taipei"
    assert body["card"]["name"].removeprefix("The ") in body["reading"]
    cache_control = first.headers["cache-control"]
    assert cache_control.startswith("private")
    max_age = int(re.search(r"max-age=(\d+)", cache_control).group(1))
    assert 1 <= max_age <= (midnight - datetime.now(UTC)).total_seconds() + 1
    again = await client.get("/api/v1/me/daily", params={"tz": "Asia/Taipei"}, headers=alice)
    assert again.json() == body


async def test_the_card_follows_the_seed_of_user_and_local_date(client):
    deck = (await client.get("/api/v1/cards", params={"limit": 100})).json()["items"]
    cards = []
    for n in range(4):
        headers = await register_and_login(client, f"u{n}@example.com")
        user_id = uuid.UUID((await client.get("/api/v1/me", headers=headers)).json()["id"])
        for tz in ("UTC", "Pacific/Kiritimati"):
            body = (await client.get("/api/v1/me/daily", params={"tz": tz}, headers=headers)).json()
            day, _ = local_day(ZoneInfo(tz), datetime.now(UTC))
            [(index, flipped)] = draw(
                count=1, deck_size=78, reversals=True, seed=personal_seed(user_id, day)
            )
            assert (body["card"]["id"], body["reversed"]) == (deck[index]["id"], flipped)
            cards.append(body["card"]["id"])
    assert len(set(cards)) > 1, "four accounts should not all share one card"


@pytest.mark.parametrize("tz", ["Mars/Olympus", "Europe/", "../etc/passwd", "x" * 65, ""])
async def test_bad_time_zones_are_422(client, tz):
    alice = await register_and_login(client, "alice@example.com")
    response = await client.get("/api/v1/me/daily", params={"tz": tz}, headers=alice)
    assert response.status_code == 422 and response.headers["content-type"] == PROBLEM
