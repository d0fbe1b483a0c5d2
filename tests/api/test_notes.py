"""Private notes: owner-only, bounded, searchable, and never in shared views."""

import pytest
from tests.api.test_accounts import new_reading, register_and_login

PROBLEM = "application/problem+json"


async def put_note(client, reading_id, note, headers):
    return await client.put(
        f"/api/v1/readings/{reading_id}/note", json={"note": note}, headers=headers
    )


async def test_owner_writes_reads_and_deletes_a_note(client):
    alice = await register_and_login(client, "alice@example.com")
    reading = await new_reading(client, alice)
    written = await put_note(client, reading["id"], "Felt true on Tuesday.", alice)
    assert written.status_code == 200, written.text
    assert written.json()["note"] == "Felt true on Tuesday."
    seen = (await client.get(f"/api/v1/readings/{reading['id']}", headers=alice)).json()
    assert seen["note"] == "Felt true on Tuesday."
    replaced = await put_note(client, reading["id"], "Second thoughts.", alice)
    assert replaced.json()["note"] == "Second thoughts."
    deleted = await client.delete(f"/api/v1/readings/{reading['id']}/note", headers=alice)
    assert deleted.status_code == 204
    seen = (await client.get(f"/api/v1/readings/{reading['id']}", headers=alice)).json()
    assert seen["note"] is None


async def test_non_owners_get_404_and_anonymous_need_to_sign_in(client):
    alice = await register_and_login(client, "alice@example.com")
    mallory = await register_and_login(client, "mallory@example.com")
    owned = await new_reading(client, alice)
    anonymous = await new_reading(client)
    for reading_id in (owned["id"], anonymous["id"]):
        refused = await put_note(client, reading_id, "mine now", mallory)
        assert refused.status_code == 404 and refused.headers["content-type"] == PROBLEM
        gone = await client.delete(f"/api/v1/readings/{reading_id}/note", headers=mallory)
        assert gone.status_code == 404
    unsigned = await client.put(f"/api/v1/readings/{owned['id']}/note", json={"note": "x"})
    assert unsigned.status_code == 401
    await put_note(client, owned["id"], "private", alice)
    assert (await client.get(f"/api/v1/readings/{owned['id']}", headers=mallory)).status_code == 404


async def test_notes_never_appear_in_shared_views(client):
    alice = await register_and_login(client, "alice@example.com")
    reading = await new_reading(client, alice)
    await put_note(client, reading["id"], "only for me", alice)
    share = (await client.post(f"/api/v1/readings/{reading['id']}/share", headers=alice)).json()
    shared = await client.get(share["url"].removeprefix("http://test"))
    assert shared.status_code == 200
    assert "note" not in shared.json() and "only for me" not in shared.text


@pytest.mark.parametrize("note", ["", "x" * 2001, "bell\u0007"])
async def test_bad_notes_are_422(client, note):
    alice = await register_and_login(client, "alice@example.com")
    reading = await new_reading(client, alice)
    response = await put_note(client, reading["id"], note, alice)
    assert response.status_code == 422 and response.headers["content-type"] == PROBLEM


async def test_search_history_by_text_and_date(client):
    alice = await register_and_login(client, "alice@example.com")
    bob = await register_and_login(client, "bob@example.com")
    first = await new_reading(client, alice)
    second = await new_reading(client, alice)
    await put_note(client, first["id"], "The INTERVIEW went 100% well_", alice)
    bobs = await new_reading(client, bob)
    await put_note(client, bobs["id"], "interview", bob)

    async def search(**params):
        response = await client.get("/api/v1/readings", params=params, headers=alice)
        assert response.status_code == 200, response.text
        return [item["id"] for item in response.json()["items"]]

    assert await search(q="interview") == [first["id"]]
    assert await search(q="100%") == [first["id"]]
    assert await search(q="0% w") == [first["id"]]
    assert await search(q="_") == [first["id"]]
    assert await search(q="headed") == [second["id"], first["id"]]
    assert await search(q="nothing like this") == []
    assert await search(since=second["created_at"]) == [second["id"]]
    assert await search(until=first["created_at"]) == [first["id"]]
    assert await search(since="2000-01-01T00:00:00Z", limit=1, offset=1) == [first["id"]]
    page = (await client.get("/api/v1/readings", params={"q": "headed"}, headers=alice)).json()
    assert page["total"] == 2 and page["items"][1]["note"].startswith("The INTERVIEW")
    naive = await client.get("/api/v1/readings", params={"since": "2026-01-01"}, headers=alice)
    assert naive.status_code == 422
