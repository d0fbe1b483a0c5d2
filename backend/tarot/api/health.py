"""Liveness and readiness probes, public by design."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from tarot.api.openapi import example, problems
from tarot.api.routing import Deferred
from tarot.deps import DbDep
from tarot.errors import OUTAGE_RETRY_AFTER_SECONDS, Unavailable
from tarot.services import health as health_service

router = APIRouter(route_class=Deferred, tags=["health"])


@router.get("/health", summary="Liveness: the process answers", responses=example({"status": "ok"}))
async def health() -> dict[str, str]:
    return {"status": "ok"}


READY = {
    "type": "object",
    "properties": {"status": {"type": "string"}},
    "required": ["status"],
    "examples": [{"status": "ready"}],
}
# Typed as problems() is, so the two entries join with |.
READY_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"content": {"application/json": {"schema": READY}}}
}


@router.get(
    "/ready",
    summary="Readiness: the database answers",
    responses=READY_RESPONSES
    | problems(503, e503="Not ready: the database did not answer; see Retry-After."),
)
async def ready(db: DbDep) -> JSONResponse:
    problem = await health_service.database_problem(db=db)
    if problem:
        raise Unavailable(f"Not ready: {problem}.", retry_after=OUTAGE_RETRY_AFTER_SECONDS)
    return JSONResponse({"status": "ready"})
