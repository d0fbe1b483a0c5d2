"""The import graph: nothing heavy is loaded until the feature that needs it is used."""

import json
import os
import subprocess
import sys
import uuid

import pytest

from fakes.llm_servers import FakeLLMServer

# PyJWT pulls in cryptography (~10 MB): only accounts and owned readings' stream tokens need it.
HEAVY = ("openai", "google.genai", "apscheduler", "psutil", "prometheus_client", "alembic", "jwt")
HEAVY += ("swagger_ui_bundle", "argon2")
HEAVY += ("redis",)
# FastAPI's pydantic.v1 probe (blocked in tarot/api/__init__.py) and the CLI's argparse.
HEAVY += ("pydantic.v1", "argparse")

SCRIPT = """
import asyncio, json, sys, uuid
import httpx
from tarot.config import Settings
from tarot.main import create_app

HEAVY = {heavy!r}

def loaded():
    # A None entry is a blocked import, not a loaded module.
    return [name for name in HEAVY if sys.modules.get(name) is not None]

async def main():
    app = create_app(Settings(**json.loads(sys.argv[1])))
    reader = "tarot.llm.reader.compose" in sys.modules
    report = {{"after_import": loaded(), "reader_at_import": reader}}
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            assert (await client.get("/api/v1/cards?limit=100")).status_code == 200
            # Routes with parameters, their validation errors, and the lean path's answers.
            assert (await client.get("/api/v1/cards?limit=100")).status_code == 200
            assert (await client.get("/api/v1/cards?limit=0")).status_code == 422
            assert (await client.get("/api/v1/cards/the-fool?lang=es")).status_code == 200
            assert (await client.get("/api/v1/cards/random?n=2&seed=true")).status_code == 422
            report["after_catalog"] = loaded()
            reading = await client.post(
                "/api/v1/readings?wait=true", json={{"question": "Which way?", "spread": "single"}}
            )
            report["provider"] = reading.json()["provider"]
            report["after_reading"] = loaded()
            assert (await client.get("/docs")).status_code == 200
            report["after_docs_page"] = loaded()
            assert (await client.get("/docs/assets/swagger-ui.css")).status_code == 200
            report["after_docs"] = loaded()
            email = f"imports-{{uuid.uuid4().hex}}@example.com"
            account = {{"email": email, "password": "correct horse battery"}}
            assert (await client.post("/api/v1/auth/register", json=account)).status_code == 201
            tokens = (await client.post("/api/v1/auth/login", json=account)).json()
            body = {{"refresh_token": tokens["refresh_token"]}}
            assert (await client.post("/api/v1/auth/refresh", json=body)).status_code == 200
            report["after_session"] = loaded()
    print(json.dumps(report))

asyncio.run(main())
"""


def run_fresh(settings: dict) -> dict:
    """Run the app in a fresh interpreter and report which heavy modules got imported."""
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT.format(heavy=HEAVY), json.dumps(settings)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def fake() -> FakeLLMServer:
    with FakeLLMServer() as server:
        yield server


@pytest.mark.parametrize(
    ("provider", "sdk", "absent"),
    [("openai", "openai", "google.genai"), ("gemini", "google.genai", "openai")],
)
def test_sdk_is_imported_only_by_a_reading_routed_to_it(database_urls, fake, provider, sdk, absent):
    settings = {"DATABASE_URL": database_urls["sqlite"], "llm_providers": f"{provider},offline"}
    if provider == "openai":
        settings |= {"OPENAI_API_KEY": "sk-test", "openai_base_url": fake.openai_base_url}
    else:
        settings |= {"GEMINI_API_KEY": "gm-test", "gemini_base_url": fake.gemini_base_url}
    report = run_fresh(settings)
    assert report["after_import"] == []
    assert report["after_catalog"] == []
    assert report["provider"] == provider
    assert sdk in report["after_reading"]
    assert absent not in report["after_reading"]
    assert not {"apscheduler", "psutil", "prometheus_client", "alembic", "argon2"} & set(
        report["after_reading"]
    )


def test_a_provider_without_a_key_is_never_imported(database_urls):
    report = run_fresh(
        {"DATABASE_URL": database_urls["sqlite"], "llm_providers": "gemini,openai,offline"}
    )
    assert report["provider"] == "offline"
    assert report["after_reading"] == []
    assert report["reader_at_import"] is False, "the reader and its data load on first reading"


def test_eager_switch_imports_everything_for_the_benchmark(database_urls):
    report = run_fresh({"DATABASE_URL": database_urls["sqlite"], "eager_imports": True})
    assert report["after_import"] == [], "the switch acts at startup, not at import"
    assert {"openai", "google.genai", "apscheduler", "psutil", "prometheus_client"} <= set(
        report["after_catalog"]
    )


def test_swagger_ui_files_load_only_when_docs_are_opened(database_urls):
    report = run_fresh({"DATABASE_URL": database_urls["sqlite"]})
    assert "swagger_ui_bundle" not in report["after_reading"]
    assert "swagger_ui_bundle" not in report["after_docs_page"], "the page itself needs no files"
    assert "swagger_ui_bundle" in report["after_docs"]


def test_redis_is_imported_only_when_limits_are_stored_there(database_urls):
    settings = {
        "DATABASE_URL": database_urls["sqlite"],
        "rate_limit_storage": "redis://127.0.0.1:6379/0",
        "rate_limit_key_prefix": f"tarot-imports-{uuid.uuid4().hex[:12]}",
    }
    report = run_fresh(settings)
    assert report["after_import"] == [] and report["after_catalog"] == []
    assert report["after_reading"] == ["redis"], "the first limited request brings it in"


def test_sessions_load_jwt_and_argon2_only_on_first_use(database_urls):
    report = run_fresh({"DATABASE_URL": database_urls["sqlite"]})
    assert not {"jwt", "argon2"} & set(report["after_docs"]), "startup and anonymous use"
    assert {"jwt", "argon2"} <= set(report["after_session"])
    assert not {"openai", "google.genai", "apscheduler", "psutil"} & set(report["after_session"])


SERVE = """
import json, sys
import uvicorn

def run(app, **options):
    # What uvicorn.run would import and build, without serving: protocols, loop, the app.
    config = uvicorn.Config(app, **options)
    config.load()
    loaded = [name for name in {heavy!r} if sys.modules.get(name)]
    print(json.dumps({{"options": options, "loaded": loaded}}))

uvicorn.run = run
from tarot.cli import main
sys.exit(main(["serve"]))
"""


def test_tarot_serve_loads_no_argparse_nor_pydantic_v1(database_urls):
    """The server's own command line keeps argparse and pydantic.v1 out for its lifetime."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TAROT_")}
    env |= {"DATABASE_URL": database_urls["sqlite"], "TAROT_LLM_PROVIDERS": "offline"}
    result = subprocess.run(
        [sys.executable, "-c", SERVE.format(heavy=HEAVY)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env=env,
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["loaded"] == []
    assert report["options"]["http"] == "httptools" and report["options"]["loop"] == "asyncio"
