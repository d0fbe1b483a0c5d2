"""Async alembic environment that works on Postgres and SQLite alike."""

import asyncio

from alembic import context
from sqlalchemy.ext.asyncio import create_async_engine

from tarot.config import get_settings
from tarot.db import models  # noqa: F401 - registers the tables on the metadata
from tarot.db.base import Base

target_metadata = Base.metadata


def _url() -> str:
    # A caller (tests, `tarot db upgrade`) may pass a URL explicitly; otherwise the environment.
    return context.config.attributes.get("database_url") or get_settings().database_url


def run_migrations_offline() -> None:
    context.configure(url=_url(), target_metadata=target_metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def _run_sync(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


async def run_migrations_online() -> None:
    engine = create_async_engine(_url(), hide_parameters=True)
    async with engine.connect() as connection:
        await connection.run_sync(_run_sync)
    await engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    asyncio.run(run_migrations_online())
