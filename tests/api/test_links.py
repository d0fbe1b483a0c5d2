"""Links we hand out (Location, share URLs) come from TAROT_PUBLIC_URL, never from Host."""

import uuid

import pytest
from starlette.routing import NoMatchFound

from tarot.api.http import path_for
from tarot.main import create_app

PASSWORD = "correct horse battery"
EVIL = {"Host": "evil.example"}


async def links(client) -> tuple[str, str, str]:
    """(reading id, its Location, its share URL), every request sent with a forged Host."""
    await client.post(
        "/api/v1/auth/register", json={"email": "l@example.com", "password": PASSWORD}, headers=EVIL
    )
    login = await client.post(
        "/api/v1/auth/login", json={"email": "l@example.com", "password": PASSWORD}, headers=EVIL
    )
    auth = EVIL | {"Authorization": f"Bearer {login.json()['access_token']}"}
    made = await client.post("/api/v1/readings", json={"question": "Where to?"}, headers=auth)
    assert made.status_code == 202
    reading_id = made.json()["id"]
    share = await client.post(f"/api/v1/readings/{reading_id}/share", headers=auth)
    assert share.status_code == 201
    return reading_id, made.headers["location"], share.json()["url"]


async def test_without_a_public_url_links_are_relative(make_client):
    async with make_client("postgres") as client:
        reading_id, location, share = await links(client)
        assert location == f"/api/v1/readings/{reading_id}"
        assert share.startswith("/api/v1/shared/")
        assert (await client.get(share)).status_code == 200, "the relative link works"


@pytest.mark.parametrize("base", ["https://tarot.example.com", "https://example.com/tarot/"])
async def test_a_public_url_makes_links_absolute(make_client, base):
    async with make_client("postgres", public_url=base) as client:
        reading_id, location, share = await links(client)
        root = base.rstrip("/")
        assert location == f"{root}/api/v1/readings/{reading_id}"
        assert share.startswith(f"{root}/api/v1/shared/")
        assert "evil" not in location + share


def test_a_public_url_must_be_an_http_base(make_settings):
    with pytest.raises(ValueError, match="public_url"):
        make_settings(public_url="evil.example/x?y")


@pytest.mark.parametrize("base", [None, "https://tarot.example.com"])
async def test_a_follow_ups_location_ignores_host_too(make_client, base):
    async with make_client("postgres", public_url=base) as client:
        made = await client.post("/api/v1/readings", json={"question": "Where to?"}, headers=EVIL)
        follow_up = await client.post(
            f"/api/v1/readings/{made.json()['id']}/follow-ups",
            json={"question": "And then?"},
            headers=EVIL,
        )
        assert follow_up.status_code == 202
        path = f"/api/v1/readings/{follow_up.json()['id']}"
        assert follow_up.headers["location"] == (base or "") + path


def test_path_for_builds_what_the_router_builds(make_settings):
    app = create_app(make_settings("sqlite"))
    reading_id = uuid.uuid4()
    for name in ("get_reading", "stream_reading", "get_reading", "list_readings"):
        params = {} if name == "list_readings" else {"reading_id": reading_id}
        assert path_for(app, name, **params) == app.url_path_for(name, **params)
    with pytest.raises(NoMatchFound):
        path_for(app, "stream_reading")  # the route is kept, its parameters are still checked
    with pytest.raises(NoMatchFound):
        path_for(app, "no_such_route")
