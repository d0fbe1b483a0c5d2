"""Annotated dependency aliases used by the routers."""

from __future__ import annotations

import hmac
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession

from tarot.config import Settings
from tarot.db.session import Database
from tarot.errors import NotFound, Unauthorized
from tarot.services.cache import Cache
from tarot.services.queue import ReadingQueue


def get_settings_dep(request: Request) -> Settings:
    return request.app.state.settings


def get_db(request: Request) -> Database:
    return request.app.state.db


def get_catalog_cache(request: Request) -> Cache:
    return request.app.state.catalog_cache


def get_queue(request: Request) -> ReadingQueue:
    return request.app.state.queue


def require_ops(request: Request) -> None:
    """Ops routes need `TAROT_OPS_TOKEN` as a bearer token; without one set they don't exist."""
    expected = request.app.state.settings.ops_token
    if expected is None:
        raise NotFound(f"No route matches {request.url.path}")
    scheme, _, given = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(
        given.strip().encode(), expected.get_secret_value().encode()
    ):
        raise Unauthorized("This route needs the ops bearer token.")


async def get_session(db: Annotated[Database, Depends(get_db)]) -> AsyncIterator[AsyncSession]:
    """A session per request: committed when the route succeeds, rolled back otherwise."""
    async with db.sessionmaker() as session:
        try:
            yield session
        except BaseException:
            await session.rollback()
            raise
        else:
            await session.commit()


SettingsDep = Annotated[Settings, Depends(get_settings_dep)]
DbDep = Annotated[Database, Depends(get_db)]
CatalogCacheDep = Annotated[Cache, Depends(get_catalog_cache)]
OpsAccess = Depends(require_ops)
QueueDep = Annotated[ReadingQueue, Depends(get_queue)]
# scope="function": commit right after the route returns, before the response is sent.
SessionDep = Annotated[AsyncSession, Depends(get_session, scope="function")]
