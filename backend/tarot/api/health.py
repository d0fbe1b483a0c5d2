"""Liveness and readiness probes, public by design."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from tarot.deps import DbDep
from tarot.services import health as health_service

router = APIRouter(tags=["health"])


@router.get("/health", summary="Liveness: the process answers")
async def health() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/ready", summary="Readiness: the database answers")
async def ready(db: DbDep) -> JSONResponse:
    problem = await health_service.database_problem(db=db)
    if problem:
        return JSONResponse({"status": "unavailable", "reason": problem}, status_code=503)
    return JSONResponse({"status": "ready"})
