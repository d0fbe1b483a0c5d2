"""Admin edits reach every instance's cache (every language's bytes) through LISTEN/NOTIFY."""

import asyncio

import pytest

from tarot.services.accounts import create_admin

# Every test here edits the catalog; the fixture puts it back even when an assertion fails.
pytestmark = pytest.mark.usefixtures("restore_catalog")


async def _admin_headers(client) -> dict:
    async with client.app.state.tarot.db.sessionmaker.begin() as session:
        await create_admin(session=session, email="root@example.com", password="a" * 12)
    login = await client.post(
        "/api/v1/auth/login", json={"email": "root@example.com", "password": "a" * 12}
    )
    return {"Authorization": f"Bearer {login.json()['access_token']}"}


async def test_second_instance_sees_the_edit_within_a_second(make_client):
    async with make_client("postgres") as first, make_client("postgres") as second:
        admin = await _admin_headers(first)
        before = await second.get("/api/v1/cards/ar01")
        list_before = await second.get("/api/v1/cards", params={"limit": 100})
        assert (await second.get("/api/v1/cards/ar01")).headers["etag"] == before.headers["etag"]

        edit = await first.patch(
            "/api/v1/cards/ar01",
            json={"meaning_upright": "A fresh meaning written by an admin."},
            headers=admin,
        )
        assert edit.status_code == 200
        assert edit.json()["meaning_upright"] == "A fresh meaning written by an admin."

        for _ in range(20):
            after = await second.get("/api/v1/cards/ar01")
            if after.headers["etag"] != before.headers["etag"]:
                break
            await asyncio.sleep(0.05)
        assert after.headers["etag"] != before.headers["etag"]
        assert after.json()["meaning_upright"] == "A fresh meaning written by an admin."
        list_after = await second.get("/api/v1/cards", params={"limit": 100})
        assert list_after.headers["etag"] != list_before.headers["etag"]
        assert second.app.state.tarot.listener.notices >= 1


async def test_spread_edit_and_cache_clear(client):
    admin = await _admin_headers(client)
    before = await client.get("/api/v1/spreads/single")
    edit = await client.patch(
        "/api/v1/spreads/single",
        json={"position_prompts": {"1": "What wants your attention today?"}},
        headers=admin,
    )
    assert edit.status_code == 200
    after = await client.get("/api/v1/spreads/single")
    assert after.json()["positions"][0]["prompt"] == "What wants your attention today?"
    assert after.headers["etag"] != before.headers["etag"]
    bad = await client.patch(
        "/api/v1/spreads/single", json={"position_prompts": {"9": "x"}}, headers=admin
    )
    assert bad.status_code == 422
    assert (
        await client.patch("/api/v1/cards/ar01", json={"id": "x"}, headers=admin)
    ).status_code == 422
    cleared = await client.post("/api/v1/admin/cache/clear", headers=admin)
    assert cleared.json() == {"cleared": ["catalog"]}
    assert client.app.state.tarot.catalog_cache.stats()["size"] == 0


async def test_listener_reconnects_after_its_connection_drops(make_client):
    async with make_client("postgres") as first, make_client("postgres") as second:
        admin = await _admin_headers(first)
        listener = second.app.state.tarot.listener
        pid = listener._conn.get_server_pid()
        async with first.app.state.tarot.db.engine.connect() as conn:
            await conn.exec_driver_sql(f"SELECT pg_terminate_backend({pid})")
        for _ in range(50):
            if listener.reconnects:
                break
            await asyncio.sleep(0.05)
        assert listener.reconnects == 1

        before = await second.get("/api/v1/cards/ar02")
        await first.patch(
            "/api/v1/cards/ar02", json={"description": "Seen after a reconnect."}, headers=admin
        )
        for _ in range(20):
            after = await second.get("/api/v1/cards/ar02")
            if after.headers["etag"] != before.headers["etag"]:
                break
            await asyncio.sleep(0.05)
        assert after.json()["description"] == "Seen after a reconnect."


LANGUAGES = ("en", "zh-TW", "es")


async def _etags(client, path: str) -> dict[str, str]:
    return {
        lang: (await client.get(path, params={"lang": lang})).headers["etag"] for lang in LANGUAGES
    }


async def test_an_edit_renews_every_language_on_every_instance(make_client):
    async with make_client("postgres") as first, make_client("postgres") as second:
        admin = await _admin_headers(first)
        before = await _etags(second, "/api/v1/cards/ar03")
        list_before = await _etags(second, "/api/v1/cards")
        assert await _etags(second, "/api/v1/cards/ar03") == before  # served from the cache

        edit = await first.patch(
            "/api/v1/cards/ar03", json={"astrology": "Venus, edited"}, headers=admin
        )
        assert edit.status_code == 200
        for _ in range(20):
            after = await _etags(second, "/api/v1/cards/ar03")
            if all(after[lang] != before[lang] for lang in LANGUAGES):
                break
            await asyncio.sleep(0.05)
        assert all(after[lang] != before[lang] for lang in LANGUAGES)
        list_after = await _etags(second, "/api/v1/cards")
        assert all(list_after[lang] != list_before[lang] for lang in LANGUAGES)
        chinese = (await second.get("/api/v1/cards/ar03", params={"lang": "zh-TW"})).json()
        assert chinese["astrology"] == "Venus, edited"
        assert chinese["name"] == "皇后"
        mine = await _etags(first, "/api/v1/cards/ar03")
        assert mine == after  # the same bytes on both instances
