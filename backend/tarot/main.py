"""The application factory and its lifespan."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import APIRouter, FastAPI

from tarot import __version__
from tarot.api import cards, health, readings, spreads
from tarot.config import Settings, get_settings
from tarot.db.session import create_database
from tarot.errors import register_error_handlers
from tarot.llm.factory import ProviderFactory
from tarot.services.cache import Cache
from tarot.services.queue import ReadingQueue


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Open the database and caches at startup; release them at shutdown."""
    settings: Settings = app.state.settings
    app.state.db = create_database(settings)
    app.state.catalog_cache = Cache(
        "catalog",
        maxsize=settings.cache_maxsize,
        ttl=settings.cache_ttl_seconds,
        enabled=settings.cache_enabled,
    )
    app.state.llm = ProviderFactory(settings)
    app.state.queue = ReadingQueue(
        db=app.state.db, settings=settings, factory=app.state.llm, cache=app.state.catalog_cache
    )
    app.state.queue.start()
    try:
        yield
    finally:
        await app.state.queue.stop()
        await app.state.llm.aclose()
        await app.state.db.dispose()


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the FastAPI app; nothing heavy is imported or connected here."""
    app = FastAPI(
        title="Tarot Reading API",
        version=__version__,
        summary="Rider-Waite-Smith cards, spreads and readings, lean on memory.",
        lifespan=lifespan,
    )
    app.state.settings = settings or get_settings()
    register_error_handlers(app)

    v1 = APIRouter(prefix="/api/v1")
    v1.include_router(cards.router)
    v1.include_router(spreads.router)
    v1.include_router(readings.router)
    v1.include_router(health.router)
    app.include_router(v1)
    # Platforms probe the root paths; the versioned copies are what the docs show.
    app.include_router(health.router, include_in_schema=False)
    return app
