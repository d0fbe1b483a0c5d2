"""Accounts, ownership, share links and abuse limits: the whole flow and its negative paths."""

import uuid
from datetime import UTC, datetime, timedelta

import jwt
import pytest

PROBLEM = "application/problem+json"
PASSWORD = "correct horse battery"


async def register_and_login(client, email: str) -> dict:
    created = await client.post(
        "/api/v1/auth/register", json={"email": email, "password": PASSWORD}
    )
    assert created.status_code == 201, created.text
    login = await client.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
    assert login.status_code == 200
    token = login.json()
    assert token["token_type"] == "bearer" and token["expires_in"] > 0
    return {"Authorization": f"Bearer {token['access_token']}"}


async def new_reading(client, headers=None) -> dict:
    response = await client.post(
        "/api/v1/readings",
        params={"wait": True},
        json={"question": "Where am I headed?", "spread": "three-card"},
        headers=headers or {},
    )
    assert response.status_code == 201, response.text
    return response.json()


async def test_the_whole_account_flow(client):
    alice = await register_and_login(client, "  Alice@Example.COM ")
    me = (await client.get("/api/v1/me", headers=alice)).json()
    assert me["email"] == "alice@example.com" and me["role"] == "user"

    owned = await new_reading(client, alice)
    anonymous = await new_reading(client)
    history = (await client.get("/api/v1/readings", headers=alice)).json()
    assert [item["id"] for item in history["items"]] == [owned["id"]]

    shared = await client.post(f"/api/v1/readings/{owned['id']}/share", headers=alice)
    assert shared.status_code == 201
    token = shared.json()["token"]
    assert len(token) >= 22  # at least 128 bits, URL-safe base64
    assert shared.json()["url"].endswith(f"/api/v1/shared/{token}")
    again = await client.post(f"/api/v1/readings/{owned['id']}/share", headers=alice)
    assert again.json()["token"] == token, "one link per reading"

    public = await client.get(f"/api/v1/shared/{token}")
    assert public.status_code == 200
    assert public.json()["interpretation"] == owned["interpretation"]
    assert not {"attempts", "usage", "error", "seed"} & set(public.json()), "internals stay in"
    assert public.json()["cards"] == owned["cards"]
    assert (await client.delete(f"/api/v1/shared/{token}")).status_code == 405, "read-only"

    assert (
        await client.delete(f"/api/v1/readings/{owned['id']}/share", headers=alice)
    ).status_code == 204
    assert (await client.get(f"/api/v1/shared/{token}")).status_code == 404

    assert (await client.delete("/api/v1/me", headers=alice)).status_code == 204
    assert (await client.get("/api/v1/me", headers=alice)).status_code == 401
    gone = await client.get(f"/api/v1/readings/{owned['id']}")
    assert gone.status_code == 404, "the account's readings went with it"
    assert (await client.get(f"/api/v1/readings/{anonymous['id']}")).status_code == 200


async def test_another_user_sees_404_for_an_owned_reading(client):
    alice = await register_and_login(client, "alice@example.com")
    mallory = await register_and_login(client, "mallory@example.com")
    owned = await new_reading(client, alice)
    url = f"/api/v1/readings/{owned['id']}"
    for headers in ({}, mallory):
        for method, path in (("GET", url), ("GET", f"{url}/stream"), ("DELETE", url)):
            response = await client.request(method, path, headers=headers)
            assert response.status_code == 404, (method, path, headers)
            assert response.headers["content-type"] == PROBLEM
        assert (await client.post(f"{url}/share", headers=headers or mallory)).status_code == 404
    listed = await client.get("/api/v1/readings", params={"ids": [owned["id"]]})
    assert listed.json()["total"] == 0, "anonymous listing never reveals owned readings"
    assert (await client.get(url, headers=alice)).status_code == 200


async def test_anonymous_reading_cannot_be_shared(client):
    alice = await register_and_login(client, "alice@example.com")
    anonymous = await new_reading(client)
    response = await client.post(f"/api/v1/readings/{anonymous['id']}/share", headers=alice)
    assert response.status_code == 404
    assert (await client.post(f"/api/v1/readings/{anonymous['id']}/share")).status_code == 401


async def test_registration_rules(client):
    ok = {"email": "bob@example.com", "password": PASSWORD}
    assert (await client.post("/api/v1/auth/register", json=ok)).status_code == 201
    duplicate = await client.post("/api/v1/auth/register", json=ok | {"email": "BOB@example.com"})
    assert duplicate.status_code == 409
    assert duplicate.headers["content-type"] == PROBLEM
    for bad in ({"password": "short"}, {"email": "not-an-email"}, {"email": ""}):
        response = await client.post("/api/v1/auth/register", json=ok | bad)
        assert response.status_code == 422, bad


async def test_wrong_password_and_unknown_email_look_the_same(client):
    await register_and_login(client, "carol@example.com")
    wrong = await client.post(
        "/api/v1/auth/login", json={"email": "carol@example.com", "password": "x" * 12}
    )
    unknown = await client.post(
        "/api/v1/auth/login", json={"email": "nobody@example.com", "password": "x" * 12}
    )
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json()["detail"] == unknown.json()["detail"]


def _forge(claims: dict, key: str, algorithm: str = "HS256") -> dict:
    return {"Authorization": f"Bearer {jwt.encode(claims, key, algorithm=algorithm)}"}


async def test_expired_forged_and_malformed_tokens_are_401(pg_client, make_settings):
    headers = await register_and_login(pg_client, "dave@example.com")
    me = (await pg_client.get("/api/v1/me", headers=headers)).json()
    key = make_settings().secret_key.get_secret_value()
    past = datetime.now(UTC) - timedelta(hours=1)
    cases = {
        "expired": _forge({"sub": me["id"], "exp": past}, key),
        "wrong key": _forge({"sub": me["id"], "exp": past + timedelta(days=1)}, "k" * 40),
        "no exp": _forge({"sub": me["id"]}, key),
        "alg none": {
            "Authorization": "Bearer "
            + jwt.encode({"sub": me["id"], "exp": past + timedelta(days=1)}, None, algorithm="none")
        },
        "unknown user": _forge({"sub": str(uuid.uuid4()), "exp": past + timedelta(days=1)}, key),
        "garbage": {"Authorization": "Bearer not.a.token"},
        "wrong scheme": {"Authorization": "Basic abc"},
    }
    for name, forged in cases.items():
        response = await pg_client.get("/api/v1/me", headers=forged)
        assert response.status_code == 401, name
        assert response.headers["content-type"] == PROBLEM
        created = await pg_client.post(
            "/api/v1/readings", json={"question": "q", "spread": "single"}, headers=forged
        )
        assert created.status_code == 401, f"{name}: a bad token is never treated as anonymous"


async def test_admin_routes_need_the_admin_role(pg_client, restore_catalog):
    user = await register_and_login(pg_client, "erin@example.com")
    for headers, status in (({}, 401), (user, 403)):
        patch = await pg_client.patch("/api/v1/cards/ar01", json={"name": "X"}, headers=headers)
        assert patch.status_code == status
        clear = await pg_client.post("/api/v1/admin/cache/clear", headers=headers)
        assert clear.status_code == status


async def test_over_the_limit_is_429_with_retry_after(make_client):
    limits = {
        "rate_readings_anonymous": "3/minute",
        "rate_readings_user": "5/minute",
        "rate_auth": "4/minute",
    }
    async with make_client("postgres", **limits) as client:
        body = {"question": "q", "spread": "single"}
        codes = [(await client.post("/api/v1/readings", json=body)).status_code for _ in range(4)]
        assert codes == [202, 202, 202, 429]
        refused = await client.post("/api/v1/readings", json=body)
        assert refused.headers["content-type"] == PROBLEM
        assert 1 <= int(refused.headers["retry-after"]) <= 60

        attempts = [
            (
                await client.post(
                    "/api/v1/auth/login", json={"email": "x@example.com", "password": "y" * 12}
                )
            ).status_code
            for _ in range(5)
        ]
        assert attempts == [401, 401, 401, 401, 429]


async def test_authenticated_readings_have_their_own_budget(make_client):
    limits = {"rate_readings_anonymous": "1/minute", "rate_readings_user": "3/minute"}
    async with make_client("postgres", **limits) as client:
        client.app.state.tarot.settings.rate_auth = "100/minute"
        headers = await register_and_login(client, "frank@example.com")
        body = {"question": "q", "spread": "single"}
        assert (await client.post("/api/v1/readings", json=body)).status_code == 202
        assert (await client.post("/api/v1/readings", json=body)).status_code == 429
        codes = [
            (await client.post("/api/v1/readings", json=body, headers=headers)).status_code
            for _ in range(4)
        ]
        assert codes == [202, 202, 202, 429]


async def test_two_users_behind_one_ip_each_get_their_own_budget(make_client):
    """Signed-in callers are counted by account: one user's spending leaves another's alone."""
    async with make_client("postgres", rate_readings_user="2/minute") as client:
        client.app.state.tarot.settings.rate_auth = "100/minute"
        first = await register_and_login(client, "gina@example.com")
        second = await register_and_login(client, "hal@example.com")
        body = {"question": "q", "spread": "single"}

        async def spend(headers: dict) -> list[int]:
            return [
                (await client.post("/api/v1/readings", json=body, headers=headers)).status_code
                for _ in range(3)
            ]

        assert await spend(first) == [202, 202, 429]
        assert await spend(second) == [202, 202, 429]  # the same client IP as the first


@pytest.mark.parametrize("path", ["/api/v1/readings", "/api/v1/auth/register"])
async def test_oversize_body_is_413(pg_client, path):
    response = await pg_client.post(
        path,
        content=b'{"question": "' + b"x" * 20_000 + b'"}',
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 413
    assert response.headers["content-type"] == PROBLEM


async def test_cors_allows_only_configured_origins(make_client):
    preflight = {"Origin": "https://app.example", "Access-Control-Request-Method": "POST"}
    async with make_client("postgres") as closed:
        response = await closed.options("/api/v1/readings", headers=preflight)
        assert "access-control-allow-origin" not in response.headers
    async with make_client("postgres", cors_origins="https://app.example") as open_:
        response = await open_.options("/api/v1/readings", headers=preflight)
        assert response.headers["access-control-allow-origin"] == "https://app.example"
        other = await open_.options(
            "/api/v1/readings", headers=preflight | {"Origin": "https://evil.example"}
        )
        assert "access-control-allow-origin" not in other.headers


async def test_chunked_oversize_body_is_413(pg_client):
    async def chunks():
        for _ in range(20):
            yield b"x" * 1024

    response = await pg_client.post(
        "/api/v1/readings", content=chunks(), headers={"content-type": "application/json"}
    )
    assert response.status_code == 413
    assert response.headers["content-type"] == PROBLEM


async def test_concurrent_share_requests_get_one_link(pg_client):
    import asyncio

    alice = await register_and_login(pg_client, "hana@example.com")
    owned = await new_reading(pg_client, alice)
    url = f"/api/v1/readings/{owned['id']}/share"
    responses = await asyncio.gather(*(pg_client.post(url, headers=alice) for _ in range(4)))
    assert {r.status_code for r in responses} == {201}
    assert len({r.json()["token"] for r in responses}) == 1
