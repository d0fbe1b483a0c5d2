"""Spread catalog routes."""


async def test_list_spreads(client):
    response = await client.get("/api/v1/spreads")
    assert response.status_code == 200
    slugs = [spread["slug"] for spread in response.json()]
    assert slugs[:2] == ["single", "three-card"]
    assert {"celtic-cross", "horseshoe", "yes-no", "relationship"} <= set(slugs)


async def test_get_spread_positions_in_order(client):
    response = await client.get("/api/v1/spreads/celtic-cross")
    assert response.status_code == 200
    positions = response.json()["positions"]
    assert [p["position"] for p in positions] == list(range(1, 11))
    cached = await client.get(
        "/api/v1/spreads/celtic-cross", headers={"If-None-Match": response.headers["etag"]}
    )
    assert cached.status_code == 304


async def test_unknown_spread_lists_known_ones(client):
    response = await client.get("/api/v1/spreads/pentagram")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert "celtic-cross" in response.json()["detail"]
