"""Alembic migrations from empty to head and back, on both backends."""

import subprocess
import sys
import uuid
from pathlib import Path

import asyncpg
import pytest
from sqlalchemy import inspect
from sqlalchemy.ext.asyncio import create_async_engine

from tarot.db import HEAD_REVISION
from tarot.db.base import Base
from tarot.db.migrate import downgrade, is_ready, script_head, script_location, upgrade

ROOT = Path(__file__).resolve().parents[2]


def test_head_revision_constant_matches_alembic():
    assert script_head() == HEAD_REVISION


def test_migrations_are_found_inside_the_package_not_the_source_tree():
    import tarot

    location = Path(script_location())
    assert location.parent == Path(tarot.__file__).parent, "a wheel carries only the package"
    assert (location / "env.py").is_file() and (location / "script.py.mako").is_file()
    shipped = {path.name for path in (location / "versions").glob("*.py")}
    assert shipped == {path.name for path in (ROOT / "alembic" / "versions").glob("*.py")}


def test_the_real_alembic_library_wins_from_the_repo_root():
    # An __init__.py in the top-level alembic/ would make it shadow the library from here.
    found = subprocess.run(
        [sys.executable, "-c", "import alembic.config; print(alembic.__file__)"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    assert "site-packages" in found.stdout


async def _tables(url: str) -> set[str]:
    engine = create_async_engine(url)
    async with engine.connect() as conn:
        names = await conn.run_sync(lambda c: set(inspect(c).get_table_names()))
    await engine.dispose()
    return names


@pytest.mark.parametrize("backend", ["postgres", "sqlite"])
async def test_upgrade_then_downgrade(backend, pg_server_url, tmp_path):
    if backend == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path / 'mig.db'}"
        admin = name = None
    else:
        name = f"tarot_mig_{uuid.uuid4().hex[:8]}"
        admin = await asyncpg.connect(pg_server_url)
        await admin.execute(f'CREATE DATABASE "{name}"')
        url = (
            "postgresql+asyncpg://"
            + pg_server_url.removeprefix("postgresql://").rpartition("/")[0]
            + "/"
            + name
        )
    try:
        await upgrade(url)
        assert set(Base.metadata.tables) <= await _tables(url)
        engine = create_async_engine(url)
        assert not await is_ready(engine), "migrated but not seeded is not ready"
        await engine.dispose()
        await downgrade(url)
        assert await _tables(url) <= {"alembic_version"}
    finally:
        if admin is not None:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            await admin.close()


async def test_seeded_database_is_ready(database_urls):
    for url in database_urls.values():
        engine = create_async_engine(url)
        assert await is_ready(engine)
        await engine.dispose()
