"""The memory floor: uvicorn + FastAPI + an async engine holding one Postgres connection."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

DATABASE_URL = os.environ.get(
    "DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/tarot_bench"
).replace("postgresql://", "postgresql+asyncpg://", 1)


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Open the engine and hold one connection for the life of the app."""
    engine = create_async_engine(DATABASE_URL, pool_size=1, max_overflow=0)
    async with engine.connect() as conn:
        app.state.conn = conn
        yield
    await engine.dispose()


app = FastAPI(lifespan=lifespan)


@app.get("/ready")
async def ready() -> dict[str, str]:
    """Ping the database over the held connection."""
    await app.state.conn.execute(text("SELECT 1"))
    return {"status": "ready"}
