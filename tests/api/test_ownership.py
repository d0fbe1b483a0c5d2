"""Every route that checks ownership hides an owned reading from anyone but its owner.

A stranger (another account, or no account) gets 404 from each route on its own, so a check
dropped from any one route fails here; the owner gets through each, and nothing the stranger
tried changed the reading.
"""

from tests.api.test_accounts import new_reading, register_and_login

PROBLEM = "application/problem+json"


async def _owned_with_everything(client, alice: dict) -> tuple[dict, dict]:
    """Alice's reading with a note, a share link and a finished follow-up."""
    reading = await new_reading(client, alice)
    url = f"/api/v1/readings/{reading['id']}"
    note = await client.put(f"{url}/note", json={"note": "alices secret"}, headers=alice)
    assert note.status_code == 200
    assert (await client.post(f"{url}/share", headers=alice)).status_code == 201
    follow_up = await client.post(
        f"{url}/follow-ups", params={"wait": True}, json={"question": "And?"}, headers=alice
    )
    assert follow_up.status_code == 201, follow_up.text
    return reading, follow_up.json()


async def test_each_route_hides_an_owned_reading_from_strangers(client):
    alice = await register_and_login(client, "alice@example.com")
    mallory = await register_and_login(client, "mallory@example.com")
    reading, follow_up = await _owned_with_everything(client, alice)
    url = f"/api/v1/readings/{reading['id']}"
    routes = [
        ("GET", url, None),
        ("GET", f"{url}/stream", None),
        ("GET", f"/api/v1/readings/{follow_up['id']}", None),
        ("GET", f"/api/v1/readings/{follow_up['id']}/stream", None),
        ("POST", f"{url}/retry", None),
        ("POST", f"{url}/follow-ups", {"question": "Mine now?"}),
        ("DELETE", f"/api/v1/readings/{follow_up['id']}", None),
        ("DELETE", url, None),
    ]
    signed_in_only = [
        ("PUT", f"{url}/note", {"note": "mallory was here"}),
        ("DELETE", f"{url}/note", None),
        ("POST", f"{url}/share", None),
        ("DELETE", f"{url}/share", None),
    ]
    for method, path, body in routes + signed_in_only:
        refused = await client.request(method, path, json=body, headers=mallory)
        assert refused.status_code == 404, (method, path, refused.text)
        assert refused.headers["content-type"] == PROBLEM
    for method, path, body in routes:
        anonymous = await client.request(method, path, json=body)
        assert anonymous.status_code == 404, ("anonymous", method, path, anonymous.text)

    # Untouched, and the owner gets through every route.
    mine = await client.get(url, headers=alice)
    assert mine.status_code == 200
    assert mine.json()["note"] == "alices secret"
    assert [f["id"] for f in mine.json()["follow_ups"]] == [follow_up["id"]]
    assert (await client.get(f"{url}/stream", headers=alice)).status_code == 200
    retry = await client.post(f"{url}/retry", headers=alice)
    assert retry.status_code == 409, "the owner passes the check; a completed reading is a 409"
    assert (await client.delete(f"{url}/share", headers=alice)).status_code == 204
    assert (await client.delete(f"{url}/note", headers=alice)).status_code == 204
    assert (await client.delete(url, headers=alice)).status_code == 204


async def test_a_history_lists_only_its_own_readings(client):
    alice = await register_and_login(client, "alice@example.com")
    mallory = await register_and_login(client, "mallory@example.com")
    hers, _ = await _owned_with_everything(client, alice)
    his = await new_reading(client, mallory)
    anonymous = await new_reading(client)

    def ids(page) -> list[str]:
        return [item["id"] for item in page.json()["items"]]

    assert ids(await client.get("/api/v1/readings", headers=alice)) == [hers["id"]]
    assert ids(await client.get("/api/v1/readings", headers=mallory)) == [his["id"]]
    searched = await client.get("/api/v1/readings", params={"q": "secret"}, headers=mallory)
    assert ids(searched) == [], "another account's note is not searched"
    everyone = {"ids": [hers["id"], his["id"], anonymous["id"]]}
    assert ids(await client.get("/api/v1/readings", params=everyone)) == [anonymous["id"]]
    assert ids(await client.get("/api/v1/readings")) == [], "no ids, no anonymous readings"
