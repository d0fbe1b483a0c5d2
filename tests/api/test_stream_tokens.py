"""A reading's `stream_url` token: streams that one reading without a header, and nothing else."""

import uuid
from datetime import UTC, datetime, timedelta

import jwt
import pytest

from api.test_accounts import new_reading, register_and_login
from api.test_readings import parse_sse
from tarot.services.stream_tokens import AUDIENCE

SECRET = "test-secret-key-that-is-long-enough-0123456789"


def token_of(reading: dict) -> str:
    return reading["stream_url"].split("?token=", 1)[1]


async def stream_text(client, url: str, **kwargs) -> tuple[int, str]:
    async with client.stream("GET", url, **kwargs) as response:
        return response.status_code, (await response.aread()).decode()


async def test_the_token_streams_an_owned_reading_without_a_header(client):
    owner = await register_and_login(client, "owner@example.com")
    reading = await new_reading(client, owner)
    path = f"/api/v1/readings/{reading['id']}/stream"
    assert reading["stream_url"] == f"http://test{path}?token={token_of(reading)}"
    assert (await client.get(path)).status_code == 404, "no token, no header: hidden"
    status, body = await stream_text(client, reading["stream_url"])
    assert status == 200
    events = parse_sse(body)
    text = "".join(e["data"]["text"] for e in events if e.get("event") == "chunk")
    assert text == reading["interpretation"] and events[-1]["event"] == "done"
    # A fresh GET hands out a fresh token for the same reading.
    again = (await client.get(f"/api/v1/readings/{reading['id']}", headers=owner)).json()
    assert again["stream_url"].startswith(f"http://test{path}?token=")


async def test_the_token_grants_nothing_else(client):
    owner = await register_and_login(client, "owner@example.com")
    reading = await new_reading(client, owner)
    other = await new_reading(client, owner)
    token = token_of(reading)
    # Not the reading itself, not its deletion, not its history, not another reading's stream.
    for method, path in (
        ("GET", f"/api/v1/readings/{reading['id']}"),
        ("DELETE", f"/api/v1/readings/{reading['id']}"),
    ):
        response = await client.request(method, path, params={"token": token})
        assert response.status_code == 404, (method, path)
    wrong = await client.get(f"/api/v1/readings/{other['id']}/stream", params={"token": token})
    assert wrong.status_code == 401
    assert wrong.headers["content-type"] == "application/problem+json"
    # Not an access token either.
    as_bearer = await client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert as_bearer.status_code == 401
    history = await client.get("/api/v1/readings", headers={"Authorization": f"Bearer {token}"})
    assert history.status_code == 401


async def test_an_access_token_is_not_a_stream_token(client):
    owner = await register_and_login(client, "owner@example.com")
    reading = await new_reading(client, owner)
    access = owner["Authorization"].removeprefix("Bearer ")
    response = await client.get(
        f"/api/v1/readings/{reading['id']}/stream", params={"token": access}
    )
    assert response.status_code == 401


def _forge(claims: dict, key: str = SECRET) -> str:
    return jwt.encode(claims, key, algorithm="HS256")


@pytest.mark.parametrize(
    "change",
    [
        {"exp": datetime.now(UTC) - timedelta(seconds=1)},  # expired
        {"aud": "tarot:something-else"},
        {"rid": "not-a-uuid"},
        {"rid": None},
        {"key": "another-secret-key-that-is-long-enough-0123"},
    ],
)
async def test_expired_foreign_and_forged_tokens_are_401(pg_client, change):
    reading = await new_reading(pg_client)
    claims = {
        "aud": AUDIENCE,
        "rid": reading["id"],
        "iat": datetime.now(UTC),
        "exp": datetime.now(UTC) + timedelta(minutes=5),
    }
    key = change.pop("key", SECRET)
    claims = {name: value for name, value in (claims | change).items() if value is not None}
    response = await pg_client.get(
        f"/api/v1/readings/{reading['id']}/stream", params={"token": _forge(claims, key)}
    )
    assert response.status_code == 401
    assert "stream token" in response.json()["detail"]


async def test_a_token_lives_as_long_as_configured(make_client):
    async with make_client("sqlite", stream_token_seconds=120) as client:
        reading = await new_reading(client, await register_and_login(client, "o@example.com"))
        claims = jwt.decode(token_of(reading), options={"verify_signature": False})
    assert claims["aud"] == AUDIENCE and claims["rid"] == reading["id"]
    assert claims["exp"] - claims["iat"] == 120
    assert "sub" not in claims


async def test_a_malformed_token_is_422_without_echoing_it(pg_client):
    response = await pg_client.get(
        f"/api/v1/readings/{uuid.uuid4()}/stream", params={"token": "<script>secret"}
    )
    assert response.status_code == 422
    assert "secret" not in response.text


async def test_an_anonymous_reading_streams_from_a_plain_url(client):
    reading = await new_reading(client)
    assert reading["stream_url"] == f"http://test/api/v1/readings/{reading['id']}/stream"
    status, body = await stream_text(client, reading["stream_url"])
    assert status == 200 and "event: done" in body


async def test_shared_views_carry_no_stream_url(client):
    owner = await register_and_login(client, "owner@example.com")
    reading = await new_reading(client, owner)
    share = await client.post(f"/api/v1/readings/{reading['id']}/share", headers=owner)
    shared = (await client.get(f"/api/v1/shared/{share.json()['token']}")).json()
    assert "stream_url" not in shared  # the public view has no token to pass on
    assert shared["interpretation"] == reading["interpretation"]
