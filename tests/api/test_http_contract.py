"""HTTP semantics across every route: HEAD mirrors GET, and a 405 lists all allowed methods."""

import re

OPS = "ops-token-for-the-contract-tests"
PASSWORD = "correct horse battery"
UNDOCUMENTED_GETS = ("/health", "/ready")


async def sample_values(client) -> tuple[dict[str, str], dict[str, str]]:
    """Path parameter values that exist, and a user's bearer header."""
    await client.post(
        "/api/v1/auth/register", json={"email": "c@example.com", "password": PASSWORD}
    )
    login = await client.post(
        "/api/v1/auth/login", json={"email": "c@example.com", "password": PASSWORD}
    )
    auth = {"Authorization": f"Bearer {login.json()['access_token']}"}
    reading = await client.post(
        "/api/v1/readings?wait=true", json={"question": "Which way?"}, headers=auth
    )
    share = await client.post(f"/api/v1/readings/{reading.json()['id']}/share", headers=auth)
    values = {
        "card_id": "the-fool",
        "slug": "three-card",
        "reading_id": reading.json()["id"],
        "token": share.json()["token"],
        "session_id": login.json()["session_id"],
    }
    return values, auth


def concrete(path: str, values: dict[str, str]) -> str:
    return re.sub(r"\{(\w+)\}", lambda match: values[match[1]], path)


def matches(template: str, path: str) -> bool:
    return re.fullmatch(re.sub(r"\{\w+\}", "[^/]+", template), path) is not None


def documented(client) -> dict[str, set[str]]:
    paths = client.app.openapi()["paths"]
    return {path: {method.upper() for method in ops} for path, ops in paths.items()}


async def test_head_answers_like_get_on_every_get_route(make_client):
    async with make_client("postgres", ops_token=OPS) as client:
        values, auth = await sample_values(client)
        gets = [path for path, methods in documented(client).items() if "GET" in methods]
        assert len(gets) > 15
        for template in [*gets, *UNDOCUMENTED_GETS]:
            path = concrete(template, values)
            headers = {"Authorization": f"Bearer {OPS}"} if "monitoring" in path else auth
            if template == "/metrics":
                headers = {"Authorization": f"Bearer {OPS}"}
            get = await client.get(path, headers=headers)
            head = await client.head(path, headers=headers)
            assert get.status_code == 200, (path, get.text)
            assert head.status_code == 200, path
            assert head.content == b"", path
            assert head.headers["content-type"] == get.headers["content-type"], path
            if "etag" in get.headers:
                assert head.headers["etag"] == get.headers["etag"], path


async def test_a_405_lists_every_method_of_the_path(make_client):
    async with make_client("postgres", ops_token=OPS) as client:
        values, _ = await sample_values(client)
        routes = documented(client)
        for template, methods in routes.items():
            path = concrete(template, values)
            # A method the path does not take (PUT /readings/{id}/note exists).
            method = next(m for m in ("PUT", "PATCH", "POST") if m not in methods)
            refused = await client.request(method, path)
            assert refused.status_code == 405, path
            assert refused.headers["content-type"] == "application/problem+json"
            allowed = {method.strip() for method in refused.headers["allow"].split(",")}
            # Every route whose template matches: /cards/random is also /cards/{card_id}.
            expected = set().union(
                *(methods for other, methods in routes.items() if matches(other, path))
            )
            assert allowed == expected | ({"HEAD"} if "GET" in expected else set()), path
