"""Ops routes: auth, shape and truth."""

import pytest

from fakes.llm_servers import FakeLLMServer

TOKEN = "ops-secret-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
ROUTES = (
    "/api/v1/monitoring/memory",
    "/api/v1/monitoring/providers",
    "/api/v1/monitoring/cache",
    "/api/v1/monitoring/queue",
    "/metrics",
)


@pytest.mark.parametrize("path", ROUTES)
async def test_routes_do_not_exist_without_an_ops_token(pg_client, path):
    response = await pg_client.get(path, headers=AUTH)
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize("path", ROUTES)
async def test_routes_need_the_right_bearer_token(make_client, path):
    async with make_client("postgres", ops_token=TOKEN) as client:
        for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": TOKEN}):
            response = await client.get(path, headers=headers)
            assert response.status_code == 401, headers
            assert response.headers["www-authenticate"] == "Bearer"
            assert TOKEN not in response.text
        assert (await client.get(path, headers=AUTH)).status_code == 200
        assert (await client.get("/health")).status_code == 200, "probes stay public"


async def test_memory_report(make_client):
    async with make_client("postgres", ops_token=TOKEN, memory_soft_limit_mb=4096) as client:
        body = (await client.get("/api/v1/monitoring/memory", headers=AUTH)).json()
    assert 10 < body["rss_mb"] < 2048
    assert body["peak_rss_mb"] >= body["rss_mb"] * 0.9
    assert body["vms_mb"] > body["rss_mb"]
    assert body["threads"] >= 1 and body["open_fds"] > 0
    assert len(body["gc_counts"]) == 3
    assert body["limits"] == {"soft_limit_mb": 4096, "hard_limit_mb": None, "level": "ok"}
    assert body["uptime_seconds"] >= 0


async def test_cache_report_counts_hits(make_client):
    async with make_client("postgres", ops_token=TOKEN) as client:
        await client.get("/api/v1/cards/ar01")
        await client.get("/api/v1/cards/ar01")
        [catalog] = (await client.get("/api/v1/monitoring/cache", headers=AUTH)).json()["caches"]
    assert catalog["name"] == "catalog"
    assert catalog["hits"] >= 1 and catalog["misses"] >= 1
    assert catalog["size"] >= 1 and catalog["maxsize"] == 512 and catalog["ttl_seconds"] == 3600


async def test_queue_report(make_client):
    async with make_client(
        "postgres", ops_token=TOKEN, worker_concurrency=0, reading_inline_offline=False
    ) as client:
        for _ in range(2):
            await client.post("/api/v1/readings", json={"question": "q", "spread": "single"})
        body = (await client.get("/api/v1/monitoring/queue", headers=AUTH)).json()
    assert body["counts"]["pending"] == 2
    assert body["oldest_pending_age_seconds"] >= 0
    assert body["workers"] == 0


async def test_loaded_providers_tell_the_truth(make_client):
    with FakeLLMServer() as fake:
        settings = {
            "ops_token": TOKEN,
            "llm_providers": "openai,offline",
            "OPENAI_API_KEY": "sk-test",
            "openai_base_url": fake.openai_base_url,
        }
        async with make_client("postgres", **settings) as client:
            before = (await client.get("/api/v1/monitoring/providers", headers=AUTH)).json()
            reading = await client.post(
                "/api/v1/readings",
                params={"wait": True},
                json={"question": "q", "spread": "single"},
            )
            after = (await client.get("/api/v1/monitoring/providers", headers=AUTH)).json()
    assert before["available_providers"] == ["openai", "offline"]
    assert before["loaded_providers"] == []
    assert reading.json()["provider"] == "openai"
    assert after["loaded_providers"] == ["openai"]
    assert after["sdk_modules_imported"]["openai"] is True
    [openai] = [p for p in after["providers"] if p["name"] == "openai"]
    assert openai["calls"] == 1 and openai["circuit"] == "closed"
    assert openai["mean_latency_ms"] > 0
    assert "sk-test" not in str(after)


async def test_metrics_exposition(make_client):
    async with make_client("postgres", ops_token=TOKEN) as client:
        await client.get("/api/v1/cards/ar01")
        await client.get("/api/v1/cards/nope")
        await client.post(
            "/api/v1/readings", params={"wait": True}, json={"question": "q", "spread": "single"}
        )
        response = await client.get("/metrics", headers=AUTH)
    text = response.text
    assert response.headers["content-type"].startswith("text/plain")
    assert "process_resident_memory_bytes" in text
    card_route = 'method="GET",route="/api/v1/cards/{card_id}"'
    assert f'tarot_http_requests_total{{{card_route},status_class="2xx"}} 1.0' in text
    assert 'route="/api/v1/cards/{card_id}",status_class="4xx"' in text
    assert "tarot_http_request_duration_seconds_bucket" in text
    assert 'tarot_cache_hits_total{cache="catalog"}' in text
    assert 'tarot_readings_total{outcome="completed",provider="offline"} 1.0' in text
    assert 'tarot_provider_latency_seconds_count{provider="offline"} 1.0' in text


async def test_unknown_methods_share_one_label(make_client):
    async with make_client("postgres", ops_token=TOKEN) as client:
        for index in range(5):
            await client.request(f"X{index}", "/health")
        metrics = client.app.state.tarot.metrics
        methods = {method for method, _route, _status in metrics.http}
    assert "OTHER" in methods
    assert not any(method.startswith("X") for method in methods)
