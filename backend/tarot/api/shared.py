"""Public, read-only views of shared readings."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from tarot.api.openapi import problems
from tarot.api.routing import Deferred
from tarot.deps import CatalogCacheDep, DbDep, SessionDep, SettingsDep
from tarot.schemas.readings import SharedReadingRead
from tarot.services import readings as reading_service
from tarot.services import shares as share_service

router = APIRouter(route_class=Deferred, prefix="/shared", tags=["readings"])


@router.get(
    "/{token}",
    response_model=SharedReadingRead,
    summary="A reading someone shared",
    responses=problems(404),
)
async def get_shared_reading(
    token: Annotated[str, Path(min_length=16, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")],
    session: SessionDep,
    db: DbDep,
    cache: CatalogCacheDep,
    settings: SettingsDep,
) -> SharedReadingRead:
    reading = await share_service.shared_reading(session=session, token=token)
    full = await reading_service.to_schema(
        db=db, cache=cache, image_base_url=settings.image_base_url, reading=reading
    )
    return SharedReadingRead.model_validate(full)
