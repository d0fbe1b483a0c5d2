"""Secrets never reach logs, responses or error bodies."""

import logging

import pytest

from fakes.llm_servers import FakeLLMServer
from tarot.config import Settings
from tarot.main import create_app

PASSWORD = "hunter2-but-longer"
OPENAI_KEY = "sk-live-0123456789abcdef"
GEMINI_KEY = "AIza-gemini-secret-key"
OPS_TOKEN = "ops-token-very-secret"
SECRET = "jwt-signing-secret-0123456789-abcdefghij"


async def test_a_full_flow_leaks_no_secret(make_client, caplog):
    recorded: list[str] = []
    with FakeLLMServer() as fake, caplog.at_level(logging.DEBUG):
        fake.script = ["401", "401"]  # the fake echoes the key it got into its error body
        settings = {
            "llm_providers": "gemini,openai,offline",
            "OPENAI_API_KEY": OPENAI_KEY,
            "openai_base_url": fake.openai_base_url,
            "GEMINI_API_KEY": GEMINI_KEY,
            "gemini_base_url": fake.gemini_base_url,
            "ops_token": OPS_TOKEN,
            "secret_key": SECRET,
        }
        async with make_client("postgres", **settings) as client:
            creds = {"email": "gina@example.com", "password": PASSWORD}
            recorded.append((await client.post("/api/v1/auth/register", json=creds)).text)
            login = await client.post("/api/v1/auth/login", json=creds)
            token = login.json()["access_token"]
            auth = {"Authorization": f"Bearer {token}"}
            bad = await client.post("/api/v1/auth/login", json=creds | {"password": "wrong-" * 3})
            recorded.append(bad.text)
            reading = await client.post(
                "/api/v1/readings",
                params={"wait": True},
                json={"question": "Will the secret stay secret?", "spread": "single"},
                headers=auth,
            )
            recorded.append(reading.text)
            for path in ("/api/v1/monitoring/providers", "/metrics", "/api/v1/monitoring/memory"):
                ops = {"Authorization": f"Bearer {OPS_TOKEN}"}
                recorded.append((await client.get(path, headers=ops)).text)
            recorded.append((await client.get("/api/v1/me", headers=auth)).text)
            recorded.append((await client.get("/openapi.json")).text)
            recorded.append(repr(client.app.state.tarot.settings))
    assert reading.json()["provider"] == "offline"
    assert [a["outcome"] for a in reading.json()["attempts"]] == ["auth", "auth", "ok"]
    logs = "\n".join(record.getMessage() for record in caplog.records)
    logs += "\n".join(str(record.exc_info) for record in caplog.records if record.exc_info)
    haystack = logs + "\n".join(recorded)
    for secret in (PASSWORD, OPENAI_KEY, GEMINI_KEY, OPS_TOKEN, SECRET, token):
        assert secret not in haystack, f"a secret leaked: {secret[:6]}…"


def test_production_refuses_to_start_without_a_real_key(database_urls):
    for key in (None, "changeme", "short"):
        app = create_app(
            Settings(DATABASE_URL=database_urls["sqlite"], env="production", secret_key=key)
        )

        async def start(app=app):
            async with app.router.lifespan_context(app):
                pass

        with pytest.raises(RuntimeError, match="TAROT_SECRET_KEY"):
            import asyncio

            asyncio.run(start())
