"""The cookie flow in real headless Chromium, as a web frontend on the app's origin runs it.

Log in with ?mode=cookie, call the API with the short access token, let it expire, refresh
with the httpOnly cookie plus X-CSRF-Token, and log out. The page's script never sees the
refresh token; a refresh without the CSRF header is refused.
"""

from __future__ import annotations

import asyncio
import json

import pytest

PASSWORD = "correct horse battery"

# The few lines a frontend needs; `api` answers [status, body or null].
HELPERS = """
window.api = async (path, {method = 'GET', token, csrf, body} = {}) => {
  const headers = {};
  if (token) headers['Authorization'] = 'Bearer ' + token;
  if (csrf) headers['X-CSRF-Token'] = csrf;
  if (body) headers['Content-Type'] = 'application/json';
  const response = await fetch('/api/v1' + path, {
    method, headers, body: body && JSON.stringify(body), credentials: 'same-origin',
  });
  const text = await response.text();
  return [response.status, text ? JSON.parse(text) : null];
};
window.csrfCookie = () =>
  (document.cookie.split('; ').find((c) => c.startsWith('tarot_csrf=')) || '').slice(11);
true
"""


@pytest.fixture(scope="module")
def session_server(start_live_server):
    """A live server whose access tokens last three seconds."""
    with start_live_server(TAROT_ACCESS_TOKEN_MINUTES=str(3 / 60)) as server:
        yield server


async def call(page, path: str, **options) -> tuple[int, dict | None]:
    status, body = await page.evaluate(f"api({json.dumps(path)}, {json.dumps(options)})")
    return status, body


async def browser_cookies(page, server) -> dict[str, dict]:
    """The cookies Chromium would send to the refresh path."""
    urls = [f"{server.url}/api/v1/auth/refresh"]
    cookies = (await page.send("Network.getCookies", {"urls": urls}))["cookies"]
    return {cookie["name"]: cookie for cookie in cookies}


async def test_cookie_login_refresh_after_expiry_and_logout(page, session_server):
    await page.send("Network.enable")
    await page.goto(f"{session_server.url}/docs")  # any page the app serves: its origin
    assert await page.evaluate(HELPERS) is True
    credentials = {"email": "browser@example.com", "password": PASSWORD}
    assert (await call(page, "/auth/register", method="POST", body=credentials))[0] == 201

    status, login = await call(page, "/auth/login?mode=cookie", method="POST", body=credentials)
    assert status == 200 and login["refresh_token"] is None
    cookies = await browser_cookies(page, session_server)
    refresh = cookies["tarot_refresh"]
    assert refresh["httpOnly"] and refresh["secure"] and refresh["sameSite"] == "Lax"
    assert refresh["path"] == "/api/v1/auth"
    seen_by_script = await page.evaluate("document.cookie")
    assert "tarot_refresh" not in seen_by_script, "the page's script cannot read it"
    assert await page.evaluate("csrfCookie()") == login["csrf_token"]
    assert (await call(page, "/me", token=login["access_token"]))[0] == 200

    await asyncio.sleep(3.2)  # the three-second access token is now expired
    assert (await call(page, "/me", token=login["access_token"]))[0] == 401

    refused, _ = await call(page, "/auth/refresh", method="POST")
    assert refused == 403, "the cookie alone is not enough: CSRF"
    csrf = await page.evaluate("csrfCookie()")
    status, renewed = await call(page, "/auth/refresh", method="POST", csrf=csrf)
    assert status == 200 and renewed["refresh_token"] is None
    assert (await browser_cookies(page, session_server))["tarot_refresh"]["value"] != refresh[
        "value"
    ], "rotated"
    status, me = await call(page, "/me", token=renewed["access_token"])
    assert status == 200 and me["email"] == credentials["email"]

    status, _ = await call(
        page, "/auth/logout", method="POST", csrf=await page.evaluate("csrfCookie()")
    )
    assert status == 204
    assert "tarot_refresh" not in await browser_cookies(page, session_server), (
        "logout clears the cookie"
    )
    assert (await call(page, "/me", token=renewed["access_token"]))[0] == 401
    assert (await call(page, "/auth/refresh", method="POST", csrf=csrf))[0] == 401
