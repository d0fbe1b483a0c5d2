"""The application factory and its lifespan."""

from __future__ import annotations

import asyncio
import contextlib
import importlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from tarot import __version__
from tarot.api import (
    accounts,
    admin,
    cards,
    daily,
    docs,
    follow_ups,
    health,
    monitoring,
    notes,
    pages,
    readings,
    sessions,
    shared,
    spreads,
    tarotapi,
)
from tarot.api.middleware import BodySizeLimit, CORSExcept, HeadAsGet, MetricsMiddleware
from tarot.api.openapi import build_document, operation_id
from tarot.api.ready import ReadyCatalog
from tarot.api.routing import register
from tarot.config import Settings, get_settings
from tarot.db.session import create_database
from tarot.errors import register_error_handlers
from tarot.llm.chain import ProviderChain
from tarot.services.accounts import signing_key
from tarot.services.cache import Cache, invalidate_all
from tarot.services.invalidation import Listener, catalog_channel
from tarot.services.memory import MemoryGuard
from tarot.services.metrics import Metrics
from tarot.services.pipeline import store as queue_store
from tarot.services.pipeline.workers import ReadingQueue
from tarot.services.ratelimit import RateLimiter
from tarot.services.sessions import new_cache as new_session_cache
from tarot.services.shutdown import drain_on_signals
from tarot.state import AppState, state_of

EAGER_MODULES = (
    "tarot.llm.openai_provider",
    "tarot.llm.gemini_provider",
    "tarot.services.scheduler",
    "psutil",
    "prometheus_client",
)


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Open the database, caches, workers and (if enabled) the scheduler; close them after."""
    state = state_of(app)
    settings = state.settings
    signing_key(settings)  # refuse to start in production without a real secret key
    if settings.eager_imports:
        for module in EAGER_MODULES:
            importlib.import_module(module)
    state.db = create_database(settings)
    state.catalog_cache = Cache(
        "catalog",
        maxsize=settings.cache_maxsize,
        ttl=settings.cache_ttl_seconds,
        enabled=settings.cache_enabled,
    )
    state.caches = [state.catalog_cache]
    state.memory = MemoryGuard(
        soft_mb=settings.memory_soft_limit_mb,
        hard_mb=settings.memory_hard_limit_mb,
        caches=state.caches,
    )
    state.llm = ProviderChain(settings)
    state.queue = ReadingQueue(
        db=state.db,
        settings=settings,
        factory=state.llm,
        cache=state.catalog_cache,
        metrics=state.metrics,
    )
    state.listener = None
    if state.db.is_postgres:
        # Listening before the workers start: their first sweep covers all that came earlier.
        state.listener = Listener(
            dsn=settings.database_url.replace("postgresql+asyncpg://", "postgresql://", 1),
            channels=catalog_channel(lambda: invalidate_all(state.caches))
            | {queue_store.CHANNEL: lambda missed: state.queue.wake(sweep=missed)},
        )
        await state.listener.start()
    state.queue.start()
    undo_signals = drain_on_signals(state.queue.drain)
    watcher = asyncio.create_task(_watch_memory(state.memory, settings.memory_check_seconds))
    state.scheduler = None
    if settings.scheduler_enabled:
        from tarot.services.scheduler import start_scheduler

        state.scheduler = start_scheduler(
            db=state.db,
            queue=state.queue,
            cache=state.catalog_cache,
            guard=state.memory,
            factory=state.llm,
            retention_days=settings.reading_retention_days,
            idempotency_ttl_seconds=settings.idempotency_ttl_seconds,
            image_base_url=settings.image_base_url,
        )
    try:
        yield
    finally:
        undo_signals()
        if state.scheduler is not None:
            state.scheduler.shutdown(wait=False)
            state.scheduler.remove_all_jobs()
        if state.listener is not None:
            await state.listener.stop()
        watcher.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await watcher
        await state.queue.stop()
        await state.llm.aclose()
        await state.db.dispose()


async def _watch_memory(guard: MemoryGuard, every: float) -> None:
    if guard.soft is None and guard.hard is None:
        return
    while True:
        guard.check()
        await asyncio.sleep(every)


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the FastAPI app; nothing heavy is imported or connected here."""
    settings = settings or get_settings()
    app = FastAPI(
        title="Tarot Reading API",
        version=__version__,
        summary="Rider-Waite-Smith cards, spreads and readings, lean on memory.",
        lifespan=lifespan,
        # api/docs.py serves both, the document as bytes built on first request.
        openapi_url=None,
        docs_url=None,
        redoc_url=None,
        generate_unique_id_function=operation_id,
    )
    # Replacing app.openapi is FastAPI's documented hook for a custom schema; mypy flags any
    # method assignment, so the ignore names only that code.
    app.openapi = lambda: build_document(app)  # type: ignore[method-assign]
    app.state.tarot = state = AppState(
        settings=settings,
        metrics=Metrics(),
        limiter=RateLimiter(
            storage_uri=settings.rate_limit_storage, key_prefix=settings.rate_limit_key_prefix
        ),
        session_cache=new_session_cache(settings),
    )
    app.add_middleware(HeadAsGet)  # innermost: metrics and CORS still see the HEAD
    # Cached catalog GETs are answered here, past FastAPI's dependency resolution.
    app.add_middleware(ReadyCatalog, state=state)
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_body_bytes)
    app.add_middleware(MetricsMiddleware, metrics=state.metrics)
    # Added last so it is outermost: error answers (413, 429) carry CORS headers too.
    # Credentials (the refresh cookie) only for the listed origins; config refuses "*".
    if origins := settings.cors_origin_list:
        app.add_middleware(
            CORSExcept,
            prefix=tarotapi.PREFIX,
            allow_origins=origins,
            allow_credentials=True,
            allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
            allow_headers=[
                "Authorization",
                "Content-Type",
                "If-None-Match",
                "Last-Event-ID",
                "Idempotency-Key",
                "X-CSRF-Token",
            ],
            expose_headers=["ETag", "Location", "Retry-After", "Idempotent-Replayed"],
        )
    register_error_handlers(app)

    # Ops routes answer 404 without TAROT_OPS_TOKEN, so the schema leaves them out then.
    ops_enabled = settings.ops_token is not None
    areas = (cards, spreads, readings, follow_ups, notes, shared, accounts, sessions, daily)
    # Built here, once, on the app itself (api/routing.py), not copied in by include_router.
    for area in (*areas, admin, monitoring, health):
        shown = area is not monitoring or ops_enabled
        register(app, area.router, prefix="/api/v1", include_in_schema=shown)
    # Platforms probe and scrape the root paths; the versioned copies are what the docs show.
    register(app, health.router, include_in_schema=False)
    register(app, monitoring.metrics_router, include_in_schema=ops_enabled)
    register(app, tarotapi.router)
    register(app, docs.router)
    # The demo page and the package's static files: card faces and the page's assets.
    register(app, pages.router)
    app.mount("/static", pages.static_files(), name="static")
    return app
