"""Card catalog routes, on Postgres and SQLite."""

from sqlalchemy import event

PROBLEM = "application/problem+json"


def catalog_sql_recorder(statements: list[str]):
    """An engine listener that records SQL, ignoring the reading workers' queue polling."""

    def record(_conn, _cursor, statement, *_args):
        if "reading" not in statement:
            statements.append(statement)

    return record


async def test_list_all_cards_in_deck_order(client):
    response = await client.get("/api/v1/cards", params={"limit": 100})
    assert response.status_code == 200
    page = response.json()
    assert page["total"] == 78
    assert len(page["items"]) == 78
    assert page["items"][0]["id"] == "the-fool"
    assert page["items"][-1]["id"] == "king-of-pentacles"
    assert response.headers["etag"].startswith('"')
    assert "max-age" in response.headers["cache-control"]


async def test_etag_gets_304(client):
    first = await client.get("/api/v1/cards", params={"limit": 100})
    again = await client.get(
        "/api/v1/cards", params={"limit": 100}, headers={"If-None-Match": first.headers["etag"]}
    )
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["etag"] == first.headers["etag"]
    other = await client.get(
        "/api/v1/cards", params={"limit": 100}, headers={"If-None-Match": '"stale"'}
    )
    assert other.status_code == 200


async def test_large_response_is_gzipped_when_accepted(client):
    plain = await client.get(
        "/api/v1/cards", params={"limit": 100}, headers={"Accept-Encoding": "identity"}
    )
    packed = await client.get(
        "/api/v1/cards", params={"limit": 100}, headers={"Accept-Encoding": "gzip"}
    )
    assert "content-encoding" not in plain.headers
    assert packed.headers["content-encoding"] == "gzip"
    assert int(packed.headers["content-length"]) < len(plain.content) / 2
    assert packed.json() == plain.json()  # httpx decodes gzip transparently


async def test_the_gzip_body_has_its_own_etag(client):
    def get(encoding: str, etag: str | None = None):
        headers = {"Accept-Encoding": encoding} | ({"If-None-Match": etag} if etag else {})
        return client.get("/api/v1/cards", params={"limit": 100}, headers=headers)

    plain, packed = await get("identity"), await get("gzip")
    assert packed.headers["content-encoding"] == "gzip"
    assert plain.headers["etag"] != packed.headers["etag"], "two representations, two tags"
    assert (await get("gzip", packed.headers["etag"])).status_code == 304
    assert (await get("identity", plain.headers["etag"])).status_code == 304
    # A cache holding the plain body must not be told that it is the gzip one, or vice versa.
    assert (await get("gzip", plain.headers["etag"])).status_code == 200
    assert (await get("identity", packed.headers["etag"])).status_code == 200


async def test_second_identical_request_issues_no_sql(client):
    statements: list[str] = []
    engine = client.app.state.tarot.db.engine.sync_engine
    listener = catalog_sql_recorder(statements)
    event.listen(engine, "before_cursor_execute", listener)
    try:
        await client.get("/api/v1/cards", params={"suit": "cups", "limit": 5})
        assert statements, "the first request must query the database"
        statements.clear()
        again = await client.get("/api/v1/cards", params={"suit": "cups", "limit": 5})
        await client.get("/api/v1/spreads")
        statements.clear()
        await client.get("/api/v1/spreads")
        await client.get("/api/v1/cards/ar01")
        statements.clear()
        await client.get("/api/v1/cards/ar01")
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    assert again.status_code == 200
    assert statements == []


async def test_cache_disabled_queries_every_time(make_client):
    async with make_client("sqlite", cache_enabled=False) as client:
        statements: list[str] = []
        engine = client.app.state.tarot.db.engine.sync_engine
        listener = catalog_sql_recorder(statements)
        event.listen(engine, "before_cursor_execute", listener)
        await client.get("/api/v1/cards/ar01")
        first = len(statements)
        await client.get("/api/v1/cards/ar01")
        event.remove(engine, "before_cursor_execute", listener)
        assert first > 0 and len(statements) == 2 * first


async def test_filters_and_pagination(client):
    majors = (await client.get("/api/v1/cards", params={"arcana": "major", "limit": 100})).json()
    assert majors["total"] == 22
    assert {card["arcana"] for card in majors["items"]} == {"major"}
    cups = (
        await client.get("/api/v1/cards", params={"suit": "cups", "limit": 5, "offset": 10})
    ).json()
    assert cups["total"] == 14
    assert [card["number"] for card in cups["items"]] == [11, 12, 13, 14]
    assert all(card["suit"] == "cups" for card in cups["items"])


async def test_search_matches_name_keywords_and_meanings(client):
    by_name = (await client.get("/api/v1/cards", params={"q": "MAGICIAN"})).json()
    assert [card["id"] for card in by_name["items"]] == ["the-magician"]
    keyword = (await client.get("/api/v1/cards/the-tower")).json()["keywords_upright"][0]
    by_keyword = (await client.get("/api/v1/cards", params={"q": keyword, "limit": 100})).json()
    assert "the-tower" in [card["id"] for card in by_keyword["items"]]
    nothing = (await client.get("/api/v1/cards", params={"q": "100%_zzz"})).json()
    assert nothing == {"items": [], "total": 0, "limit": 20, "offset": 0}


async def test_card_by_slug_or_code(client):
    by_slug = await client.get("/api/v1/cards/queen-of-cups")
    by_code = await client.get("/api/v1/cards/cuqu")
    assert by_slug.status_code == by_code.status_code == 200
    assert by_slug.json() == by_code.json()
    assert by_slug.json()["name"] == "Queen of Cups"


async def test_unknown_card_is_problem_404(client):
    response = await client.get("/api/v1/cards/the-programmer")
    assert response.status_code == 404
    assert response.headers["content-type"] == PROBLEM
    body = response.json()
    assert body["status"] == 404 and "the-programmer" in body["detail"]


async def test_bad_filters_are_problem_422(client):
    for params in (
        {"arcana": "middle"},
        {"suit": "coins"},
        {"limit": 0},
        {"limit": 101},
        {"offset": -1},
        {"q": ""},
        {"limit": "many"},
    ):
        response = await client.get("/api/v1/cards", params=params)
        assert response.status_code == 422, params
        assert response.headers["content-type"] == PROBLEM
        assert response.json()["errors"], params


async def test_random_cards_unique_and_reproducible(client):
    seeded = await client.get("/api/v1/cards/random", params={"n": 10, "seed": 42})
    again = await client.get("/api/v1/cards/random", params={"n": 10, "seed": 42})
    assert seeded.status_code == 200
    assert seeded.json() == again.json()
    ids = [draw["card"]["id"] for draw in seeded.json()]
    assert len(set(ids)) == 10
    everything = (await client.get("/api/v1/cards/random", params={"n": 78})).json()
    assert len({draw["card"]["id"] for draw in everything}) == 78
    upright = (
        await client.get("/api/v1/cards/random", params={"n": 78, "reversals": "false"})
    ).json()
    assert not any(draw["reversed"] for draw in upright)
    assert any(draw["reversed"] for draw in everything)


async def test_random_rejects_bad_n_and_seed(client):
    for params in ({"n": 0}, {"n": 79}, {"seed": -1}, {"seed": "abc"}, {"seed": 2**64}):
        response = await client.get("/api/v1/cards/random", params=params)
        assert response.status_code == 422, params
        assert response.headers["content-type"] == PROBLEM


async def test_daily_card_is_stable_for_the_day(client):
    first = await client.get("/api/v1/cards/daily")
    second = await client.get("/api/v1/cards/daily")
    assert first.status_code == 200
    assert first.json() == second.json()
    assert first.json()["card"]["id"]
    assert 0 < int(first.headers["cache-control"].split("max-age=")[1]) <= 86400
