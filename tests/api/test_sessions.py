"""Sessions through the HTTP API: rotation, reuse detection, expiry, logout, password change."""

import asyncio
import logging

from sqlalchemy import func, select

from tarot.db.models import AuthSession, RefreshToken

PROBLEM = "application/problem+json"
PASSWORD = "correct horse battery"
NEW_PASSWORD = "a brand new passphrase"


async def login(client, email: str, *, register: bool = True, device: str = "phone") -> dict:
    if register:
        body = {"email": email, "password": PASSWORD}
        assert (await client.post("/api/v1/auth/register", json=body)).status_code == 201
    response = await client.post(
        "/api/v1/auth/login", json={"email": email, "password": PASSWORD, "device_name": device}
    )
    assert response.status_code == 200, response.text
    return response.json()


def bearer(tokens: dict) -> dict:
    return {"Authorization": f"Bearer {tokens['access_token']}"}


async def refresh(client, token: str):
    return await client.post("/api/v1/auth/refresh", json={"refresh_token": token})


async def test_login_issues_a_short_access_token_and_an_opaque_refresh_token(client):
    tokens = await login(client, "ann@example.com")
    assert tokens["expires_in"] == 15 * 60
    assert tokens["refresh_expires_in"] == 30 * 24 * 3600
    assert len(tokens["refresh_token"]) >= 43, "at least 256 bits, URL-safe base64"
    assert tokens["csrf_token"] is None, "only cookie mode gets a CSRF token"
    async with client.app.state.tarot.db.sessionmaker() as session:
        stored = list(await session.scalars(select(RefreshToken.token_hash)))
    assert tokens["refresh_token"] not in stored, "the database keeps only a hash"
    assert len(stored) == 1 and len(stored[0]) == 64
    me = await client.get("/api/v1/me", headers=bearer(tokens))
    assert me.status_code == 200


async def test_refresh_rotates_and_the_old_token_stops_working(client):
    first = await login(client, "bo@example.com")
    second = (await refresh(client, first["refresh_token"])).json()
    assert second["refresh_token"] != first["refresh_token"]
    assert second["session_id"] == first["session_id"], "same session, new tokens"
    assert (await client.get("/api/v1/me", headers=bearer(second))).status_code == 200
    third = await refresh(client, second["refresh_token"])
    assert third.status_code == 200
    unknown = await refresh(client, "not-a-token-we-issued")
    assert unknown.status_code == 401 and unknown.headers["content-type"] == PROBLEM


async def test_reusing_a_rotated_token_revokes_the_whole_session(client, caplog):
    first = await login(client, "cy@example.com")
    other_device = await login(client, "cy@example.com", register=False, device="laptop")
    second = (await refresh(client, first["refresh_token"])).json()
    with caplog.at_level(logging.WARNING, logger="tarot.sessions"):
        replay = await refresh(client, first["refresh_token"])
    assert replay.status_code == 401 and replay.headers["content-type"] == PROBLEM
    assert "already used" in replay.json()["detail"]
    logged = " ".join(record.getMessage() for record in caplog.records)
    assert first["session_id"] in logged
    assert first["refresh_token"] not in logged and second["refresh_token"] not in logged
    # The attacker's or the victim's newer token: both are dead, and so is the access token.
    assert (await refresh(client, second["refresh_token"])).status_code == 401
    assert (await client.get("/api/v1/me", headers=bearer(second))).status_code == 401
    # Another device of the same account is a separate family and keeps working.
    assert (await client.get("/api/v1/me", headers=bearer(other_device))).status_code == 200
    assert (await refresh(client, other_device["refresh_token"])).status_code == 200


async def test_concurrent_refreshes_with_one_token_rotate_once(pg_client):
    tokens = await login(pg_client, "dee@example.com")
    answers = await asyncio.gather(*(refresh(pg_client, tokens["refresh_token"]) for _ in range(4)))
    assert sorted(a.status_code for a in answers) == [200, 401, 401, 401]


async def test_access_tokens_expire_and_a_refresh_brings_a_new_one(make_client):
    async with make_client("sqlite", access_token_minutes=1 / 60) as client:
        tokens = await login(client, "eli@example.com")
        assert tokens["expires_in"] == 1
        await asyncio.sleep(2.1)  # PyJWT compares whole seconds
        expired = await client.get("/api/v1/me", headers=bearer(tokens))
        assert expired.status_code == 401
        renewed = (await refresh(client, tokens["refresh_token"])).json()
        assert (await client.get("/api/v1/me", headers=bearer(renewed))).status_code == 200


async def test_a_session_past_its_expiry_cannot_refresh(client):
    client.app.state.tarot.settings.refresh_token_days = 1 / 86400  # one second
    tokens = await login(client, "fay@example.com")
    assert tokens["refresh_expires_in"] <= 1
    await asyncio.sleep(1.2)
    assert (await refresh(client, tokens["refresh_token"])).status_code == 401
    listed = await client.get("/api/v1/me/sessions", headers=bearer(tokens))
    assert listed.status_code == 401, "an expired session's access token stops working too"
    client.app.state.tarot.settings.refresh_token_days = 30
    fresh = await login(client, "fay@example.com", register=False)
    async with client.app.state.tarot.db.sessionmaker() as session:
        count = await session.scalar(select(func.count()).select_from(AuthSession))
    assert count == 1, "a login clears the account's expired sessions"
    assert (await client.get("/api/v1/me", headers=bearer(fresh))).status_code == 200


async def test_logout_by_refresh_token_or_access_token(client):
    one = await login(client, "gus@example.com")
    two = await login(client, "gus@example.com", register=False, device="tablet")
    body = {"refresh_token": one["refresh_token"]}
    assert (await client.post("/api/v1/auth/logout", json=body)).status_code == 204
    assert (await refresh(client, one["refresh_token"])).status_code == 401
    assert (await client.get("/api/v1/me", headers=bearer(one))).status_code == 401
    assert (await client.post("/api/v1/auth/logout", headers=bearer(two))).status_code == 204
    assert (await client.get("/api/v1/me", headers=bearer(two))).status_code == 401
    assert (await refresh(client, two["refresh_token"])).status_code == 401
    nothing = await client.post("/api/v1/auth/logout")
    assert nothing.status_code == 401 and nothing.headers["content-type"] == PROBLEM


async def test_list_and_revoke_sessions(client):
    phone = await login(client, "hal@example.com", device="phone")
    laptop = await login(client, "hal@example.com", register=False, device="laptop")
    listed = (await client.get("/api/v1/me/sessions", headers=bearer(phone))).json()
    assert {s["device_name"] for s in listed} == {"phone", "laptop"}
    assert [s["current"] for s in listed if s["id"] == phone["session_id"]] == [True]
    assert [s["current"] for s in listed if s["id"] == laptop["session_id"]] == [False]
    gone = await client.delete(f"/api/v1/me/sessions/{laptop['session_id']}", headers=bearer(phone))
    assert gone.status_code == 204
    assert (await client.get("/api/v1/me", headers=bearer(laptop))).status_code == 401
    assert (await refresh(client, laptop["refresh_token"])).status_code == 401
    again = await client.delete(
        f"/api/v1/me/sessions/{laptop['session_id']}", headers=bearer(phone)
    )
    assert again.status_code == 404, "a revoked session is gone"
    remaining = (await client.get("/api/v1/me/sessions", headers=bearer(phone))).json()
    assert [s["id"] for s in remaining] == [phone["session_id"]]


async def test_password_change_needs_the_current_one_and_ends_other_sessions(client):
    here = await login(client, "ivy@example.com")
    there = await login(client, "ivy@example.com", register=False, device="old phone")
    wrong = await client.post(
        "/api/v1/me/password",
        json={"current_password": "not the password", "new_password": NEW_PASSWORD},
        headers=bearer(here),
    )
    assert wrong.status_code == 403 and wrong.headers["content-type"] == PROBLEM
    assert (await client.get("/api/v1/me", headers=bearer(there))).status_code == 200
    changed = await client.post(
        "/api/v1/me/password",
        json={"current_password": PASSWORD, "new_password": NEW_PASSWORD},
        headers=bearer(here),
    )
    assert changed.status_code == 204
    assert (await client.get("/api/v1/me", headers=bearer(there))).status_code == 401
    assert (await refresh(client, there["refresh_token"])).status_code == 401
    assert (await client.get("/api/v1/me", headers=bearer(here))).status_code == 200
    assert (await refresh(client, here["refresh_token"])).status_code == 200
    old = {"email": "ivy@example.com", "password": PASSWORD}
    assert (await client.post("/api/v1/auth/login", json=old)).status_code == 401
    new = {"email": "ivy@example.com", "password": NEW_PASSWORD}
    assert (await client.post("/api/v1/auth/login", json=new)).status_code == 200


async def test_new_password_is_hashed_with_the_argon2_parameters(pg_client):
    from tarot.db.models import User
    from tarot.services.passwords import MEMORY_COST_KIB, PARALLELISM, TIME_COST

    tokens = await login(pg_client, "jo@example.com")
    body = {"current_password": PASSWORD, "new_password": NEW_PASSWORD}
    response = await pg_client.post("/api/v1/me/password", json=body, headers=bearer(tokens))
    assert response.status_code == 204
    async with pg_client.app.state.tarot.db.sessionmaker() as session:
        stored = await session.scalar(select(User.password_hash))
    assert stored.startswith("$argon2id$")
    assert f"m={MEMORY_COST_KIB},t={TIME_COST},p={PARALLELISM}" in stored


async def test_bad_session_input_is_a_clear_4xx(client):
    tokens = await login(client, "kit@example.com")
    for body in ({"refresh_token": ""}, {"refresh_token": "a\x00b"}, {"other": "x"}):
        assert (await client.post("/api/v1/auth/refresh", json=body)).status_code == 422
    assert (await client.post("/api/v1/auth/refresh")).status_code == 401
    short = {"current_password": PASSWORD, "new_password": "short"}
    response = await client.post("/api/v1/me/password", json=short, headers=bearer(tokens))
    assert response.status_code == 422 and response.headers["content-type"] == PROBLEM
    bad_id = await client.delete("/api/v1/me/sessions/not-a-uuid", headers=bearer(tokens))
    assert bad_id.status_code == 422
    mode = await client.post(
        "/api/v1/auth/login",
        params={"mode": "jar"},
        json={"email": "kit@example.com", "password": PASSWORD},
    )
    assert mode.status_code == 422


async def test_session_routes_authz_matrix(client):
    alice = await login(client, "lea@example.com")
    mallory = await login(client, "mal@example.com")
    target = f"/api/v1/me/sessions/{alice['session_id']}"
    routes = (
        ("GET", "/api/v1/me/sessions", None),
        ("DELETE", target, None),
        ("POST", "/api/v1/me/password", {"current_password": PASSWORD, "new_password": "x" * 12}),
    )
    for method, path, body in routes:
        anonymous = await client.request(method, path, json=body)
        assert anonymous.status_code == 401, (method, path)
        assert anonymous.headers["content-type"] == PROBLEM
    assert (await client.delete(target, headers=bearer(mallory))).status_code == 404
    theirs = (await client.get("/api/v1/me/sessions", headers=bearer(mallory))).json()
    assert [s["id"] for s in theirs] == [mallory["session_id"]], "only your own sessions"
    # Mallory's own logout ends only Mallory's session.
    assert (await client.post("/api/v1/auth/logout", headers=bearer(mallory))).status_code == 204
    assert (await client.get("/api/v1/me", headers=bearer(alice))).status_code == 200
    assert (await client.delete(target, headers=bearer(alice))).status_code == 204
