"""The application's shared state: one typed container instead of an untyped `app.state` bag."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    # Types only: importing this module must stay cheap (APScheduler is loaded on demand).
    from apscheduler.schedulers.asyncio import AsyncIOScheduler
    from starlette.applications import Starlette

    from tarot.config import Settings
    from tarot.db.session import Database
    from tarot.llm.chain import ProviderChain
    from tarot.services.cache import Cache, CachedBody
    from tarot.services.invalidation import Listener
    from tarot.services.memory import MemoryGuard
    from tarot.services.metrics import Metrics
    from tarot.services.pipeline.workers import ReadingQueue
    from tarot.services.ratelimit import RateLimiter
    from tarot.services.sessions import SessionCache


@dataclass(slots=True)
class AppState:
    """What routes, middleware and jobs share; stored once as `app.state.tarot`.

    create_app() fills the first four members, which middleware needs before startup. The
    lifespan opens the rest: reading one of those before startup is an AttributeError, as it
    was with the untyped bag, rather than a None every reader would have to check.
    """

    settings: Settings
    metrics: Metrics
    limiter: RateLimiter
    session_cache: SessionCache
    db: Database = field(init=False)
    catalog_cache: Cache[Any, Any] = field(init=False)
    caches: list[Cache[Any, Any]] = field(init=False)
    memory: MemoryGuard = field(init=False)
    llm: ProviderChain = field(init=False)
    queue: ReadingQueue = field(init=False)
    listener: Listener | None = None  # Postgres only
    scheduler: AsyncIOScheduler | None = None  # TAROT_SCHEDULER_ENABLED only
    openapi_body: CachedBody | None = None  # built on the first GET /openapi.json


def state_of(app: Starlette) -> AppState:
    """The app's typed state; the one place that reads `app.state`."""
    state: AppState = app.state.tarot
    return state
