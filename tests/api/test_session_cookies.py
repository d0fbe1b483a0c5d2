"""Cookie mode: the refresh cookie's attributes, CSRF on refresh and logout, credentialed CORS."""

import pytest

from tarot.config import Settings

PROBLEM = "application/problem+json"
PASSWORD = "correct horse battery"
ORIGIN = "https://app.example"


async def cookie_login(client, email: str) -> tuple[dict, str]:
    """Register and log in with ?mode=cookie; the body and the raw refresh cookie."""
    body = {"email": email, "password": PASSWORD}
    assert (await client.post("/api/v1/auth/register", json=body)).status_code == 201
    response = await client.post("/api/v1/auth/login", params={"mode": "cookie"}, json=body)
    assert response.status_code == 200, response.text
    return response.json(), refresh_cookie(response)


def cookie_headers(response) -> dict[str, str]:
    return {header.split("=", 1)[0]: header for header in response.headers.get_list("set-cookie")}


def refresh_cookie(response) -> str:
    """The value of the refresh cookie a response set (httpx keeps Secure cookies off http)."""
    return cookie_headers(response)["tarot_refresh"].split(";", 1)[0].split("=", 1)[1]


def sending(cookie: str, csrf: str | None = None) -> dict[str, str]:
    """Headers a browser would send to the refresh path: the cookie, and the CSRF header."""
    headers = {"Cookie": f"tarot_refresh={cookie}"}
    return headers | ({"X-CSRF-Token": csrf} if csrf else {})


async def test_cookie_login_sets_an_httponly_secure_lax_cookie_on_the_auth_path(client):
    body = {"email": "lu@example.com", "password": PASSWORD}
    assert (await client.post("/api/v1/auth/register", json=body)).status_code == 201
    response = await client.post("/api/v1/auth/login", params={"mode": "cookie"}, json=body)
    tokens = response.json()
    assert tokens["refresh_token"] is None, "the token is never readable by the page's script"
    assert tokens["csrf_token"]
    cookies = cookie_headers(response)
    refresh = cookies["tarot_refresh"].lower()
    for attribute in ("httponly", "secure", "samesite=lax", "path=/api/v1/auth", "max-age="):
        assert attribute in refresh, attribute
    csrf = cookies["tarot_csrf"].lower()
    assert "httponly" not in csrf and "secure" in csrf and "samesite=lax" in csrf
    assert tokens["csrf_token"] in cookies["tarot_csrf"]


async def test_cookie_refresh_needs_the_csrf_header(client):
    tokens, cookie = await cookie_login(client, "mo@example.com")
    missing = await client.post("/api/v1/auth/refresh", headers=sending(cookie))
    assert missing.status_code == 403 and missing.headers["content-type"] == PROBLEM
    forged = await client.post("/api/v1/auth/refresh", headers=sending(cookie, "0" * 64))
    assert forged.status_code == 403
    # Nothing was rotated by the refused attempts: the right header still works.
    good = await client.post("/api/v1/auth/refresh", headers=sending(cookie, tokens["csrf_token"]))
    assert good.status_code == 200, good.text
    assert good.json()["refresh_token"] is None
    assert "tarot_refresh" in cookie_headers(good), "the cookie rotates too"
    me = await client.get(
        "/api/v1/me", headers={"Authorization": f"Bearer {good.json()['access_token']}"}
    )
    assert me.status_code == 200


async def test_a_csrf_token_of_another_session_is_refused(client):
    first, _ = await cookie_login(client, "ned@example.com")
    _, second_cookie = await cookie_login(client, "ora@example.com")
    response = await client.post(
        "/api/v1/auth/refresh", headers=sending(second_cookie, first["csrf_token"])
    )
    assert response.status_code == 403


async def test_cookie_logout_needs_the_csrf_header_and_clears_the_cookies(client):
    tokens, cookie = await cookie_login(client, "pia@example.com")
    assert (await client.post("/api/v1/auth/logout", headers=sending(cookie))).status_code == 403
    access = {"Authorization": f"Bearer {tokens['access_token']}"}
    assert (await client.get("/api/v1/me", headers=access)).status_code == 200
    done = await client.post("/api/v1/auth/logout", headers=sending(cookie, tokens["csrf_token"]))
    assert done.status_code == 204
    for name, header in cookie_headers(done).items():
        assert "max-age=0" in header.lower(), f"{name} is cleared"
    assert (await client.get("/api/v1/me", headers=access)).status_code == 401
    again = await client.post("/api/v1/auth/refresh", headers=sending(cookie, tokens["csrf_token"]))
    assert again.status_code == 401


async def test_cookie_replay_revokes_and_clears(client):
    tokens, old = await cookie_login(client, "quin@example.com")
    csrf = tokens["csrf_token"]
    rotated = await client.post("/api/v1/auth/refresh", headers=sending(old, csrf))
    assert rotated.status_code == 200
    new = refresh_cookie(rotated)
    replay = await client.post("/api/v1/auth/refresh", headers=sending(old, csrf))
    assert replay.status_code == 401
    assert "max-age=0" in cookie_headers(replay)["tarot_refresh"].lower(), "cleared"
    assert (
        await client.post("/api/v1/auth/refresh", headers=sending(new, csrf))
    ).status_code == 401


async def test_cors_with_credentials_only_for_configured_origins(make_client):
    preflight = {
        "Origin": ORIGIN,
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "x-csrf-token, content-type",
    }
    async with make_client("postgres", cors_origins=ORIGIN) as client:
        allowed = await client.options("/api/v1/auth/refresh", headers=preflight)
        assert allowed.status_code == 200
        assert allowed.headers["access-control-allow-origin"] == ORIGIN
        assert allowed.headers["access-control-allow-credentials"] == "true"
        assert "x-csrf-token" in allowed.headers["access-control-allow-headers"].lower()
        evil = await client.options(
            "/api/v1/auth/refresh", headers=preflight | {"Origin": "https://evil.example"}
        )
        assert "access-control-allow-origin" not in evil.headers
        simple = await client.post("/api/v1/auth/refresh", headers={"Origin": ORIGIN})
        assert simple.headers["access-control-allow-origin"] == ORIGIN, "never *"


@pytest.mark.parametrize("origins", ["*", "https://a.example,*"])
def test_a_wildcard_origin_is_refused(origins):
    with pytest.raises(ValueError, match="not allowed"):
        Settings(cors_origins=origins)


async def test_a_stale_access_token_sent_along_does_not_block_refresh_or_logout(client):
    tokens, cookie = await cookie_login(client, "rae@example.com")
    stale = {"Authorization": "Bearer expired.or.garbage"}
    csrf = tokens["csrf_token"]
    renewed = await client.post("/api/v1/auth/refresh", headers=sending(cookie, csrf) | stale)
    assert renewed.status_code == 200, "an interceptor adding the old token must not break it"
    newer = refresh_cookie(renewed)
    done = await client.post("/api/v1/auth/logout", headers=sending(newer, csrf) | stale)
    assert done.status_code == 204
    again = await client.post("/api/v1/auth/refresh", headers=sending(newer, csrf))
    assert again.status_code == 401
