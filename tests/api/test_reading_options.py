"""Custom spreads, cards drawn by the client, focus and tone, through the HTTP API."""

import pytest

from tarot.schemas.examples import CUSTOM_READING_CREATE

PROBLEM = "application/problem+json"


async def post(client, **body):
    payload = {"question": "How do I move this project forward?"} | body
    return await client.post("/api/v1/readings", params={"wait": True}, json=payload)


async def test_the_custom_example_reads_as_given(client):
    response = await client.post(
        "/api/v1/readings", params={"wait": True}, json=CUSTOM_READING_CREATE
    )
    assert response.status_code == 201, response.text
    reading = response.json()
    assert reading["spread"] == "custom" and reading["draw_source"] == "client"
    assert reading["focus"] == "career" and reading["tone"] == "practical"
    given = [(c["code"], c["reversed"]) for c in CUSTOM_READING_CREATE["cards"]]
    assert [(c["code"], c["reversed"]) for c in reading["cards"]] == given
    names = [p["name"] for p in CUSTOM_READING_CREATE["positions"]]
    assert [c["position_name"] for c in reading["cards"]] == names
    assert reading["cards"][2]["position_prompt"] == "What to do this week."
    assert reading["status"] == "completed" and reading["interpretation"]
    again = (await client.get(f"/api/v1/readings/{reading['id']}")).json()
    assert again["cards"] == reading["cards"] and again["spread"] == "custom"


async def test_custom_spread_drawn_by_the_server(client):
    positions = [{"name": f"Step {n}", "prompt": f"What step {n} asks."} for n in range(1, 13)]
    reading = (await post(client, positions=positions, seed=7)).json()
    assert reading["draw_source"] == "server"
    assert [c["position"] for c in reading["cards"]] == list(range(1, 13))
    assert len({c["card_id"] for c in reading["cards"]}) == 12
    same = (await post(client, positions=positions, seed=7)).json()
    assert [c["card_id"] for c in same["cards"]] == [c["card_id"] for c in reading["cards"]]


@pytest.mark.parametrize(
    "positions",
    [
        [],
        [{"name": "x", "prompt": "y"}] * 13,
        [{"name": "", "prompt": "y"}],
        [{"name": "x" * 61, "prompt": "y"}],
        [{"name": "x", "prompt": "y" * 201}],
        [{"name": "x", "prompt": "y", "class": "weather"}],
        [{"name": "x", "prompt": "y", "colour": "red"}],
        [{"name": "\u0007", "prompt": "y"}],
    ],
)
async def test_bad_custom_positions_are_422(client, positions):
    response = await post(client, positions=positions)
    assert response.status_code == 422 and response.headers["content-type"] == PROBLEM


async def test_spread_and_positions_together_are_422(client):
    response = await post(client, spread="single", positions=[{"name": "a", "prompt": "b"}])
    assert response.status_code == 422
    assert "either `spread` or `positions`" in response.json()["detail"]


async def test_client_cards_on_a_named_spread(client):
    cards = [{"code": "cu02", "reversed": False}, {"code": "the-tower", "reversed": True}]
    cards.append({"code": "WA10", "reversed": False})
    reading = (await post(client, spread="three-card", cards=cards)).json()
    assert [c["code"] for c in reading["cards"]] == ["cu02", "ar16", "wa10"]
    assert [c["reversed"] for c in reading["cards"]] == [False, True, False]
    assert reading["draw_source"] == "client" and reading["spread"] == "three-card"


async def test_client_cards_must_match_and_be_distinct(client):
    two = [{"code": "cu02"}, {"code": "cu03"}]
    wrong_count = await post(client, spread="three-card", cards=two)
    assert wrong_count.status_code == 422
    assert "2 card(s) given for 3 position(s)" in wrong_count.json()["detail"]
    twice = await post(client, spread="three-card", cards=[{"code": "cu02"}] * 3)
    assert twice.status_code == 422 and "given twice" in twice.json()["detail"]
    alias = [{"code": "ar01"}, {"code": "the-magician"}, {"code": "cu03"}]
    aliased = await post(client, spread="three-card", cards=alias)
    assert aliased.status_code == 422 and "twice" in aliased.json()["detail"]
    unknown = await post(client, spread="single", cards=[{"code": "xx00"}])
    assert unknown.status_code == 422 and "xx00" in unknown.json()["detail"]
    custom = await post(client, positions=[{"name": "a", "prompt": "b"}], cards=two)
    assert custom.status_code == 422 and "one card per position" in custom.json()["detail"]


async def test_focus_and_tone_are_recorded_and_validated(client):
    reading = (await post(client, spread="single", focus="love", tone="gentle")).json()
    assert (reading["focus"], reading["tone"]) == ("love", "gentle")
    plain = (await post(client, spread="single")).json()
    assert plain["focus"] is None and plain["tone"] is None
    for bad in ({"focus": "weather"}, {"tone": "sarcastic"}):
        response = await post(client, spread="single", **bad)
        assert response.status_code == 422 and response.headers["content-type"] == PROBLEM


async def test_custom_classes_given_or_inferred_reach_the_reader(client):
    reading = (
        await client.post("/api/v1/readings", params={"wait": True}, json=CUSTOM_READING_CREATE)
    ).json()
    classes = [section["position_class"] for section in reading["sections"]]
    assert classes[:2] == ["foundation", "challenge"]


async def test_tones_read_differently_on_the_same_draw(client):
    texts = set()
    for tone in ("gentle", "direct", "practical"):
        reading = (await post(client, spread="three-card", seed=3, tone=tone)).json()
        texts.add(reading["interpretation"])
    assert len(texts) == 3
