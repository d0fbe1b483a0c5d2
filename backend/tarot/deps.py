"""Annotated dependency aliases used by the routers.

Every dependency is `async def`: a sync one would be run in anyio's thread pool, and that
thread (with its own malloc arena) costs more idle memory and latency than it is worth.
"""

from __future__ import annotations

import hmac
import uuid
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession

from tarot.config import Settings
from tarot.db.models import User
from tarot.db.outage import is_database_outage
from tarot.db.session import Database
from tarot.errors import Forbidden, NotFound, Unauthorized
from tarot.llm.chain import ProviderChain
from tarot.services import accounts as account_service
from tarot.services import sessions as session_service
from tarot.services.cache import Cache
from tarot.services.memory import MemoryGuard
from tarot.services.metrics import Metrics
from tarot.services.pipeline.workers import ReadingQueue
from tarot.services.ratelimit import RateLimiter
from tarot.state import AppState, state_of


async def get_state(request: Request) -> AppState:
    """The app's typed state, for a route that needs more than one member's alias."""
    return state_of(request.app)


StateDep = Annotated[AppState, Depends(get_state)]


# One per member. Each reads the container itself rather than depending on get_state: one
# dependency fewer for FastAPI to solve on every request.
async def get_settings_dep(request: Request) -> Settings:
    return state_of(request.app).settings


async def get_db(request: Request) -> Database:
    return state_of(request.app).db


async def get_catalog_cache(request: Request) -> Cache:
    return state_of(request.app).catalog_cache


async def get_caches(request: Request) -> list[Cache]:
    return state_of(request.app).caches


async def get_memory(request: Request) -> MemoryGuard:
    return state_of(request.app).memory


async def get_llm(request: Request) -> ProviderChain:
    return state_of(request.app).llm


async def get_queue(request: Request) -> ReadingQueue:
    return state_of(request.app).queue


async def get_metrics(request: Request) -> Metrics:
    return state_of(request.app).metrics


async def get_limiter(request: Request) -> RateLimiter:
    return state_of(request.app).limiter


async def get_session_cache(request: Request) -> session_service.SessionCache:
    return state_of(request.app).session_cache


async def require_ops(request: Request) -> None:
    """Ops routes need `TAROT_OPS_TOKEN` as a bearer token; without one set they don't exist."""
    expected = state_of(request.app).settings.ops_token
    if expected is None:
        raise NotFound(f"No route matches {request.url.path}")
    scheme, _, given = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(
        given.strip().encode(), expected.get_secret_value().encode()
    ):
        raise Unauthorized("This route needs the ops bearer token.")


# The dependencies every reading request solves (the session, the caller, the rate limit) read
# the state container themselves: each sub-dependency is one more solve per request.
async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    """A session per request: committed when the route succeeds, rolled back otherwise."""
    async with state_of(request.app).db.sessionmaker() as session:
        try:
            yield session
        except BaseException as exc:
            if is_database_outage(exc):
                # A rollback would wait on the same dead or frozen connection: drop it instead.
                await session.invalidate()
            else:
                await session.rollback()
            raise
        else:
            await session.commit()


SettingsDep = Annotated[Settings, Depends(get_settings_dep)]
DbDep = Annotated[Database, Depends(get_db)]
CatalogCacheDep = Annotated[Cache, Depends(get_catalog_cache)]
CachesDep = Annotated[list[Cache], Depends(get_caches)]
MemoryDep = Annotated[MemoryGuard, Depends(get_memory)]
ProvidersDep = Annotated[ProviderChain, Depends(get_llm)]
OpsAccess = Depends(require_ops)
QueueDep = Annotated[ReadingQueue, Depends(get_queue)]
MetricsDep = Annotated[Metrics, Depends(get_metrics)]
LimiterDep = Annotated[RateLimiter, Depends(get_limiter)]
SessionCacheDep = Annotated[session_service.SessionCache, Depends(get_session_cache)]
# scope="function": commit right after the route returns, before the response is sent.
SessionDep = Annotated[AsyncSession, Depends(get_session, scope="function")]


async def get_optional_user(request: Request, session: SessionDep) -> User | None:
    """The caller's account when a bearer token is sent; a bad token is a 401, not anonymous.

    The token's session must still be live (a cached primary-key lookup that also loads the
    account); its id is kept in `request.state.session_id`.
    """
    header = request.headers.get("authorization")
    if header is None:
        return None
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("Send the access token as 'Authorization: Bearer <token>'.")
    state = state_of(request.app)
    user_id, session_id = account_service.claims_from_token(
        settings=state.settings, token=token.strip()
    )
    user = await session_service.active_user(
        session=session, cache=state.session_cache, user_id=user_id, session_id=session_id
    )
    if user is None:
        raise Unauthorized("The access token is invalid or expired.")
    request.state.session_id = session_id
    return user


OptionalUser = Annotated[User | None, Depends(get_optional_user)]


async def get_current_user(user: OptionalUser) -> User:
    if user is None:
        raise Unauthorized("Sign in first: this route needs an access token.")
    return user


CurrentUser = Annotated[User, Depends(get_current_user)]


async def get_current_session_id(request: Request, user: CurrentUser) -> uuid.UUID:
    """The session of the request's access token."""
    return request.state.session_id


CurrentSessionId = Annotated[uuid.UUID, Depends(get_current_session_id)]


async def get_admin_user(user: CurrentUser) -> User:
    if user.role != "admin":
        raise Forbidden("This route is for admins.")
    return user


AdminUser = Annotated[User, Depends(get_admin_user)]


def rate_limit(scope: str, *, by_account: bool = True):
    """A dependency counting the caller (account, else client IP) against `scope`'s rule.

    `by_account=False` counts the IP only and never reads the Authorization header, for routes
    (the refresh) that must work while a stale access token is still being sent.
    """

    async def check_ip(request: Request) -> None:
        state = state_of(request.app)
        await state.limiter.hit(
            rule=state.settings.rate_auth, scope=scope, client=f"ip:{_client_ip(request)}"
        )

    async def check(request: Request, user: OptionalUser) -> None:
        state = state_of(request.app)
        settings = state.settings
        if scope == "readings":
            rule = settings.rate_readings_user if user else settings.rate_readings_anonymous
        else:
            rule = settings.rate_auth
        client = f"user:{user.id}" if user else f"ip:{_client_ip(request)}"
        await state.limiter.hit(rule=rule, scope=scope, client=client)

    for dependency in (check, check_ip):  # read by api/openapi.py with getattr
        # setattr: mypy types a function's attributes as fixed, so plain assignment fails.
        setattr(dependency, "documented_errors", (429,))  # noqa: B010
    return Depends(check if by_account else check_ip)


def _client_ip(request: Request) -> str:
    # uvicorn rewrites the client from X-Forwarded-For only for TAROT_TRUSTED_PROXIES.
    return request.client.host if request.client else "unknown"
