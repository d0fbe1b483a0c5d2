"""Spread catalog routes."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request, Response

from tarot.api.http import send_cached
from tarot.api.language import CatalogLanguage
from tarot.api.openapi import cached, problems
from tarot.api.routing import Deferred
from tarot.deps import AdminUser, CatalogCacheDep, DbDep, SessionDep, SettingsDep
from tarot.schemas.common import IDENTIFIER
from tarot.schemas.spreads import SpreadRead, SpreadUpdate
from tarot.services import spreads as spread_service

router = APIRouter(route_class=Deferred, prefix="/spreads", tags=["spreads"])

Slug = Annotated[
    str, Path(pattern=IDENTIFIER, description="The spread's slug, e.g. `celtic-cross`.")
]


@router.get(
    "",
    response_model=list[SpreadRead],
    summary="List spreads",
    responses=cached("Every spread.", localized=True),
)
async def list_spreads(
    request: Request,
    db: DbDep,
    cache: CatalogCacheDep,
    settings: SettingsDep,
    language: CatalogLanguage,
) -> Response:
    cached = await spread_service.list_spreads(db=db, cache=cache, language=language)
    return send_cached(request, cached, max_age=settings.cache_ttl_seconds, language=language)


@router.get(
    "/{slug}",
    response_model=SpreadRead,
    summary="One spread and its positions",
    responses=cached("The spread.", localized=True) | problems(404),
)
async def get_spread(
    request: Request,
    slug: Slug,
    db: DbDep,
    cache: CatalogCacheDep,
    settings: SettingsDep,
    language: CatalogLanguage,
) -> Response:
    cached = await spread_service.get_spread(db=db, cache=cache, slug=slug, language=language)
    return send_cached(request, cached, max_age=settings.cache_ttl_seconds, language=language)


@router.patch(
    "/{slug}",
    response_model=SpreadRead,
    summary="Edit a spread's texts (admin)",
    responses=problems(404),
)
async def update_spread(
    slug: Slug,
    data: SpreadUpdate,
    _admin: AdminUser,
    session: SessionDep,
    db: DbDep,
    cache: CatalogCacheDep,
) -> SpreadRead:
    return await spread_service.update_spread(
        session=session, db=db, cache=cache, slug=slug, data=data
    )
