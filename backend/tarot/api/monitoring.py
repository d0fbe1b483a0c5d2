"""Ops routes: memory, providers, caches, queue and Prometheus metrics (bearer token)."""

from __future__ import annotations

from fastapi import APIRouter, Response
from fastapi.responses import PlainTextResponse

from tarot.api.openapi import example
from tarot.api.routing import Deferred
from tarot.deps import CachesDep, DbDep, MemoryDep, MetricsDep, OpsAccess, ProvidersDep, QueueDep
from tarot.services import monitoring as monitoring_service
from tarot.services.metrics import render

router = APIRouter(
    route_class=Deferred, prefix="/monitoring", tags=["monitoring"], dependencies=[OpsAccess]
)
metrics_router = APIRouter(route_class=Deferred, tags=["monitoring"], dependencies=[OpsAccess])


@router.get(
    "/memory",
    summary="RSS, peak, USS, threads, fds, gc, limits and recent history",
    responses=example({"rss_mb": 74.2, "peak_rss_mb": 80.1, "pid": 4242, "history": []}),
)
async def memory_report(guard: MemoryDep) -> dict:
    return await monitoring_service.memory_report(guard=guard)


@router.get(
    "/providers",
    summary="Which providers are available, loaded and healthy",
    responses=example({"chain": ["gemini", "openai", "offline"], "loaded_providers": []}),
)
async def providers_report(factory: ProvidersDep) -> dict:
    return monitoring_service.providers_report(factory=factory)


@router.get(
    "/cache",
    summary="Cache sizes and hit ratios",
    responses=example({"caches": [{"name": "catalog", "size": 12, "hit_ratio": 0.97}]}),
)
async def cache_report(caches: CachesDep) -> dict:
    return monitoring_service.cache_report(caches=caches)


@router.get(
    "/queue",
    summary="Readings by status and worker load",
    responses=example({"counts": {"pending": 0, "running": 1}, "workers": 4, "active": 1}),
)
async def queue_report(db: DbDep, reading_queue: QueueDep) -> dict:
    return await monitoring_service.queue_report(db=db, queue=reading_queue)


@metrics_router.get(
    "/metrics",
    summary="Prometheus text exposition",
    response_class=PlainTextResponse,
    responses={200: {"content": {"text/plain": {"schema": {"type": "string"}}}}},
)
async def metrics(registry: MetricsDep, caches: CachesDep) -> Response:
    body, content_type = render(registry, lambda: [c.stats() for c in caches])
    return Response(body, media_type=content_type)
