"""Admin routes beyond catalog edits."""

from __future__ import annotations

from fastapi import APIRouter

from tarot.api.openapi import example
from tarot.api.routing import Deferred
from tarot.deps import AdminUser, CachesDep, DbDep, SessionDep
from tarot.services.cache import invalidate_all
from tarot.services.invalidation import invalidate_on_commit

router = APIRouter(route_class=Deferred, prefix="/admin", tags=["admin"])


@router.post(
    "/cache/clear",
    summary="Clear every cache, on every instance",
    responses=example({"cleared": ["catalog"]}),
)
async def clear_caches(
    _admin: AdminUser, session: SessionDep, db: DbDep, caches: CachesDep
) -> dict:
    await invalidate_on_commit(session=session, db=db, invalidate=lambda: invalidate_all(caches))
    return {"cleared": [cache.name for cache in caches]}
