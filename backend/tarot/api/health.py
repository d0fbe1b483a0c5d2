"""Liveness and readiness probes, public by design."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from tarot.api.openapi import example
from tarot.deps import DbDep
from tarot.services import health as health_service

router = APIRouter(tags=["health"])


@router.get("/health", summary="Liveness: the process answers", responses=example({"status": "ok"}))
async def health() -> dict[str, str]:
    return {"status": "ok"}


READY = {
    "type": "object",
    "properties": {"status": {"type": "string"}, "reason": {"type": "string"}},
    "required": ["status"],
    "examples": [{"status": "unavailable", "reason": "the database did not answer"}],
}


@router.get(
    "/ready",
    summary="Readiness: the database answers",
    responses={
        200: {"content": {"application/json": {"schema": READY}}},
        503: {"description": "Not ready", "content": {"application/json": {"schema": READY}}},
    },
)
async def ready(db: DbDep) -> JSONResponse:
    problem = await health_service.database_problem(db=db)
    if problem:
        return JSONResponse({"status": "unavailable", "reason": problem}, status_code=503)
    return JSONResponse({"status": "ready"})
