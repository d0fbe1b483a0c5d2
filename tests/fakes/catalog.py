"""The catalog as a test found it, put back however the test ended."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager

from sqlalchemy import select, update

from tarot.config import Settings
from tarot.db.models import Card, Spread
from tarot.db.session import create_database


@asynccontextmanager
async def catalog_restored(urls: Iterable[str]) -> AsyncIterator[None]:
    """Snapshot the cards and spreads of each database; put back any row changed on exit."""
    tables = (Card.__table__, Spread.__table__)

    async def rows(conn, table) -> dict:
        (key,) = table.primary_key.columns
        return {row[key.name]: dict(row) for row in (await conn.execute(select(table))).mappings()}

    saved = {}
    for url in urls:
        db = create_database(Settings(DATABASE_URL=url))
        async with db.engine.connect() as conn:
            saved[url] = {table: await rows(conn, table) for table in tables}
        await db.dispose()
    try:
        yield
    finally:
        for url, before in saved.items():
            db = create_database(Settings(DATABASE_URL=url))
            async with db.engine.begin() as conn:
                for table in tables:
                    (key,) = table.primary_key.columns
                    now = await rows(conn, table)
                    for ident, row in before[table].items():
                        if now.get(ident) != row:
                            await conn.execute(update(table).where(key == ident).values(**row))
            await db.dispose()
