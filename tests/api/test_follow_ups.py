"""Follow-up questions: a clarifier card, authz, the per-reading bound, listing and streaming."""

import pytest
from tests.api.test_accounts import new_reading, register_and_login
from tests.api.test_readings import parse_sse

PROBLEM = "application/problem+json"


async def ask(client, reading_id, headers=None, wait=True, **body):
    payload = {"question": "What is holding this back?"} | body
    return await client.post(
        f"/api/v1/readings/{reading_id}/follow-ups",
        params={"wait": wait},
        json=payload,
        headers=headers or {},
    )


async def test_follow_up_draws_a_clarifier_outside_the_spread(client):
    parent = await new_reading(client)
    response = await ask(client, parent["id"])
    assert response.status_code == 201, response.text
    follow_up = response.json()
    assert follow_up["status"] == "completed"
    assert follow_up["parent_id"] == parent["id"] and follow_up["spread"] == "follow-up"
    assert follow_up["draw_source"] == "server"
    [card] = follow_up["cards"]
    assert card["position_name"] == "Clarifier"
    assert card["card_id"] not in {c["card_id"] for c in parent["cards"]}
    assert response.headers["location"].endswith(f"/api/v1/readings/{follow_up['id']}")


async def test_follow_ups_are_listed_with_their_parent_and_not_in_history(client):
    parent = await new_reading(client)
    first = (await ask(client, parent["id"], question="And at work?")).json()
    second = (await ask(client, parent["id"], question="And at home?")).json()
    listed = (await client.get(f"/api/v1/readings/{parent['id']}")).json()["follow_ups"]
    assert [item["id"] for item in listed] == [first["id"], second["id"]]
    assert [item["question"] for item in listed] == ["And at work?", "And at home?"]
    history = await client.get("/api/v1/readings", params={"ids": [parent["id"], first["id"]]})
    assert [item["id"] for item in history.json()["items"]] == [parent["id"]]


async def test_client_supplied_clarifier_is_used_and_recorded(client):
    parent = await new_reading(client)
    taken = {c["code"] for c in parent["cards"]}
    free = next(code for code in ("ar00", "ar01", "ar02", "ar03") if code not in taken)
    response = await ask(client, parent["id"], card={"code": free, "reversed": True})
    follow_up = response.json()
    assert follow_up["cards"][0]["code"] == free and follow_up["cards"][0]["reversed"] is True
    assert follow_up["draw_source"] == "client"
    in_spread = await ask(client, parent["id"], card={"code": parent["cards"][0]["code"]})
    assert in_spread.status_code == 422
    assert in_spread.headers["content-type"] == PROBLEM
    assert "already in the spread" in in_spread.json()["detail"]
    unknown = await ask(client, parent["id"], card={"code": "zz99"})
    assert unknown.status_code == 422 and "zz99" in unknown.json()["detail"]


async def test_the_bound_per_reading_is_a_429(make_client):
    async with make_client("sqlite", max_follow_ups=2) as client:
        parent = await new_reading(client)
        codes = [(await ask(client, parent["id"], wait=False)).status_code for _ in range(3)]
        assert codes == [202, 202, 429]
        refused = await ask(client, parent["id"], wait=False)
        assert refused.headers["content-type"] == PROBLEM
        assert "TAROT_MAX_FOLLOW_UPS=2" in refused.json()["detail"]


async def test_no_follow_up_on_a_follow_up(client):
    parent = await new_reading(client)
    follow_up = (await ask(client, parent["id"])).json()
    response = await ask(client, follow_up["id"])
    assert response.status_code == 422
    assert "original reading" in response.json()["detail"]


async def test_only_the_owner_may_ask_on_an_owned_reading(client):
    alice = await register_and_login(client, "alice@example.com")
    mallory = await register_and_login(client, "mallory@example.com")
    owned = await new_reading(client, alice)
    for headers in (mallory, None):
        refused = await ask(client, owned["id"], headers=headers)
        assert refused.status_code == 404 and refused.headers["content-type"] == PROBLEM
    mine = await ask(client, owned["id"], headers=alice)
    assert mine.status_code == 201
    follow_up = mine.json()
    assert (await client.get(f"/api/v1/readings/{follow_up['id']}")).status_code == 404
    seen = await client.get(f"/api/v1/readings/{follow_up['id']}", headers=alice)
    assert seen.status_code == 200
    assert "token=" in follow_up["stream_url"]


async def test_anonymous_reading_holder_may_ask(client):
    parent = await new_reading(client)
    assert (await ask(client, parent["id"])).status_code == 201
    missing = await ask(client, "00000000-0000-4000-8000-000000000000")
    assert missing.status_code == 404


async def test_a_follow_up_streams_like_a_reading(client):
    parent = await new_reading(client)
    follow_up = (await ask(client, parent["id"])).json()
    raw = (await client.get(f"/api/v1/readings/{follow_up['id']}/stream")).text
    events = parse_sse(raw)
    text = "".join(e["data"]["text"] for e in events if e.get("event") == "chunk")
    assert text == follow_up["interpretation"] and text
    assert events[-1]["event"] == "done"


@pytest.mark.parametrize("body", [{"question": ""}, {"question": "x" * 501}, {"extra": 1}])
async def test_bad_follow_up_bodies_are_422(client, body):
    parent = await new_reading(client)
    response = await client.post(f"/api/v1/readings/{parent['id']}/follow-ups", json=body)
    assert response.status_code == 422 and response.headers["content-type"] == PROBLEM


async def test_offline_follow_up_refers_back_to_the_original_spread(client):
    parent = await new_reading(client)
    follow_up = (await ask(client, parent["id"])).json()
    assert follow_up["provider"] == "offline"
    related = follow_up["answer"]["related_positions"]
    assert related and set(related) <= {c["position"] for c in parent["cards"]}
    text = follow_up["interpretation"]
    for position in related:
        laid = next(c for c in parent["cards"] if c["position"] == position)
        assert f"the {laid['position_name']} position" in text
        assert laid["name"].removeprefix("The ") in text
    assert follow_up["cards"][0]["name"].removeprefix("The ") in text
