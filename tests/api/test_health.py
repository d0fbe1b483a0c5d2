"""Liveness and readiness."""

from tarot.db.session import create_database


async def test_health_and_ready(client):
    for path in ("/health", "/api/v1/health"):
        assert (await client.get(path)).json() == {"status": "ok"}
    ready = await client.get("/ready")
    assert ready.status_code == 200 and ready.json()["status"] == "ready"


async def test_ready_is_503_when_database_unreachable(pg_client, make_settings):
    app = pg_client.app
    healthy_db = app.state.tarot.db
    app.state.tarot.db = create_database(
        make_settings(DATABASE_URL="postgresql+asyncpg://postgres@127.0.0.1:1/none")
    )
    try:
        response = await pg_client.get("/ready")
    finally:
        await app.state.tarot.db.dispose()
        app.state.tarot.db = healthy_db
    assert response.status_code == 503
    assert response.headers["content-type"] == "application/problem+json"
    assert int(response.headers["retry-after"]) > 0
    assert "unreachable" in response.json()["detail"]


async def test_unknown_route_is_problem_404(client):
    response = await client.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"


async def test_openapi_documents_catalog(client):
    schema = (await client.get("/openapi.json")).json()
    for path in (
        "/api/v1/cards",
        "/api/v1/cards/{card_id}",
        "/api/v1/cards/random",
        "/api/v1/spreads/{slug}",
    ):
        assert path in schema["paths"]
