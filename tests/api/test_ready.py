"""The lean path for cached catalog GETs answers exactly as the FastAPI routes do."""

import asyncio
import re

import pytest

from tarot.api.ready import ReadyCatalog
from tarot.services.accounts import create_admin

ORIGIN = "https://app.example"
FAST = (
    "/api/v1/cards",
    "/api/v1/cards?limit=100",
    "/api/v1/cards?limit=30&offset=5&arcana=major&lang=es",
    "/api/v1/cards?suit=cups",
    "/api/v1/cards/the-fool",
    "/api/v1/cards/AR01",
    "/api/v1/cards/daily",
    "/api/v1/spreads",
    "/api/v1/spreads/celtic-cross?lang=zh-TW",
    "/tarotapi/api/v1/cards",
    "/tarotapi/api/v1/cards/",
    "/tarotapi/api/v1/cards/cuqu",
    "/tarotapi/api/v1/cards/ar01/",
)
VARIANTS = (
    {},
    {"Accept-Encoding": "gzip"},
    {"Accept-Language": "zh-TW,es;q=0.5", "Accept-Encoding": "br, gzip;q=0.5"},
    {"Origin": ORIGIN},
)
# Left to FastAPI: queries this layer does not read, and what the routes refuse or redirect.
FALL_THROUGH = (
    ("/api/v1/cards?q=love", 200),
    ("/api/v1/cards?limit=100&limit=5", 200),
    ("/api/v1/cards?limit=%31%30", 200),
    ("/api/v1/cards?limit=0", 422),
    ("/api/v1/cards?limit=020", 200),
    ("/api/v1/cards?arcana=middle", 422),
    ("/api/v1/cards?unknown=1", 200),
    ("/api/v1/cards/the-fool?lang=<b>", 422),
    ("/api/v1/cards/", 307),
    ("/api/v1/cards/random?seed=3", 200),
    ("/api/v1/cards/no-such-card", 404),
    ("/api/v1/cards/the-fool%0A", 422),  # Python's `$` would match before the newline
    ("/api/v1/spreads/single%0A", 422),
    ("/api/v1/spreads/no-such-spread", 404),
    ("/tarotapi/api/v1/cards/zz99", 404),
    ("/tarotapi/api/v1/cards/random", 200),
)


def ready_layer(app) -> ReadyCatalog:
    """The app's ReadyCatalog instance, found down the built middleware stack."""
    layer = app.middleware_stack
    while not isinstance(layer, ReadyCatalog):
        layer = layer.app
    return layer


def comparable(response) -> tuple:
    """Status, body and every header; the daily max-age may tick down a second in between."""
    daily = response.request.url.path.endswith("/daily")
    headers = [
        (name, re.sub(r"max-age=\d+", "max-age=N", value) if daily else value)
        for name, value in response.headers.multi_items()
    ]
    return response.status_code, response.content, headers


async def fast_and_slow(client, method: str, path: str, headers: dict) -> tuple:
    """The same request answered by the route (cache cleared) and then by the lean layer."""
    app = client.app
    app.state.tarot.catalog_cache.invalidate()
    slow = await client.request(method, path, headers=headers)
    layer = ready_layer(app)
    answered = layer.answered
    fast = await client.request(method, path, headers=headers)
    assert layer.answered == answered + 1, f"{method} {path} was not answered by the layer"
    return slow, fast


@pytest.fixture
async def cors_client(make_client):
    async with make_client("postgres", cors_origins=ORIGIN) as client:
        yield client


@pytest.mark.parametrize("path", FAST)
async def test_the_layer_answers_as_the_route_does(cors_client, path):
    for headers in VARIANTS:
        for method in ("GET", "HEAD"):
            slow, fast = await fast_and_slow(cors_client, method, path, headers)
            assert slow.status_code == 200, (method, path, headers)
            assert comparable(fast) == comparable(slow), (method, path, headers)
        if headers.get("Origin") and not path.startswith("/tarotapi"):
            assert fast.headers["access-control-allow-origin"] == ORIGIN
        if headers.get("Accept-Language") and not path.startswith("/tarotapi"):
            assert fast.headers["content-language"] == "zh-TW" or "lang=" in path
        if "gzip" in headers.get("Accept-Encoding", "") and len(slow.content) > 1024:
            assert fast.headers["content-encoding"] == "gzip"


@pytest.mark.parametrize("path", [p for p in FAST if not p.startswith("/tarotapi")])
async def test_conditional_get_on_the_layer_is_a_304(cors_client, path):
    for headers in ({}, {"Accept-Encoding": "gzip"}, {"Accept-Language": "es"}):
        etag = (await cors_client.get(path, headers=headers)).headers["etag"]
        conditional = headers | {"If-None-Match": etag}
        slow, fast = await fast_and_slow(cors_client, "GET", path, conditional)
        assert fast.status_code == slow.status_code == 304
        assert comparable(fast) == comparable(slow)
        assert "Accept-Language" in fast.headers["vary"]


@pytest.mark.parametrize(("path", "status"), FALL_THROUGH)
async def test_what_the_layer_cannot_key_goes_to_fastapi(pg_client, path, status):
    for warm in ("/api/v1/cards", "/api/v1/cards/the-fool", "/api/v1/spreads/single"):
        assert (await pg_client.get(warm)).status_code == 200  # cached, near each path
    layer = None
    for _ in range(2):  # the second time the route's body is cached, if it caches one
        response = await pg_client.get(path, follow_redirects=False)
        assert response.status_code == status
        layer = layer or ready_layer(pg_client.app)
        answered = layer.answered
    assert layer.answered == answered


async def test_the_layer_is_counted_in_the_metrics(pg_client):
    http = pg_client.app.state.tarot.metrics.http
    for method in ("GET", "HEAD"):
        key = (method, "/api/v1/cards/{card_id}", "2xx")
        await pg_client.request(method, "/api/v1/cards/ar05")
        before, answered = sum(http[key].counts), ready_layer(pg_client.app).answered
        await pg_client.request(method, "/api/v1/cards/ar05")
        assert ready_layer(pg_client.app).answered == answered + 1
        assert sum(http[key].counts) == before + 1
    compat = ("GET", "/tarotapi/api/v1/cards/{name_short}/", "2xx")
    await pg_client.get("/tarotapi/api/v1/cards/ar05/")
    await pg_client.get("/tarotapi/api/v1/cards/ar05/")
    assert sum(http[compat].counts) == 2
    assert not any(route == "unmatched" for _, route, _ in http)


async def test_no_rate_limit_is_skipped_by_the_layer(pg_client):
    """The layer runs no dependency, so none of the routes it answers may carry a limit."""
    from fastapi.routing import iter_route_contexts

    await pg_client.get("/api/v1/cards/ar01")
    await pg_client.get("/api/v1/cards/ar01")  # builds the layer's route table
    templates = set(ready_layer(pg_client.app)._routes)
    served = {
        "/api/v1/cards",
        "/api/v1/cards/daily",
        "/api/v1/cards/{card_id}",
        "/api/v1/spreads",
        "/api/v1/spreads/{slug}",
        "/tarotapi/api/v1/cards/{name_short}",
    }
    assert served <= templates
    for context in iter_route_contexts(pg_client.app.routes):
        if context.path in served and "GET" in context.methods:
            stack = [context.dependant]
            while stack:
                dependant = stack.pop()
                errors = getattr(dependant.call, "documented_errors", ())
                assert 429 not in errors, f"{context.path} is rate limited: teach api/ready.py"
                stack.extend(dependant.dependencies)


async def test_a_disabled_cache_leaves_everything_to_fastapi(make_client):
    async with make_client("postgres", cache_enabled=False) as client:
        for _ in range(2):
            assert (await client.get("/api/v1/cards/ar01")).status_code == 200
        assert ready_layer(client.app).answered == 0


async def _admin_headers(client) -> dict:
    async with client.app.state.tarot.db.sessionmaker.begin() as session:
        await create_admin(session=session, email="ready@example.com", password="a" * 12)
    login = await client.post(
        "/api/v1/auth/login", json={"email": "ready@example.com", "password": "a" * 12}
    )
    return {"Authorization": f"Bearer {login.json()['access_token']}"}


async def test_edits_reach_the_layer_here_and_on_another_instance(make_client):
    async with make_client("postgres") as first, make_client("postgres") as second:
        admin = await _admin_headers(first)
        paths = ("/api/v1/cards/ar04", "/api/v1/cards?limit=100")
        before = {}
        for client in (first, second):
            for path in paths:
                await client.get(path)
                before[client, path] = (await client.get(path)).headers["etag"]
        original = (await first.get(paths[0])).json()["description"]
        try:
            edit = await first.patch(paths[0], json={"description": "Edited."}, headers=admin)
            assert edit.status_code == 200
            for client in (first, second):
                for path in paths:
                    for _ in range(40):  # the other instance hears of it by NOTIFY
                        if (await client.get(path)).headers["etag"] != before[client, path]:
                            break
                        await asyncio.sleep(0.05)
                    answered = ready_layer(client.app).answered
                    again = await client.get(path)  # now cached again, so the layer's
                    assert ready_layer(client.app).answered == answered + 1
                    assert again.headers["etag"] != before[client, path]
                    assert "Edited." in again.text
        finally:
            await first.patch(paths[0], json={"description": original}, headers=admin)
